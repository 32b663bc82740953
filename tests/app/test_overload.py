"""Overload: when the relay's writer has as many messages waiting as it takes, a customer's or an
agent's message is refused at once with an `overloaded` error frame the client can retry on (nothing
stored), the sockets keep answering, and the same message sent again once there is room is stored
exactly once, in order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from handoff.conversations import flows, writes
from tests.app.conftest import InProcessApp
from tests.app.sockets import AppSocket


class HeldWriter:
    """The writer with room for one message in flight, its transactions held until released."""

    def __init__(self, app: InProcessApp, monkeypatch: pytest.MonkeyPatch) -> None:
        self.writer = app.rt.writer
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        original: Callable[[list[Any]], Awaitable[list[Any]]] = self.writer._transaction

        async def held(requests: list[Any]) -> list[Any]:
            self.entered.set()
            await self.release.wait()
            return await original(requests)

        monkeypatch.setattr(self.writer, "_transaction", held)
        monkeypatch.setattr(self.writer, "max_in_flight", 1)


async def assigned_to_bob(app: InProcessApp) -> tuple[str, AppSocket]:
    conversation_id, token = await app.start_conversation()
    customer = await app.customer_socket(conversation_id, token)
    assert await flows.hand_off(app.rt, conversation_id, "customer_request", "asked for a person")
    await flows.claim(app.rt, conversation_id, "bob")
    await customer.wait_for(lambda f: f["type"] == "state" and f["state"] == "assigned")
    return conversation_id, customer


def error_for(client_msg_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda f: f["type"] == "error" and f.get("client_msg_id") == client_msg_id


def ack_for(client_msg_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda f: f["type"] == "ack" and f["client_msg_id"] == client_msg_id


async def test_an_overloaded_writer_refuses_with_a_retryable_error_and_the_sockets_go_on(
        app: InProcessApp, monkeypatch: pytest.MonkeyPatch) -> None:
    first, customer1 = await assigned_to_bob(app)
    second, customer2 = await assigned_to_bob(app)
    login = await app.http.post("/api/agent/login", json={"agent_id": "bob", "password": "bob-demo"})
    agent = AppSocket(app.app, "/ws/agent", token=login.json()["token"])
    await agent.wait_for(lambda f: f["type"] == "queue")
    for cid in (first, second):
        await agent.send({"type": "resume", "conversation_id": cid, "last_seq": 0})
        await agent.wait_for(lambda f, cid=cid: f["type"] == "conversation" and f["conversation"]["id"] == cid)
    held = HeldWriter(app, monkeypatch)

    # The first customer's message takes the only room there is, and stays in the writer.
    await customer1.send({"type": "message", "client_msg_id": "c1-a", "text": "is anyone there?"})
    await asyncio.wait_for(held.entered.wait(), 10)

    # Everything else is refused at once, with what to do about it; nothing waits behind the held one.
    await customer2.send({"type": "message", "client_msg_id": "c2-a", "text": "hello?"})
    refused = await customer2.wait_for(error_for("c2-a"))
    assert (refused["code"], refused["retry_after_s"]) == ("overloaded", 1), refused
    await agent.send({"type": "message", "conversation_id": first, "client_msg_id": "bob-a", "text": "Hi, Bob here"})
    refused = await agent.wait_for(error_for("bob-a"))
    assert (refused["code"], refused["retry_after_s"], refused["conversation_id"]) == ("overloaded", 1, first)
    # The sockets keep answering meanwhile (their keepalive).
    start = len(customer2.frames), len(agent.frames)
    await customer2.send({"type": "ping"})
    await agent.send({"type": "ping"})
    await customer2.wait_for(lambda f: f["type"] == "pong", start=start[0])
    await agent.wait_for(lambda f: f["type"] == "pong", start=start[1])
    assert not any(f["type"] == "ack" for f in customer1.frames)  # not acknowledged before it is stored

    # Room again: the held message is stored and acknowledged; the refused ones, sent again, once each.
    held.release.set()
    held_ack = await customer1.wait_for(ack_for("c1-a"))
    await customer2.send({"type": "message", "client_msg_id": "c2-a", "text": "hello?"})
    again = await customer2.wait_for(ack_for("c2-a"))
    await agent.send({"type": "message", "conversation_id": first, "client_msg_id": "bob-a", "text": "Hi, Bob here"})
    agent_ack = await agent.wait_for(ack_for("bob-a"))
    assert not again["duplicate"] and not agent_ack["duplicate"]
    assert agent_ack["seq"] == held_ack["seq"] + 1

    delivered = await customer1.wait_for(lambda f: f["type"] == "message" and f["message"]["seq"] == agent_ack["seq"])
    assert delivered["message"]["client_msg_id"] == "bob-a"
    seqs = [m["seq"] for m in customer1.messages()]
    assert seqs == sorted(set(seqs)), seqs  # each once, in order
    assert [m["client_msg_id"] for m in customer1.messages()].count("bob-a") == 1
    assert [m["client_msg_id"] for m in customer2.messages()].count("c2-a") == 1
    for socket in (customer1, customer2, agent):
        await socket.close()


async def test_a_message_refused_for_overload_is_not_stored(app: InProcessApp, monkeypatch: pytest.MonkeyPatch) -> None:
    _, customer = await assigned_to_bob(app)
    monkeypatch.setattr(app.rt.writer, "max_in_flight", 0)
    await customer.send({"type": "message", "client_msg_id": "x-1", "text": "anyone?"})
    refused = await customer.wait_for(error_for("x-1"))
    assert refused["code"] == "overloaded"
    monkeypatch.setattr(app.rt.writer, "max_in_flight", writes.MAX_IN_FLIGHT)
    await customer.send({"type": "message", "client_msg_id": "x-1", "text": "anyone?"})
    ack = await customer.wait_for(ack_for("x-1"))
    assert ack["duplicate"] is False  # the refused send stored nothing
    await customer.close()
