"""The relay writer's batches on PostgreSQL: one connection of its own, and a whole batch in two round
trips.

Through the engine a batch was a pool checkout with its pre-ping, BEGIN, the batch's statements and
COMMIT: seven round trips, each a wait and a share of the event loop's CPU in SQLAlchemy and psycopg
(profiled: 0.55-0.67 cores at 100 messages/s, SQLite 0.17-0.22). Here psycopg's pipeline mode sends
BEGIN and the two reads together, then the writes and COMMIT together. The statements' text never
changes with the batch's size (arrays, not IN lists), so psycopg prepares each once per connection.

The semantics are writes.py's: the batch's conversations locked FOR UPDATE in id order (two processes'
batches never deadlock), the client ids looked up under those locks, `plan` deciding, the new seqs,
messages and pending turns written, one COMMIT. Errors come out as SQLAlchemy's (an IntegrityError, an
OperationalError), as from the engine.

A connection found broken while the batch was still reading (PostgreSQL restarted since the last batch)
is replaced and the batch sent once more on the new one: nothing of it was written, as the pool's
pre-ping would have found. Any other failure closes the connection; the next batch opens a new one.
"""

from __future__ import annotations

import contextlib
from typing import Any

import psycopg
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from handoff.conversations.batch import ConversationRow, Outcome, Request, plan
from handoff.conversations.enums import Sender
from handoff.conversations.schemas import StoredMessage

CONNECT_TIMEOUT_S = 10

_LOCK = "SELECT id, state, assigned_agent_id, last_seq FROM conversations WHERE id = ANY(%s) ORDER BY id FOR UPDATE"
# The exact (conversation id, client id) pairs, each one probe of the unique index. Written as
# `conversation_id = ANY(...) AND client_msg_id = ANY(...)` it was planned, with 100 keys, as a parallel
# scan of the whole table: 20 ms a batch at 300,000 messages against 0.4 ms (EXPLAIN ANALYZE), and
# PostgreSQL at 0.43 cores for 4,300 messages a second (tests/handoff/test_writer.py checks the plan).
STORED = ("SELECT m.conversation_id, m.seq, m.sender, m.text, m.client_msg_id, m.author_id, m.created_at, m.payload "
          "FROM unnest(%s::text[], %s::text[]) AS k(conversation_id, client_msg_id) "
          "JOIN messages AS m ON m.conversation_id = k.conversation_id AND m.client_msg_id = k.client_msg_id")
# One statement each, whatever the batch's size: arrays unnested on the server (an executemany would
# be a statement per row, each parsed, planned and run on its own).
_SEQS = ("UPDATE conversations AS c SET last_seq = v.last_seq FROM unnest(%s::text[], %s::int[]) AS v(id, last_seq) "
         "WHERE c.id = v.id")
_MESSAGES = ("INSERT INTO messages (conversation_id, seq, sender, author_id, text, client_msg_id, created_at) "
             "SELECT * FROM unnest(%s::text[], %s::int[], %s::text[], %s::text[], %s::text[], %s::text[], "
             "%s::timestamptz[])")
_TURNS = ("INSERT INTO pending_turns (conversation_id, seq, owner, lease_until, attempts) "
          "SELECT *, 1 FROM unnest(%s::text[], %s::int[], %s::text[], %s::timestamptz[])")


def _columns(rows: list[tuple[Any, ...]]) -> list[list[Any]]:
    """Rows as one list per column: the statements' array parameters."""
    return [list(column) for column in zip(*rows, strict=True)]


class PostgresBatches:
    def __init__(self, url: URL) -> None:
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._writing = False  # the batch under way has sent its writes (a failure now is not retried)

    async def write(self, requests: list[Request]) -> list[Outcome]:
        for attempt in (1, 2):
            reused, self._writing = self._conn is not None, False
            try:
                conn = await self._connection()
                async with conn.pipeline(), conn.transaction():
                    return await self._store_all(conn, requests)
            except psycopg.Error as exc:
                if not isinstance(exc, psycopg.IntegrityError):  # whatever it was, the next batch starts afresh
                    await self._close()
                if attempt == 1 and reused and not self._writing and isinstance(exc, psycopg.OperationalError):
                    continue  # the connection had died since the last batch: nothing of this one was written
                raise DBAPIError.instance("relay batch", None, exc, psycopg.Error) from exc
        raise AssertionError("unreachable")

    async def _connection(self) -> psycopg.AsyncConnection[Any]:
        if self._conn is None or self._conn.closed:
            self._conn = await psycopg.AsyncConnection.connect(
                self._conninfo, connect_timeout=CONNECT_TIMEOUT_S,
                # Prepared statements, each planned for its arrays: a generic plan, blind to their
                # length, chose to scan the whole messages table (PostgreSQL at 0.6-0.77 cores for
                # 100 messages a second, measured).
                options="-c plan_cache_mode=force_custom_plan")
        return self._conn

    async def aclose(self) -> None:
        await self._close()

    async def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(psycopg.Error):
                await conn.close()


    async def _store_all(self, conn: psycopg.AsyncConnection[Any], requests: list[Request]) -> list[Outcome]:
        ids = sorted({r.conversation_id for r in requests})
        keys = sorted({key for r in requests if (key := r.key) is not None})
        # Both reads go out together (with BEGIN); the first fetch waits for the lot.
        locked = await conn.execute(_LOCK, [ids])
        found = await conn.execute(STORED, _columns(keys)) if keys else None
        conversations = {row[0]: ConversationRow(row[1], row[2], row[3]) for row in await locked.fetchall()}
        stored_before: dict[tuple[str, str], StoredMessage] = {}
        for cid, seq, sender, text, client_msg_id, author_id, created_at, payload in (
                await found.fetchall() if found is not None else []):
            stored_before[(cid, client_msg_id)] = StoredMessage(
                conversation_id=cid, seq=seq, sender=Sender(sender), text=text, client_msg_id=client_msg_id,
                author_id=author_id, created_at=created_at, payload=payload)
        decided = plan(requests, conversations, stored_before)
        self._writing = True
        # The writes and the COMMIT go out together when the pipeline ends.
        if decided.last_seqs:
            await conn.execute(_SEQS, _columns(list(decided.last_seqs.items())))
        if decided.messages:
            await conn.execute(_MESSAGES, _columns([
                (m.conversation_id, m.seq, m.sender.value, m.author_id, m.text, m.client_msg_id, m.created_at)
                for m in decided.messages]))
        if decided.turns:
            await conn.execute(_TURNS, _columns(decided.turns))
        return decided.outcomes
