"""The relay's writer (handoff/conversations/writes.py) on a real database, SQLite and PostgreSQL, each
on the writer's own connection (sqlite_writes.py, postgres_writes.py): concurrent messages of many
conversations get gap-free seqs, a resend is answered with the original, refusals are per message,
the ORM's writers in between are respected, and on PostgreSQL a connection killed between batches
costs no message."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.clock import Clock, as_utc
from handoff.conversations import service
from handoff.conversations.batch import Stored
from handoff.conversations.enums import ConversationState, Sender
from handoff.conversations.exceptions import ConversationClosed, NotAllowed
from handoff.conversations.models import PendingTurn
from handoff.conversations.postgres_writes import STORED
from handoff.conversations.schemas import StoredMessage
from handoff.conversations.writes import MessageWriter

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


class Published:
    def __init__(self) -> None:
        self.messages: list[StoredMessage] = []

    async def __call__(self, message: StoredMessage) -> None:
        self.messages.append(message)


@pytest.fixture
async def writer(sessions: async_sessionmaker[AsyncSession]) -> Any:
    writer = MessageWriter(sessions, max_in_flight=10_000)
    yield writer
    await writer.aclose()


async def _conversations(sessions: async_sessionmaker[AsyncSession], clock: Clock, n: int) -> list[str]:
    async with sessions() as session:
        return [(await service.create(session=session, customer_id=None, locale="en", clock=clock)).id
                for _ in range(n)]


def _send(writer: MessageWriter, clock: Clock, published: Published, cid: str, client_msg_id: str,
          sender: Sender = Sender.CUSTOMER, author_id: str | None = None) -> asyncio.Future[Stored]:
    return writer.submit(conversation_id=cid, sender=sender, text=f"text of {client_msg_id}",
                         client_msg_id=client_msg_id, clock=clock, publish=published, author_id=author_id)


async def test_many_conversations_at_once_get_gap_free_seqs_and_a_resend_its_original(
        sessions: async_sessionmaker[AsyncSession], writer: MessageWriter, clock: Clock) -> None:
    cids = await _conversations(sessions, clock, 20)
    published = Published()
    sends = [_send(writer, clock, published, cid, f"m{i}") for i in range(10) for cid in cids]
    resends = [_send(writer, clock, published, cid, "m3") for cid in cids]  # in the same batches, or later ones
    stored = await asyncio.gather(*sends)
    again = await asyncio.gather(*resends)
    assert all(s.created for s in stored) and not any(s.created for s in again)
    for cid in cids:
        mine = [s.message for s in stored if s.message.conversation_id == cid]
        assert [m.seq for m in mine] == list(range(1, 11))  # each conversation's in the order sent
        assert [m.client_msg_id for m in mine] == [f"m{i}" for i in range(10)]
        original = next(s.message for s in again if s.message.conversation_id == cid)
        assert (original.seq, original.text) == (4, "text of m3")
        async with sessions() as session:
            rows = await service.messages_after(session=session, conversation_id=cid, after_seq=0)
            conversation = await service.get(session=session, conversation_id=cid)
        assert [(m.seq, m.client_msg_id) for m in rows] == [(m.seq, m.client_msg_id) for m in mine]
        assert conversation is not None and conversation.last_seq == 10
    assert len(published.messages) == len(sends) + len(resends)  # a resend is published again


async def test_refusals_are_per_message_and_the_orm_writes_in_between(
        sessions: async_sessionmaker[AsyncSession], writer: MessageWriter, clock: Clock) -> None:
    open_cid, closed_cid = await _conversations(sessions, clock, 2)
    async with sessions() as session:
        assert await service.transition(session=session, conversation_id=closed_cid,
                                        allowed_from=[ConversationState.BOT], to=ConversationState.CLOSED)
    published = Published()
    ok = _send(writer, clock, published, open_cid, "a")
    closed = _send(writer, clock, published, closed_cid, "b")
    not_assigned = _send(writer, clock, published, open_cid, "c", sender=Sender.AGENT, author_id="bob")
    assert (await ok).message.seq == 1
    with pytest.raises(ConversationClosed):
        await closed
    with pytest.raises(NotAllowed):
        await not_assigned
    # A system message through the ORM, then the writer again: the seqs go on from each other's.
    async with sessions() as session:
        system, _ = await service.append_message(session=session, conversation_id=open_cid, sender=Sender.SYSTEM,
                                                 text="joined", clock=clock)
    assert system.seq == 2
    assert (await _send(writer, clock, published, open_cid, "d")).message.seq == 3


async def test_a_customer_message_to_the_bot_is_stored_with_its_pending_turn(
        sessions: async_sessionmaker[AsyncSession], writer: MessageWriter, clock: Clock) -> None:
    cids = await _conversations(sessions, clock, 3)
    until = clock.now() + timedelta(seconds=30)
    published = Published()
    stored = await asyncio.gather(*(writer.submit(
        conversation_id=cid, sender=Sender.CUSTOMER, text="where is my order?", client_msg_id=f"q-{n}",
        clock=clock, publish=published, turn_lease=("this-process", until)) for cid in cids for n in range(2)))
    assert all(s.turn_until == until for s in stored)
    async with sessions() as session:
        turns = (await session.scalars(
            select(PendingTurn).order_by(PendingTurn.conversation_id, PendingTurn.seq))).all()
    assert [(t.conversation_id, t.seq, t.owner, t.attempts) for t in turns] == \
        [(cid, seq, "this-process", 1) for cid in sorted(cids) for seq in (1, 2)]
    assert all(as_utc(t.lease_until) == until for t in turns)


@pytest.mark.parametrize("sessions", ["postgresql"], indirect=True)  # SQLite's connection is a file's
async def test_postgresql_a_connection_killed_between_batches_loses_nothing(
        sessions: async_sessionmaker[AsyncSession], writer: MessageWriter, clock: Clock) -> None:
    engine = sessions.kw["bind"]
    (cid,) = await _conversations(sessions, clock, 1)
    published = Published()
    assert (await _send(writer, clock, published, cid, "before")).message.seq == 1
    # Every other connection to the test's database terminated (the writer's own among them), as a
    # PostgreSQL restart or a failover would.
    database = engine.url.database
    async with sessions() as session:
        mine = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        killed = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> %s "
            "AND pid <> pg_backend_pid()", (database, mine)).fetchall()
    assert killed and all(row[0] for row in killed)
    after = await asyncio.gather(*(_send(writer, clock, published, cid, f"after-{i}") for i in range(5)))
    assert [s.message.seq for s in after] == [2, 3, 4, 5, 6] and all(s.created for s in after)


@pytest.mark.parametrize("sessions", ["postgresql"], indirect=True)
async def test_postgresql_a_batch_held_by_a_lock_holds_up_its_conversation_only(
        sessions: async_sessionmaker[AsyncSession], writer: MessageWriter, clock: Clock) -> None:
    """Two lanes: a batch waiting for a row lock (another process's transition holding the row) leaves
    the other lane to the other conversations; the held conversation's next message waits behind its
    first, and both take their seqs in the order sent once the lock goes."""
    held, free = await _conversations(sessions, clock, 2)
    published = Published()
    engine = sessions.kw["bind"]
    async with engine.connect() as locker, engine.connect() as watcher:
        await locker.execute(text("SELECT id FROM conversations WHERE id = :id FOR UPDATE"), {"id": held})
        first = _send(writer, clock, published, held, "h1")
        await _until_waiting_for_a_lock(watcher)
        second = _send(writer, clock, published, held, "h2")
        other = await asyncio.wait_for(_send(writer, clock, published, free, "f1"), 10)
        assert other.message.seq == 1
        assert not first.done() and not second.done()
        await locker.rollback()
    assert [(await first).message.seq, (await second).message.seq] == [1, 2]
    assert [m.client_msg_id for m in published.messages] == ["f1", "h1", "h2"]


async def _until_waiting_for_a_lock(conn: Any) -> None:
    """Until a backend of this database waits for a lock (the writer's batch, on the held row)."""
    query = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                 "AND wait_event_type = 'Lock'")
    async with asyncio.timeout(10):
        while True:
            waiting = (await conn.execute(query)).scalar_one()
            await conn.rollback()  # pg_stat_activity is read once per transaction
            if waiting:
                return
            await asyncio.sleep(0.01)


@pytest.mark.parametrize("sessions", ["postgresql"], indirect=True)
async def test_postgresql_a_batch_finds_resent_client_ids_through_the_index(
        sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
    """The look-up of client ids already stored, for a batch of 100 conversations on a table of 100,000
    messages: one probe of the unique index per key, not a scan of the table (which made every
    batch slower as messages accumulated)."""
    cids = await _conversations(sessions, clock, 100)
    async with sessions() as session:
        await session.execute(text(
            "INSERT INTO messages (conversation_id, seq, sender, text, client_msg_id, created_at) "
            "SELECT c.id, s, 'customer', 'hello', 'm' || s, now() FROM conversations AS c, "
            "generate_series(1, 1000) AS s"))
        await session.commit()
    dsn = sessions.kw["bind"].url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("ANALYZE messages")
        plan = "\n".join(row[0] for row in conn.execute(
            "EXPLAIN " + STORED, [cids, [f"m{1000 + i}" for i in range(len(cids))]]).fetchall())
    assert "Seq Scan on messages" not in plan, plan
    assert "Index" in plan and "client_msg_id" in plan, plan
