"""A crash between the ack and the bot's answer: the customer's message is acknowledged while Rasa
is stopped (SIGSTOP), the app process is killed with SIGKILL, Rasa continues, the app starts again
on the same database: the turn is answered (or queued for a person) without the customer writing
again, and the message is stored once (handoff/conversations/outbox.py)."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator

import pytest

from devstack.clients import Customer
from devstack.stack import Service, Stack, app_service, free_port
from tests.conftest import NO_RATE_LIMITS


@pytest.fixture(scope="module")
def crashing_app(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """An app instance of its own: a short turn lease (abandoned turns are taken over after 3 s) and
    a Rasa timeout far longer than the test, so only the crash can end the first turn."""
    db = tmp_path_factory.mktemp("crash") / "crash.db"
    service = app_service(stack.config, port=free_port(), database_url=f"sqlite+aiosqlite:///{db}",
                          name="app-crash", env={"SHOPBOT_TURN_LEASE_S": "3", "SHOPBOT_SWEEP_INTERVAL_S": "0.5",
                                                 "SHOPBOT_RASA_TIMEOUT_S": "120", "SHOPBOT_SUPPORT_HOURS": "always",
                                                 **NO_RATE_LIMITS})
    service.start()
    try:
        service.wait_healthy()
        yield service
    finally:
        service.stop()


def _kill_9(service: Service) -> None:
    assert service.process is not None
    os.killpg(service.process.pid, signal.SIGKILL)
    service.process.wait()


async def test_a_turn_cut_off_by_a_crash_is_answered_after_the_restart(crashing_app: Service, stack: Stack) -> None:
    url = crashing_app.health_url.removesuffix("/healthz")
    customer = await Customer(url).start()
    assert await customer.ask("hi")  # the bot answers normally

    assert stack.rasa.process is not None
    rasa = os.getpgid(stack.rasa.process.pid)
    os.killpg(rasa, signal.SIGSTOP)
    try:
        ack = await customer.say("where is my order?")
        assert ack["type"] == "ack"
        seq = ack["seq"]
        await customer.ws.wait_for(lambda f: f["type"] == "turn" and f["state"] == "started" and f["seq"] == seq)
        _kill_9(crashing_app)  # inside the turn: Rasa has the request and will never answer this process
        crashed_at = time.monotonic()
    finally:
        os.killpg(rasa, signal.SIGCONT)
    await asyncio.to_thread(stack.rasa.wait_healthy, 60.0)

    crashing_app.start()  # the same port and database
    await asyncio.to_thread(crashing_app.wait_healthy, 60.0)
    socket = await customer.connect(last_seq=seq)
    answer = await socket.wait_for(
        lambda f: (f["type"] == "message" and f["message"]["sender"] in ("bot", "system") and f["message"]["seq"] > seq)
        or (f["type"] == "state" and f["state"] in ("queued", "ticket")), timeout=30)
    recovered_s = time.monotonic() - crashed_at
    assert answer["type"] == "message", answer  # Rasa is back: the bot itself answers
    history = await customer.history()
    mine = [m for m in history if m["sender"] == "customer" and m["text"] == "where is my order?"]
    assert len(mine) == 1, history  # stored once, answered once
    assert recovered_s < 60, recovered_s
    await socket.close()
