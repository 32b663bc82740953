"""Overload: when the relay's writer has as many messages waiting as it takes (SHOPBOT_WRITE_BUDGET), a
customer's or an agent's message is refused at once with an `overloaded` error frame the client can
retry on (nothing stored), the sockets keep answering, and the same message sent again once there is
room is stored exactly once, in order.

The writer is made slow for real: a connection of the test's own holds SQLite's write lock, so the
writer's batch waits for it (busy_timeout), as it waits for any other writer of the file."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from handoff.database import SQLITE_BUSY_TIMEOUT_S
from tests.app.conftest import InProcessApp, running, settings_for
from tests.app.sockets import AppSocket

BUDGET = 2  # messages waiting for the writer (SHOPBOT_WRITE_BUDGET)
WAIT_S = 10.0  # the longest the test waits for a frame while it holds the lock
# A batch waits for the lock up to the busy timeout, then fails (the writer closes its connection and
# every sender in the batch hears it: the sockets close, 1013): the test lets go well before.
assert SQLITE_BUSY_TIMEOUT_S > 2 * WAIT_S


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[InProcessApp]:
    """The app with a small write budget, on its SQLite file in tmp_path."""
    async with running(settings_for(tmp_path).model_copy(update={"write_budget": BUDGET})) as app:
        yield app


class WriteLock:
    """SQLite's write lock on the app's database file (BEGIN IMMEDIATE), held by a connection of the
    test's own. Taken and let go on a thread: taking it waits for whatever write the app has under way,
    which may need the event loop to finish."""

    def __init__(self, app: InProcessApp) -> None:
        path = make_url(app.rt.settings.database_url).database
        assert path and path != ":memory:", "the lock is a file's"
        self._conn = sqlite3.connect(path, isolation_level=None, timeout=SQLITE_BUSY_TIMEOUT_S,
                                     check_same_thread=False)

    async def take(self) -> None:
        await asyncio.to_thread(self._conn.execute, "BEGIN IMMEDIATE")

    async def release(self) -> None:
        if self._conn.in_transaction:
            await asyncio.to_thread(self._conn.execute, "ROLLBACK")

    async def close(self) -> None:
        await self.release()
        self._conn.close()


@pytest.fixture
async def write_lock(app: InProcessApp) -> AsyncIterator[WriteLock]:
    lock = WriteLock(app)
    try:
        yield lock
    finally:
        await lock.close()  # a failed test lets go too, or the app's shutdown would wait for it


def error_for(client_msg_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda f: f["type"] == "error" and f.get("client_msg_id") == client_msg_id


def ack_for(client_msg_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda f: f["type"] == "ack" and f["client_msg_id"] == client_msg_id


async def pong(socket: AppSocket) -> None:
    start = len(socket.frames)
    await socket.send({"type": "ping"})
    await socket.wait_for(lambda f: f["type"] == "pong", start=start, timeout=WAIT_S)


async def test_an_overloaded_writer_refuses_with_a_retryable_error_and_the_sockets_go_on(
        app: InProcessApp, write_lock: WriteLock) -> None:
    first, customer1 = await app.assigned("bob")
    second, customer2 = await app.assigned("bob")
    agent = await app.console("bob", first, second)

    await write_lock.take()
    # The agent's messages take all the room there is, and wait for the lock. A console reads its next
    # frames while its messages are stored: once the ping after them is answered, both are in the writer.
    await agent.send({"type": "message", "conversation_id": first, "client_msg_id": "bob-a", "text": "Hi, Bob here"})
    await agent.send({"type": "message", "conversation_id": second, "client_msg_id": "bob-b", "text": "Hello, Bob"})
    await pong(agent)

    # Everything else is refused at once, with what to do about it; nothing waits behind the held ones.
    await customer1.send({"type": "message", "client_msg_id": "c1-a", "text": "is anyone there?"})
    refused = await customer1.wait_for(error_for("c1-a"), timeout=WAIT_S)
    assert (refused["code"], refused["retry_after_s"]) == ("overloaded", 1), refused
    await customer2.send({"type": "message", "client_msg_id": "c2-a", "text": "hello?"})
    refused = await customer2.wait_for(error_for("c2-a"), timeout=WAIT_S)
    assert (refused["code"], refused["retry_after_s"]) == ("overloaded", 1), refused
    await agent.send({"type": "message", "conversation_id": first, "client_msg_id": "bob-c", "text": "One moment"})
    refused = await agent.wait_for(error_for("bob-c"), timeout=WAIT_S)
    assert (refused["code"], refused["retry_after_s"], refused["conversation_id"]) == ("overloaded", 1, first)
    # The sockets keep answering meanwhile (their keepalive).
    for socket in (customer1, customer2, agent):
        await pong(socket)
    # Not acknowledged, nor delivered, before it is stored.
    assert not any(f["type"] == "ack" for f in agent.frames), agent.frames
    assert not [m for socket in (customer1, customer2) for m in socket.messages() if m["sender"] == "agent"]
    assert app.rt.writer.in_flight == BUDGET

    # Room again: the held messages are stored and acknowledged; the refused ones, sent again, once each.
    await write_lock.release()
    held = [await agent.wait_for(ack_for(client_msg_id)) for client_msg_id in ("bob-a", "bob-b")]
    assert not any(ack["duplicate"] for ack in held)
    await customer1.send({"type": "message", "client_msg_id": "c1-a", "text": "is anyone there?"})
    c1_ack = await customer1.wait_for(ack_for("c1-a"))
    await customer2.send({"type": "message", "client_msg_id": "c2-a", "text": "hello?"})
    c2_ack = await customer2.wait_for(ack_for("c2-a"))
    await agent.send({"type": "message", "conversation_id": first, "client_msg_id": "bob-c", "text": "One moment"})
    agent_ack = await agent.wait_for(ack_for("bob-c"))
    assert not c1_ack["duplicate"] and not c2_ack["duplicate"] and not agent_ack["duplicate"]
    # Each conversation's messages in the order stored, right after the held one.
    assert (c1_ack["seq"], agent_ack["seq"]) == (held[0]["seq"] + 1, held[0]["seq"] + 2)
    assert c2_ack["seq"] == held[1]["seq"] + 1

    # Every message delivered once, in order, to sockets still open.
    await customer1.wait_for(lambda f: f["type"] == "message" and f["message"]["seq"] == agent_ack["seq"])
    await customer2.wait_for(lambda f: f["type"] == "message" and f["message"]["seq"] == c2_ack["seq"])
    for socket, expected in ((customer1, ["bob-a", "c1-a", "bob-c"]), (customer2, ["bob-b", "c2-a"])):
        seqs = [m["seq"] for m in socket.messages()]
        assert seqs == sorted(set(seqs)), seqs  # each once, in order
        assert [m["client_msg_id"] for m in socket.messages() if m["client_msg_id"] in expected] == expected
        await pong(socket)
        assert socket.closed_code is None
    await pong(agent)
    for socket in (customer1, customer2, agent):
        await socket.close()


async def test_a_message_refused_for_overload_is_not_stored(app: InProcessApp, monkeypatch: pytest.MonkeyPatch) -> None:
    _, customer = await app.assigned("bob")
    monkeypatch.setattr(app.rt.writer, "max_in_flight", 0)
    await customer.send({"type": "message", "client_msg_id": "x-1", "text": "anyone?"})
    refused = await customer.wait_for(error_for("x-1"))
    assert refused["code"] == "overloaded"
    monkeypatch.setattr(app.rt.writer, "max_in_flight", app.rt.settings.write_budget)
    await customer.send({"type": "message", "client_msg_id": "x-1", "text": "anyone?"})
    ack = await customer.wait_for(ack_for("x-1"))
    assert ack["duplicate"] is False  # the refused send stored nothing
    await customer.close()
