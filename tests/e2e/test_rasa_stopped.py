"""Rasa stopped (SIGSTOP: the process is there, its sockets accept, nothing answers) while a
customer writes: the customer's socket keeps answering pings throughout, and they are queued for a
person within 10 s. Runs on an app instance of its own with a 3 s Rasa timeout, against the
suite's real Rasa process, which is continued afterwards and must answer again."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator

import pytest

from devstack.clients import Customer
from devstack.stack import Stack
from tests.conftest import NO_RATE_LIMITS, extra_app


@pytest.fixture(scope="module")
def quick_timeout_url(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from extra_app(stack, tmp_path_factory, "rasa-stopped", {
        "SHOPBOT_RASA_TIMEOUT_S": "3", "SHOPBOT_RASA_OPEN_FOR_S": "30", "SHOPBOT_SUPPORT_HOURS": "always",
        **NO_RATE_LIMITS})


async def test_a_stopped_rasa_queues_the_customer_and_pings_go_on(quick_timeout_url: str, stack: Stack) -> None:
    customer = await Customer(quick_timeout_url).start()
    assert stack.rasa.process is not None
    group = os.getpgid(stack.rasa.process.pid)
    os.killpg(group, signal.SIGSTOP)
    try:
        acked = await customer.say("where is my order?")
        assert acked["type"] == "ack"

        async def queued() -> None:
            await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued", timeout=10)

        waiting = asyncio.create_task(queued())
        pongs = 0
        while not waiting.done():  # a ping at a time, each answered, until the customer is queued
            start = len(customer.ws.frames)
            await customer.ws.send({"type": "ping"})
            await customer.ws.wait_for(lambda f: f["type"] == "pong", start=start, timeout=2)
            pongs += 1
            await asyncio.wait([waiting], timeout=0.2)  # the next ping goes out 0.2 s later
        await waiting  # raises if the customer was not queued within 10 s
        assert pongs >= 3  # the socket answered all the while Rasa was away
        state = next(f for f in customer.ws.frames if f["type"] == "state" and f["state"] == "queued")
        assert state["reason"] == "bot_unavailable"
    finally:
        os.killpg(group, signal.SIGCONT)
    # Rasa is back for the rest of the suite.
    await asyncio.to_thread(stack.rasa.wait_healthy, 60.0)
    await customer.ws.close()
