"""The relay's write path: customers' messages, agents' messages and notes, stored by group commit.

Each message a socket sends is one request to its process's writer (one per database). Requests that
arrive while a transaction is being written wait for the next one, which stores all of them (up to
MAX_BATCH) and commits once; only then is each message published and its sender acknowledged, so
nothing is acknowledged before it is committed. N messages cost one transaction of six statements,
instead of several sessions, two commits, an ORM object and (on SQLite) a dozen hops to the driver's
thread each. On SQLite the batch runs on the writer's own connection in one hop (sqlite_writes.py);
on PostgreSQL two batches can be under way, each on a connection of its own (postgres_writes.py),
never two holding the same conversation, so each conversation's messages keep their order.

Inside the transaction, a handful of Core statements whatever the batch's size:
- the batch's conversations are locked and read (PostgreSQL: SELECT ... FOR UPDATE in id order, so two
  processes' batches never deadlock; SQLite: BEGIN IMMEDIATE, its write lock), so their state and
  last_seq cannot change before the commit, whatever other writers (system messages, transitions,
  other processes) do;
- each sender's right is checked against that row (the customer's conversation not closed; an agent's
  message only from its assigned agent), and one SELECT finds the client ids already stored (a
  resend answers with the original);
- the messages take the next seqs, distinct and gap-free; one executemany UPDATE stores the new
  last_seqs, one INSERT the messages, one the pending bot turns of customer messages the bot owns
  (handoff/conversations/outbox.py).
A client id that raced in through another path (a unique violation) rolls the batch back; its
messages are then written one per transaction, each finding what is stored.

Overload: at most `max_in_flight` requests wait or are being written in a process. Beyond that a
message is refused at once (Overloaded: an `overloaded` error frame, and the client sends it again with
the same client id) rather than queued behind a backlog that only grows; the socket goes on.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from handoff.clock import Clock
from handoff.conversations.batch import ConversationRow, Outcome, Publish, Request, Stored, message_row, plan
from handoff.conversations.enums import Sender
from handoff.conversations.exceptions import Overloaded
from handoff.conversations.models import Conversation, Message, PendingTurn
from handoff.conversations.postgres_writes import PostgresBatches
from handoff.conversations.schemas import StoredMessage
from handoff.conversations.sqlite_writes import SqliteBatches

log = logging.getLogger(__name__)

MAX_BATCH = 256  # messages per transaction: bounds how long a batch holds its conversations' rows
# max_in_flight (SHOPBOT_WRITE_BUDGET, 2,048 by default): requests waiting or being written, per process:
# two per conversation for 1,000 conversations with both
# sides writing at once. At the batch throughput measured (thousands a second on SQLite, over a thousand
# on PostgreSQL, on 2 cores) a full queue is written in well under two seconds; a process further
# behind than that refuses new messages.

_conversations = cast(Table, Conversation.__table__)
_messages = cast(Table, Message.__table__)
_pending_turns = cast(Table, PendingTurn.__table__)


class MessageWriter:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, max_in_flight: int,
                 max_batch: int = MAX_BATCH) -> None:
        self._sessions = sessions
        self.max_in_flight = max_in_flight
        self.max_batch = max_batch
        self.in_flight = 0
        self._waiting: list[Request] = []
        # The lanes: batches written at the same time, each on a connection of its own (None: the
        # engine's sessions). Free ones here; the conversations of the batches under way in _busy.
        self._free: list[Lane] = _lanes(sessions.kw.get("bind"))
        self._lanes = list(self._free)
        self._busy: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, *, conversation_id: str, sender: Sender, text: str, client_msg_id: str | None,
               clock: Clock, publish: Publish, author_id: str | None = None,
               turn_lease: tuple[str, datetime] | None = None) -> asyncio.Future[Stored]:
        """Queues the message now (each conversation's requests are stored in the order submitted) and
        returns its outcome to come: Stored once committed and published, or the refusal. Raises
        Overloaded at once. sender: CUSTOMER (refused once the conversation is closed), AGENT (only the
        assigned agent) or NOTE (any agent). turn_lease: a customer message the bot owns gets its
        pending turn with it."""
        if sender not in (Sender.CUSTOMER, Sender.AGENT, Sender.NOTE):
            raise ValueError(f"the relay does not write {sender} messages")
        if self.in_flight >= self.max_in_flight:
            raise Overloaded(f"the server is busy; send it again (the same client_msg_id) in "
                             f"{Overloaded.retry_after_s} s")
        request = Request(conversation_id, sender, text, client_msg_id, author_id, clock, publish, turn_lease)
        self.in_flight += 1
        self._waiting.append(request)
        self._start()
        # Not shielded (a shield cost ~2.5% of the relay's time, profiled): a sender that stops
        # waiting (its socket gone) cancels only this future; the write goes on, as _settle skips it.
        return request.done

    async def aclose(self) -> None:
        """Shutdown: what is waiting or being written is refused (nobody is told "stored" for it),
        the writer's connections (and SQLite's thread) let go."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for request in self._waiting:
            _settle(request, ConnectionAbortedError("the server is shutting down"))
        self._waiting.clear()
        for lane in self._lanes:
            if lane is not None:
                await lane.aclose()

    def _start(self) -> None:
        """Starts a batch on each free lane while requests wait that may go now."""
        while self._free and self._waiting:
            batch = self._take()
            if not batch:
                return  # every waiting request's conversation is in a batch under way
            lane = self._free.pop()
            # Its own context: not the log context (conversation id) of the socket that started it.
            task = asyncio.create_task(self._run(lane, batch), context=contextvars.Context())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _take(self) -> list[Request]:
        """The next batch: waiting requests in arrival order, up to max_batch, but none of a
        conversation in a batch under way, nor after one of its requests left waiting. So two lanes
        never hold the same conversation (its seqs, locks and publications stay in order, and two
        batches never wait on each other's row locks)."""
        batch: list[Request] = []
        left: list[Request] = []
        held = self._busy.copy()  # conversations whose requests stay waiting, for now
        for request in self._waiting:
            if len(batch) < self.max_batch and request.conversation_id not in held:
                batch.append(request)
            else:
                left.append(request)
                held.add(request.conversation_id)
        self._waiting = left
        self._busy.update(r.conversation_id for r in batch)
        return batch

    async def _run(self, lane: Lane, batch: list[Request]) -> None:
        try:
            await self._write(lane, batch)
        except asyncio.CancelledError:  # shutdown: nobody is told "stored" for what was not
            for request in batch:
                _settle(request, ConnectionAbortedError("the server is shutting down"))
            raise
        finally:
            self.in_flight -= len(batch)
            self._busy.difference_update(r.conversation_id for r in batch)
            self._free.append(lane)
        self._start()

    async def _write(self, lane: Lane, batch: list[Request]) -> None:
        ordered = sorted(batch, key=lambda r: r.conversation_id)  # stable: each conversation's in arrival order
        outcomes: list[Outcome]
        try:
            outcomes = await self._transaction(lane, ordered)
        except IntegrityError:
            outcomes = [await self._alone(lane, request) for request in ordered]
        except Exception as exc:  # the database away: every sender hears it (its socket closes, 1013)
            outcomes = [exc] * len(ordered)
        # Posted in the batch's order, then waited for together: the Redis broker sends what is
        # queued in one pipeline, in that order; the in-process one has delivered them already.
        # A resend is published again: the process that stored it may have died before publishing
        # it, and every receiver drops a seq it already has.
        failed: dict[int, BaseException] = {}
        waiting: list[tuple[Request, Awaitable[None]]] = []
        for request, outcome in zip(ordered, outcomes, strict=True):
            if isinstance(outcome, Stored):
                try:
                    waiter = request.publish(outcome.message)
                except Exception as exc:
                    failed[id(request)] = exc
                    continue
                if waiter is not None:
                    waiting.append((request, waiter))
        if waiting:
            results = await asyncio.gather(*(waiter for _, waiter in waiting), return_exceptions=True)
            failed.update((id(request), result) for (request, _), result in zip(waiting, results, strict=True)
                          if isinstance(result, BaseException))
        for request, outcome in zip(ordered, outcomes, strict=True):
            result = failed.get(id(request))
            _settle(request, result if isinstance(result, Exception) else outcome)

    async def _alone(self, lane: Lane, request: Request) -> Outcome:
        """One request in a transaction of its own (after a unique violation in its batch)."""
        for attempt in range(2):
            try:
                return (await self._transaction(lane, [request]))[0]
            except IntegrityError as exc:  # raced again: the next attempt finds the stored one
                if attempt:
                    return exc
            except Exception as exc:
                return exc
        raise AssertionError("unreachable")

    async def _transaction(self, lane: Lane, requests: list[Request]) -> list[Outcome]:
        if lane is not None:
            return await lane.write(requests)
        async with self._sessions() as session:
            outcomes = await _store_all(await session.connection(), requests)
            await session.commit()
        return outcomes


Lane = SqliteBatches | PostgresBatches | None
POSTGRES_LANES = 2


def _lanes(engine: object) -> list[Lane]:
    """The batches' own connections where there are some: a SQLite file's one (SQLite has one writer
    at a time: a second lane would only wait for its lock), psycopg's two (one batch is written while
    the other waits for its round trips: saturated, the app on PostgreSQL went from 3,750 to 4,826
    messages a second at 1,000 conversations, its CPU from 0.80 to 0.90 cores; docs/benchmarks.md).
    [None]: the engine's sessions (an in-memory SQLite database, shared through the engine's one
    connection)."""
    if not isinstance(engine, AsyncEngine):
        return [None]
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        return [SqliteBatches(database) if database not in (None, "", ":memory:") else None]
    if engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg":
        return [PostgresBatches(engine.url) for _ in range(POSTGRES_LANES)]
    return [None]


def _settle(request: Request, outcome: Outcome) -> None:
    if request.done.done():
        return
    if isinstance(outcome, Stored):
        request.done.set_result(outcome)
    else:
        request.done.set_exception(outcome)


async def _store_all(conn: AsyncConnection, requests: list[Request]) -> list[Outcome]:
    """The batch in the transaction `conn` is in: the conversations' rows locked and read, the client
    ids looked up, then one executemany UPDATE of the seqs and one INSERT of the messages."""
    c = _conversations.c
    query = select(c.id, c.state, c.assigned_agent_id, c.last_seq).where(
        c.id.in_(sorted({r.conversation_id for r in requests}))).order_by(c.id)
    if conn.dialect.name == "sqlite":  # an in-memory database (a file's batches go to sqlite_writes.py)
        # The database's write lock first (SQLite locks the file, not rows): nothing changes the
        # conversations between this read and the UPDATE below.
        await conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        # Row locks, in id order: of two processes' batches one waits for the other, neither deadlocks.
        query = query.with_for_update()
    conversations = {row.id: ConversationRow(row.state, row.assigned_agent_id, row.last_seq)
                     for row in await conn.execute(query)}
    decided = plan(requests, conversations, await _stored_already(conn, requests))  # after the locks
    if decided.last_seqs:
        await conn.execute(update(_conversations).where(c.id == bindparam("conversation"))
                           .values(last_seq=bindparam("seq")),
                           [{"conversation": cid, "seq": seq} for cid, seq in decided.last_seqs.items()])
    if decided.messages:
        await conn.execute(insert(_messages), [message_row(m) for m in decided.messages])
    if decided.turns:
        await conn.execute(insert(_pending_turns), [
            {"conversation_id": cid, "seq": seq, "owner": owner, "lease_until": until, "attempts": 1}
            for cid, seq, owner, until in decided.turns])
    return decided.outcomes


async def _stored_already(conn: AsyncConnection, requests: list[Request]) -> dict[tuple[str, str], StoredMessage]:
    keys = {key for request in requests if (key := request.key) is not None}
    if not keys:
        return {}
    m = _messages.c
    # One row-value IN over the unique (conversation_id, client_msg_id) index.
    result = await conn.execute(
        select(m.conversation_id, m.seq, m.sender, m.text, m.client_msg_id, m.author_id, m.created_at, m.payload)
        .where(tuple_(m.conversation_id, m.client_msg_id).in_(sorted(keys))))
    return {(row.conversation_id, row.client_msg_id): StoredMessage(
        conversation_id=row.conversation_id, seq=row.seq, sender=Sender(row.sender), text=row.text,
        client_msg_id=row.client_msg_id, author_id=row.author_id, created_at=row.created_at, payload=row.payload)
        for row in result}

