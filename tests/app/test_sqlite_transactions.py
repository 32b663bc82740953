"""The app's ORM sessions beside the relay writer on SQLite (WAL): a session that has read, and writes
after another connection committed, stores its write; it never fails with "database is locked".

The hazard: SQLite turns a transaction that has read into one that writes only if nobody committed
since its read. Otherwise its snapshot is stale and the write is refused at once with SQLITE_BUSY
(SQLITE_BUSY_SNAPSHOT), without waiting out the busy timeout: waiting could not help. A session is
safe either if its reads hold no snapshot until its write (the sqlite3 driver's legacy transaction
control: a SELECT runs outside any transaction, the driver begins one just before the first INSERT,
UPDATE or DELETE), or if its transaction holds the write lock from its start (BEGIN IMMEDIATE), so
that nobody can commit in between. A session whose transaction began with a plain (deferred) BEGIN
before its first read fails here.

Deterministic: the other writer commits between the session's read and its write, on the test's own
schedule; if the session holds the write lock by then, nobody can, and the other writer writes after
the session (a probe that does not wait tells which)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from handoff.conversations import flows
from handoff.conversations import service as conversation_service
from handoff.conversations.enums import Sender
from handoff.conversations.sqlite_writes import stored_query
from tests.app.conftest import InProcessApp, running, settings_for


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[InProcessApp]:
    """The app on its SQLite file, its sweeps out of the way: no writer but the test's."""
    settings = settings_for(tmp_path).model_copy(update={"sweep_interval_s": 3600.0, "instance_ttl_s": 7200.0})
    async with running(settings) as app:
        yield app


def write_lock_free(app: InProcessApp) -> bool:
    """Whether another connection could commit now: SQLite's write lock taken and let go at once by a
    connection of the test's own that does not wait for it (timeout 0)."""
    path = make_url(app.rt.settings.database_url).database
    assert path and path != ":memory:"
    probe = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc), exc
        return False
    else:
        probe.execute("ROLLBACK")
        return True
    finally:
        probe.close()


async def relay_message(app: InProcessApp, conversation_id: str) -> int:
    """A customer's message stored by the relay's writer (its own connection, BEGIN IMMEDIATE)."""
    stored = await flows.store_customer_message(app.rt, conversation_id, "is anyone there?", "customer-1")
    return stored.message.seq


async def session_message(app: InProcessApp, conversation_id: str) -> int:
    """A system message stored by another ORM session (another connection of the engine's pool)."""
    async with app.rt.sessions() as session:
        message, _ = await conversation_service.append_message(
            session=session, conversation_id=conversation_id, sender=Sender.SYSTEM, text="from another session",
            clock=app.rt.clock)
    return message.seq


@pytest.mark.parametrize("other_writer", [relay_message, session_message], ids=["relay writer", "another session"])
async def test_a_session_that_has_read_writes_after_another_connection_committed(
        app: InProcessApp, other_writer: Callable[[InProcessApp, str], Awaitable[int]]) -> None:
    conversation_id, _ = await app.start_conversation()
    other_seq: int | None = None
    async with app.rt.sessions() as session:
        # The session reads, as notify.say's append_message does before its write ...
        conversation = await conversation_service.get(session=session, conversation_id=conversation_id)
        assert conversation is not None and conversation.last_seq == 0
        # ... another connection commits meanwhile, unless the session's transaction keeps it out ...
        if write_lock_free(app):
            other_seq = await other_writer(app, conversation_id)
        # ... and the session writes: "database is locked" here if its read transaction went stale.
        message, created = await conversation_service.append_message(
            session=session, conversation_id=conversation_id, sender=Sender.SYSTEM, text="from the session",
            clock=app.rt.clock)
    assert created
    if other_seq is None:  # the session held the write lock: the other writer comes after it
        other_seq = await other_writer(app, conversation_id)
        assert (message.seq, other_seq) == (1, 2)
    else:
        assert (other_seq, message.seq) == (1, 2)

    async with app.rt.sessions() as session:
        stored = await conversation_service.messages_after(session=session, conversation_id=conversation_id,
                                                           after_seq=0)
        conversation = await conversation_service.get(session=session, conversation_id=conversation_id)
    assert sorted(m.seq for m in stored) == [1, 2]
    assert conversation is not None and conversation.last_seq == 2


async def test_a_batch_finds_resent_client_ids_through_the_index(app: InProcessApp) -> None:
    """The relay's look-up of client ids already stored searches the unique index on the app's own
    schema: a scan of every message would make each batch slower as the table grows."""
    path = make_url(app.rt.settings.database_url).database
    assert path is not None
    conn = sqlite3.connect(path)
    try:
        plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + stored_query(3), ["c", "m"] * 3)]
    finally:
        conn.close()
    assert any(step.startswith("SEARCH m USING") and "client_msg_id=?" in step for step in plan), plan
    assert not any(step.startswith("SCAN m") for step in plan), plan
