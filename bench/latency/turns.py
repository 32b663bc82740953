"""Bot turns, timed the same way by every bench that needs them (latency, handoff, idle): a stack of
the bench's own, a customer's turn through the app timed to the `turn` frame that ends it, and the
same message posted straight to Rasa's REST channel (the baseline)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from bench.report import percentile, venvs
from devstack.clients import Customer
from devstack.faults.processes import NO_RATE_LIMITS
from devstack.stack import Stack, StackConfig, free_port

OPEN_PARALLEL = 16
# Messages the bot answers and the conversation stays with the bot (no handoff), by what they cost.
MESSAGES = {
    "response": "hello there",  # a response from the domain: no action server
    "action": "which payment methods do you accept?",  # a custom action that calls the shop API
}


def bench_stack(model: Path, work: Path, app_env: dict[str, str] | None = None) -> Stack:
    """The whole stack on free ports, its databases in `work` (the app's in SQLite, Rasa's trackers in
    a SQLite file of its own), with the product's limits on client rates lifted: every client of a
    bench comes from one address and talks far faster than a person."""
    app_venv, bot_venv = venvs()
    return Stack(StackConfig(
        model=model, app_venv=app_venv, bot_venv=bot_venv, log_dir=work / "logs",
        database_url=f"sqlite+aiosqlite:///{work}/app.db", app_port=free_port(), rasa_port=free_port(),
        actions_port=free_port(), rasa_env={"RASA_TRACKER_DB": str(work / "rasa-trackers.db")},
        app_env={"SHOPBOT_TODAY": "as_of", "SHOPBOT_DEMO_MODE": "true", "SHOPBOT_SUPPORT_HOURS": "always",
                 **NO_RATE_LIMITS, **(app_env or {})}))


def ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def summary(ms: list[float]) -> dict[str, Any]:
    if not ms:
        return {"n": 0, "p50_ms": None, "p99_ms": None}
    return {"n": len(ms), "p50_ms": round(percentile(ms, 0.5), 1), "p99_ms": round(percentile(ms, 0.99), 1)}


async def open_customers(base_url: str, n: int) -> list[Customer]:
    """n conversations with the bot, each with its widget socket open (hello received)."""
    gate = asyncio.Semaphore(OPEN_PARALLEL)

    async def one() -> Customer:
        async with gate:
            return await Customer(base_url).start()

    return list(await asyncio.gather(*(one() for _ in range(n))))


async def app_turn(customer: Customer, text: str, timeout: float = 60.0) -> float:
    """One turn through the app: from sending the message to the `turn` frame (`done`) for its seq."""
    started = time.perf_counter()
    await customer.ask(text, timeout)
    return ms_since(started)


async def rasa_turn(http: httpx.AsyncClient, sender: str, text: str) -> float:
    """The same message straight to Rasa's REST channel: its answer holds every reply of the turn."""
    started = time.perf_counter()
    resp = await http.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
    resp.raise_for_status()
    return ms_since(started)


async def closed_loops(clients: int, turns_each: int, turn: Callable[[int], Awaitable[float | None]],
                       firsts: list[float] | None = None) -> list[float]:
    """`clients` loops at once, each taking its next turn as soon as the last one ended (a turn timed
    None is left out); with `firsts`, each loop's first turn goes there instead: they all start in the
    same instant, a burst no steady stream of customers makes."""
    times: list[float] = []

    async def loop(i: int) -> None:
        for k in range(turns_each):
            ms = await turn(i)
            if ms is not None:
                (firsts if k == 0 and firsts is not None else times).append(ms)

    await asyncio.gather(*(loop(i) for i in range(clients)))
    return times


async def app_turns(customers: list[Customer], text: str, turns_each: int,
                    failures: list[str] | None = None, firsts: list[float] | None = None) -> list[float]:
    """Each customer's closed loop; with `failures`, a turn the bot did not take is noted there, its
    conversation replaced by a fresh one (in `customers`), and its time left out; with `firsts`, as
    closed_loops."""
    async def turn(i: int) -> float | None:
        try:
            return await app_turn(customers[i], text)
        except AssertionError as exc:  # handed off (e.g. bot_unavailable), or no `turn` frame in time
            if failures is None:
                raise
            failures.append(str(exc)[:160])
            await customers[i].ws.close()
            customers[i] = await Customer(customers[i].base_url).start()
            return None

    return await closed_loops(len(customers), turns_each, turn, firsts)


async def rasa_turns(http: httpx.AsyncClient, senders: list[str], text: str, turns_each: int,
                     firsts: list[float] | None = None) -> list[float]:
    return await closed_loops(len(senders), turns_each, lambda i: rasa_turn(http, senders[i], text), firsts)


def senders(n: int) -> list[str]:
    """Conversation ids for Rasa alone, as the app's are (a tracker each)."""
    return [uuid.uuid4().hex for _ in range(n)]


async def close_customers(customers: list[Customer]) -> None:
    await asyncio.gather(*(c.ws.close() for c in customers), return_exceptions=True)
