"""The supervisors' dashboard on the real stack (Rasa, the action server, the app): three customers talk
to the real assistant (one asks for a person, bob takes the chat, answers, uses the assistant's
suggestion, closes it and the customer rates it; one is answered by the bot alone; one writes in
Hebrew), and the dashboard's figures for them are what they must be. The app here is an instance of
its own, on a database of its own (the suite's Rasa and action server), so every figure is exact:
the shared database holds every other test's conversations. The times are checked against the
stored timestamps, read from that database file."""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.clients import Agent, Customer
from devstack.stack import Stack, app_service, free_port
from handoff.dashboard import export


@pytest.fixture(scope="module")
def dashboard_app(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(URL, database file) of an app instance nobody else writes to."""
    port = free_port()
    db = tmp_path_factory.mktemp("dashboard") / "dashboard.db"
    app = app_service(stack.config, port=port, database_url=f"sqlite+aiosqlite:///{db}", name="app-dashboard")
    app.start()
    try:
        app.wait_healthy()
        yield f"http://127.0.0.1:{port}", db
    finally:
        app.stop()


def _stored(db: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute(sql, args))


def _instant(stored: str) -> datetime:
    """A timestamp as SQLite keeps it (naive UTC text)."""
    return datetime.fromisoformat(stored).replace(tzinfo=UTC)


async def _headers(url: str, agent_id: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=url) as http:
        login = await http.post("/api/agent/login", json={"agent_id": agent_id, "password": f"{agent_id}-demo"})
        login.raise_for_status()
        return {"Authorization": f"Bearer {login.json()['token']}"}


async def _handed_off_answered_closed_rated(url: str) -> Customer:
    bob = await Agent(url, "bob", "bob-demo").login()
    customer = await Customer(url).start()
    await customer.say("I want to talk to a person")
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued")
    assert (await bob.claim(customer.conversation_id))["type"] == "claimed"
    assert (await bob.say(customer.conversation_id, "Hi, Bob here. How can I help?"))["type"] == "ack"
    # Written while bob has the chat: the assistant suggests, and bob sends its suggestion.
    start = len(bob.ws.frames)
    assert (await customer.say("where is my order 10007?"))["type"] == "ack"
    shown = await bob.ws.wait_for(lambda f: f["type"] == "suggestion"
                                  and f["conversation_id"] == customer.conversation_id, start=start)
    await bob.ws.send({"type": "suggestion", "conversation_id": customer.conversation_id,
                       "suggestion_id": shown["suggestion"]["id"], "outcome": "sent"})
    decided = await bob.ws.wait_for(lambda f: f["type"] in ("suggestion_decided", "error"), start=start)
    assert decided.get("recorded") is True, decided
    assert (await bob.close_conversation(customer.conversation_id))["type"] == "state"
    async with httpx.AsyncClient(base_url=url) as http:
        rated = await http.post(f"/api/widget/conversations/{customer.conversation_id}/rating", json={"score": 5},
                                headers={"X-Conversation-Token": customer.token})
        assert rated.status_code == 201, rated.text
    await bob.ws.close()
    return customer


async def _times(db: Path, conversation_id: str) -> tuple[float, float, float]:
    """(waiting, first response, resolution) in seconds, from the stored timestamps."""
    rows = await asyncio.to_thread(_stored, db, "SELECT queued_at, assigned_at, closed_at FROM conversations "
                                   "WHERE id = ?", conversation_id)
    queued, assigned, closed = (_instant(value) for value in rows[0])
    agent = await asyncio.to_thread(_stored, db, "SELECT created_at FROM messages WHERE conversation_id = ? "
                                    "AND sender = 'agent' ORDER BY seq", conversation_id)
    first = min(_instant(value) for (value,) in agent)
    waiting, first_response, resolution = (round((moment - queued).total_seconds(), 1)
                                           for moment in (assigned, first, closed))
    return waiting, first_response, resolution


async def test_the_figures_of_conversations_through_the_real_stack(dashboard_app: tuple[str, Path]) -> None:
    url, db = dashboard_app
    before = datetime.now(UTC).date()
    handed = await _handed_off_answered_closed_rated(url)
    alone = await Customer(url).start()
    assert await alone.ask("hello")
    hebrew = await Customer(url).start(locale="he")
    assert await hebrew.ask("שלום")
    for socket in (handed.ws, alone.ws, hebrew.ws):
        await socket.close()

    alice = await _headers(url, "alice")
    async with httpx.AsyncClient(base_url=url, headers=alice) as http:
        resp = await http.get("/api/dashboard")
        assert resp.status_code == 200, resp.text
        board = resp.json()
        exported = await http.get("/api/dashboard.csv")
        hebrew_only = (await http.get("/api/dashboard", params={"language": "he"})).json()
    # The default range: the last 7 days up to the day of the timestamps (not the shop's policy day).
    assert board["end"] in {before.isoformat(), datetime.now(UTC).date().isoformat()} and len(board["days"]) == 7

    totals = board["totals"]
    assert (totals["conversations"], totals["contained"], totals["handed_off"]) == (3, 2, 1)
    assert (totals["containment_rate"], totals["handoff_rate"]) == (0.6667, 0.3333)
    assert (totals["assigned"], totals["closed"]) == (1, 1)
    assert [(r["reason"], r["count"], r["rate"]) for r in board["handoff_reasons"]] == [
        ("customer_request", 1, 0.3333)]
    waiting, first_response, resolution = await _times(db, handed.conversation_id)
    assert 0 <= waiting <= first_response <= resolution  # taken, then answered, then closed
    for name, seconds in (("waiting", waiting), ("first_response", first_response), ("resolution", resolution)):
        assert totals[name] == {"count": 1, "p50_s": seconds, "p90_s": seconds, "mean_s": seconds}, name
    assert board["csat"]["rated"] == 1 and board["csat"]["average"] == 5.0
    assert [s["count"] for s in board["csat"]["distribution"]] == [0, 0, 0, 0, 1]
    assert (board["assist"]["suggestions"], board["assist"]["sent"], board["assist"]["used_rate"]) == (1, 1, 1.0)

    # Customer messages per hour of the day, as the customers' own histories date them.
    written = [m["created_at"] for c in (handed, alone, hebrew) for m in await c.history()
               if m["sender"] == "customer"]
    assert totals["customer_messages"] == len(written) == 4
    hours = Counter(datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(UTC).hour for at in written)
    assert {h["hour"]: h["customer_messages"] for h in board["busiest_hours"] if h["customer_messages"]} == hours
    assert sum(d["conversations"] for d in board["days"]) == 3
    assert [(row["language"], row["conversations"], row["handed_off"]) for row in board["languages"]] == [
        ("en", 2, 1), ("id", 0, 0), ("he", 1, 0)]
    assert (hebrew_only["totals"]["conversations"], hebrew_only["totals"]["containment_rate"]) == (1, 1.0)

    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert tuple(rows[0]) == export.COLUMNS and len(rows) == 1 + 7 + 3
    assert (rows[0]["conversations"], rows[0]["handed_off"], rows[0]["waiting_p50_s"]) == ("3", "1", str(waiting))


async def test_only_supervisors_and_admins_and_bounded_ranges(dashboard_app: tuple[str, Path]) -> None:
    url, _ = dashboard_app
    async with httpx.AsyncClient(base_url=url) as http:
        for path in ("/api/dashboard", "/api/dashboard.csv"):
            assert (await http.get(path)).status_code == 401
            assert (await http.get(path, headers=await _headers(url, "bob"))).status_code == 403
            assert (await http.get(path, headers=await _headers(url, "dana"))).status_code == 200
        alice = await _headers(url, "alice")
        for params in ({"from": "2026-12-02", "to": "2026-12-01"}, {"from": "2024-01-01", "to": "2026-01-01"},
                       {"from": "not-a-date"}, {"language": "xx"}):
            assert (await http.get("/api/dashboard", params=params, headers=alice)).status_code == 422, params
        schema = (await http.get("/openapi.json")).json()
    for path in ("/api/dashboard", "/api/dashboard.csv"):
        assert {"200", "401", "403", "422"} <= set(schema["paths"][path]["get"]["responses"]), path
    assert set(schema["paths"]["/api/dashboard.csv"]["get"]["responses"]["200"]["content"]) == {"text/csv"}
