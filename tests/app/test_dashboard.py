"""The supervisors' dashboard in process (a fake bot behind the Bot port): conversations made through
the app's own sockets and HTTP (the bot answering alone, handoffs with known reasons, claims, replies,
suggestions used and ignored, closes, ratings), their times then pinned to known minutes (the clock's
timestamps are real), and the figures checked against what they must be by hand. Who may see them,
the ranges refused, and the CSV. Every test runs on SQLite and on PostgreSQL: the queries must mean
the same on both."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import update

from handoff.conversations.models import Conversation, HandoffContext, Message
from handoff.dashboard import export
from handoff.dashboard.figures import percentile
from handoff.review import flows as review_flows
from tests.app.conftest import InProcessApp, running, settings_for
from tests.app.sockets import AppSocket

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"

DAY_1, DAY_2 = date(2026, 11, 2), date(2026, 11, 3)
RANGE = {"from": DAY_1.isoformat(), "to": DAY_2.isoformat()}


@pytest.fixture(params=["sqlite", "postgresql"])
async def app(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[InProcessApp]:
    """The in-process app as tests/app/conftest.py makes it, on SQLite, then on a PostgreSQL database
    of its own."""
    settings, dbname = settings_for(tmp_path), None
    if request.param == "postgresql":
        dbname = f"shopbot_dashboard_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
        settings = settings.model_copy(
            update={"database_url": f"postgresql+psycopg://postgres@127.0.0.1:5432/{dbname}"})
    try:
        async with running(settings) as app:
            yield app
    finally:
        if dbname:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE "{dbname}" WITH (FORCE)')


def at(day: date, hh_mm: str) -> datetime:
    hours, minutes = map(int, hh_mm.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=UTC)


async def _token(app: InProcessApp, agent_id: str) -> str:
    login = await app.http.post("/api/agent/login", json={"agent_id": agent_id, "password": f"{agent_id}-demo"})
    login.raise_for_status()
    return str(login.json()["token"])


async def _headers(app: InProcessApp, agent_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {await _token(app, agent_id)}"}


@dataclass
class Chat:
    """A conversation as the test drives it: its sockets, and the seq of each message it wrote."""

    id: str
    token: str
    customer: AppSocket
    said: list[int] = field(default_factory=list)  # the customer's messages, in order
    answered: list[int] = field(default_factory=list)  # the agent's


async def _chat(app: InProcessApp, locale: str = "en") -> Chat:
    cid, token = await app.start_conversation(locale)
    return Chat(cid, token, await app.customer_socket(cid, token))


async def _say(chat: Chat, text: str) -> int:
    msg_id = uuid.uuid4().hex
    start = len(chat.customer.frames)
    await chat.customer.send({"type": "message", "client_msg_id": msg_id, "text": text})
    ack = await chat.customer.wait_for(lambda f: f["type"] == "ack" and f["client_msg_id"] == msg_id, start=start)
    chat.said.append(int(ack["seq"]))
    return int(ack["seq"])


async def _to_bot(chat: Chat, text: str) -> None:
    """A customer message the bot answers (or hands off): until its turn is done."""
    seq = await _say(chat, text)
    await chat.customer.wait_for(lambda f: f["type"] == "turn" and f["state"] == "done" and f["seq"] == seq)


async def _handed_off(app: InProcessApp, chat: Chat, text: str, reason: str) -> None:
    app.bot.replies = [{"custom": {"handoff": {"reason": reason, "note": "test"}}}]
    try:
        await _to_bot(chat, text)
    finally:
        app.bot.replies = [{"text": "Hello! How can I help?"}]
    await chat.customer.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued")


class Console:
    """An agent's socket, as the console uses it."""

    def __init__(self, app: InProcessApp, token: str) -> None:
        self.ws = AppSocket(app.app, "/ws/agent", token=token)

    async def ask(self, frame: dict[str, Any], answer: str) -> dict[str, Any]:
        start = len(self.ws.frames)
        await self.ws.send(frame)
        return await self.ws.wait_for(lambda f: f["type"] in (answer, "error"), start=start)

    async def claim(self, chat: Chat) -> None:
        assert (await self.ask({"type": "claim", "conversation_id": chat.id}, "claimed"))["type"] == "claimed"

    async def reply(self, chat: Chat, text: str) -> None:
        ack = await self.ask({"type": "message", "conversation_id": chat.id, "client_msg_id": uuid.uuid4().hex,
                              "text": text}, "ack")
        chat.answered.append(int(ack["seq"]))

    async def suggestion_for(self, chat: Chat, text: str, outcome: str) -> None:
        """The customer writes while the agent has the chat; the agent answers the assistant's suggestion."""
        start = len(self.ws.frames)
        seq = await _say(chat, text)
        shown = await self.ws.wait_for(lambda f: f["type"] == "suggestion" and f["suggestion"]["seq"] == seq
                                       and f["conversation_id"] == chat.id, start=start)
        decided = await self.ask({"type": "suggestion", "conversation_id": chat.id,
                                  "suggestion_id": shown["suggestion"]["id"], "outcome": outcome},
                                 "suggestion_decided")
        assert decided.get("recorded") is True, decided

    async def close(self, chat: Chat) -> None:
        start = len(chat.customer.frames)
        await self.ws.send({"type": "close", "conversation_id": chat.id})
        await chat.customer.wait_for(lambda f: f["type"] == "state" and f["state"] == "closed", start=start)


async def _rate(app: InProcessApp, chat: Chat, score: int) -> None:
    resp = await app.http.post(f"/api/widget/conversations/{chat.id}/rating", json={"score": score},
                               headers={"X-Conversation-Token": chat.token})
    assert resp.status_code == 201, resp.text


async def _pin(app: InProcessApp, chat: Chat, created: datetime, said: list[datetime],
               answered: list[datetime] | None = None, handoff: datetime | None = None,
               assigned: datetime | None = None, closed: datetime | None = None) -> None:
    """Moves the conversation's times to the given minutes: its start, the customer's and the agent's
    messages (in order), the handoff (and its context), the assignment and the close."""
    answered = answered or []
    assert len(said) == len(chat.said) and len(answered) == len(chat.answered)
    values: dict[str, datetime] = {"created_at": created}
    for name, moment in (("queued_at", handoff), ("assigned_at", assigned), ("closed_at", closed)):
        if moment is not None:
            values[name] = moment
    async with app.rt.sessions() as session:
        await session.execute(update(Conversation).where(Conversation.id == chat.id).values(**values))
        if handoff is not None:
            await session.execute(update(HandoffContext).where(HandoffContext.conversation_id == chat.id)
                                  .values(created_at=handoff))
        for seq, moment in [*zip(chat.said, said, strict=True), *zip(chat.answered, answered, strict=True)]:
            await session.execute(update(Message).where(Message.conversation_id == chat.id, Message.seq == seq)
                                  .values(created_at=moment))
        await session.commit()


async def _known_conversations(app: InProcessApp) -> None:
    """Five counted conversations on two days, one not counted (no customer message), one the day after:

    A (en, day 1): the bot answers alone.
    B (en, day 1): customer_request; bob waits 2 min to take it, answers 3 min after the handoff, a
       suggestion sent as it was, closes 10 min after the handoff; rated 5.
    C (en, day 2): damaged_item; taken after 10 min, answered after 20, a suggestion ignored, closed
       after 40; rated 2.
    D (he, day 2): customer_request, still waiting.
    E (en, day 2): the bot alone, on three messages it fell back on or was unsure about.
    F (he, day 1): opened, never written in.  G (en, the day after day 2): customer_request.
    """
    app.bot.readings = {"blorp zzz": ("nlu_fallback", 0.9), "parcel qqq": ("order_status", 0.3),
                        "weather tomorrow?": ("out_of_scope", 0.8)}
    bob = Console(app, await _token(app, "bob"))
    await bob.ws.wait_for(lambda f: f["type"] == "queue")

    a = await _chat(app)
    await _to_bot(a, "hello")
    await _pin(app, a, at(DAY_1, "09:00"), [at(DAY_1, "09:10")])

    b = await _chat(app)
    await _handed_off(app, b, "I want a person", "customer_request")
    await bob.claim(b)
    await bob.reply(b, "Hi, Bob here.")
    await bob.suggestion_for(b, "where is my order", "sent")
    await bob.close(b)
    await _rate(app, b, 5)
    await _pin(app, b, at(DAY_1, "10:00"), [at(DAY_1, "10:01"), at(DAY_1, "10:06")], [at(DAY_1, "10:05")],
               handoff=at(DAY_1, "10:02"), assigned=at(DAY_1, "10:04"), closed=at(DAY_1, "10:12"))

    c = await _chat(app)
    await _handed_off(app, c, "my mug arrived broken", "damaged_item")
    await bob.claim(c)
    await bob.reply(c, "Sorry to hear that.")
    await bob.suggestion_for(c, "still there?", "ignored")
    await bob.close(c)
    await _pin(app, c, at(DAY_2, "14:00"), [at(DAY_2, "14:01"), at(DAY_2, "14:30")], [at(DAY_2, "14:22")],
               handoff=at(DAY_2, "14:02"), assigned=at(DAY_2, "14:12"), closed=at(DAY_2, "14:42"))
    await _rate(app, c, 2)  # low: its bot turns go to the review inbox too (not as fallbacks)

    d = await _chat(app, "he")
    await _handed_off(app, d, "אני רוצה לדבר עם נציג", "customer_request")
    await _pin(app, d, at(DAY_2, "08:00"), [at(DAY_2, "08:30")], handoff=at(DAY_2, "08:31"))

    e = await _chat(app)
    for text in ("blorp zzz", "parcel qqq", "weather tomorrow?"):
        await _to_bot(e, text)
    await _pin(app, e, at(DAY_2, "20:00"), [at(DAY_2, "20:01"), at(DAY_2, "20:02"), at(DAY_2, "20:03")])

    f = await _chat(app, "he")
    await _pin(app, f, at(DAY_1, "11:00"), [])

    g = await _chat(app)
    await _handed_off(app, g, "a person please", "customer_request")
    day_3 = DAY_2 + timedelta(days=1)
    await _pin(app, g, at(day_3, "12:00"), [at(day_3, "12:01")], handoff=at(day_3, "12:02"))

    await review_flows.settled()
    for socket in (a.customer, b.customer, c.customer, d.customer, e.customer, f.customer, g.customer, bob.ws):
        await socket.close()


async def _dashboard(app: InProcessApp, who: str = "alice", **params: str) -> dict[str, Any]:
    resp = await app.http.get("/api/dashboard", params=params, headers=await _headers(app, who))
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def _durations(figure: dict[str, Any]) -> tuple[Any, ...]:
    return figure["count"], figure["p50_s"], figure["p90_s"], figure["mean_s"]


async def test_the_figures_of_known_conversations(app: InProcessApp) -> None:
    await _known_conversations(app)
    board = await _dashboard(app, **RANGE)
    totals = board["totals"]
    assert (board["start"], board["end"], board["language"]) == ("2026-11-02", "2026-11-03", None)
    assert (totals["conversations"], totals["contained"], totals["handed_off"]) == (5, 2, 3)  # A, E; B, C, D
    assert (totals["containment_rate"], totals["handoff_rate"]) == (0.4, 0.6)
    assert (totals["assigned"], totals["closed"], totals["customer_messages"]) == (2, 2, 9)
    assert _durations(totals["waiting"]) == (2, 120.0, 600.0, 360.0)
    assert _durations(totals["first_response"]) == (2, 180.0, 1200.0, 690.0)
    assert _durations(totals["resolution"]) == (2, 600.0, 2400.0, 1500.0)
    assert (totals["rated"], totals["csat_average"]) == (2, 3.5)
    assert (totals["suggestions"], totals["suggestions_used"]) == (2, 1)

    assert [(r["reason"], r["count"], r["rate"]) for r in board["handoff_reasons"]] == [
        ("customer_request", 2, 0.4), ("damaged_item", 1, 0.2)]
    assert board["handoff_reasons"][1]["label"] == "Item arrived damaged"
    assert board["csat"] == {"rated": 2, "average": 3.5, "satisfied_rate": 0.5, "distribution": [
        {"score": 1, "count": 0}, {"score": 2, "count": 1}, {"score": 3, "count": 0}, {"score": 4, "count": 0},
        {"score": 5, "count": 1}]}
    hours = {h["hour"]: h["customer_messages"] for h in board["busiest_hours"] if h["customer_messages"]}
    assert len(board["busiest_hours"]) == 24 and hours == {8: 1, 9: 1, 10: 2, 14: 2, 20: 3}
    # nlu_fallback counts under the model's own guess (the runner-up); C's low rating put its messages
    # in the inbox too, but they are no fallbacks.
    assert board["fallback_intents"] == [
        {"intent": "order_status", "fallback": 1, "low_confidence": 1, "total": 2},
        {"intent": "out_of_scope", "fallback": 1, "low_confidence": 0, "total": 1}]
    assert board["assist"] == {"suggestions": 2, "sent": 1, "edited": 0, "tool": 0, "ignored": 1, "undecided": 0,
                               "used": 1, "used_rate": 0.5}

    days = {d["day"]: d for d in board["days"]}
    assert list(days) == ["2026-11-02", "2026-11-03"]
    assert [(d["conversations"], d["contained"], d["handed_off"]) for d in days.values()] == [(2, 1, 1), (3, 1, 2)]
    assert _durations(days["2026-11-02"]["waiting"]) == (1, 120.0, 120.0, 120.0)
    assert days["2026-11-03"]["csat_average"] == 2.0
    languages = {row["language"]: row for row in board["languages"]}
    assert [(code, row["conversations"], row["handed_off"]) for code, row in languages.items()] == [
        ("en", 4, 2), ("id", 0, 0), ("he", 1, 1)]
    assert languages["he"]["containment_rate"] == 0.0 and languages["id"]["containment_rate"] is None


async def test_a_language_and_a_range(app: InProcessApp) -> None:
    await _known_conversations(app)
    hebrew = await _dashboard(app, language="he", **RANGE)
    assert hebrew["language"] == "he" and [row["language"] for row in hebrew["languages"]] == ["he"]
    assert (hebrew["totals"]["conversations"], hebrew["totals"]["handed_off"]) == (1, 1)
    assert hebrew["totals"]["waiting"]["count"] == 0 and hebrew["totals"]["waiting"]["p50_s"] is None
    assert [(r["reason"], r["rate"]) for r in hebrew["handoff_reasons"]] == [("customer_request", 1.0)]
    # One more day takes G in; the first day alone only A and B.
    longer = await _dashboard(app, **{**RANGE, "to": (DAY_2 + timedelta(days=1)).isoformat()})
    assert (longer["totals"]["conversations"], longer["handoff_reasons"][0]["count"]) == (6, 3)
    assert len(longer["days"]) == 3
    first = await _dashboard(app, **{"from": DAY_1.isoformat(), "to": DAY_1.isoformat()})
    assert (first["totals"]["conversations"], first["totals"]["csat_average"]) == (2, 5.0)
    # The admin sees the same figures.
    assert (await _dashboard(app, "dana", **RANGE))["totals"] == (await _dashboard(app, **RANGE))["totals"]


async def test_a_conversation_handed_back_and_off_again_counts_its_latest_handoff(app: InProcessApp) -> None:
    """Taken and answered after its first handoff, handed back to the bot, then handed off again (for
    another reason) and waiting: its reason is the latest, and nothing is measured yet for that handoff."""
    bob = Console(app, await _token(app, "bob"))
    await bob.ws.wait_for(lambda f: f["type"] == "queue")
    chat = await _chat(app)
    await _handed_off(app, chat, "a person please", "customer_request")
    await bob.claim(chat)
    await bob.reply(chat, "Hi, Bob here.")
    start = len(chat.customer.frames)
    await bob.ws.send({"type": "handback", "conversation_id": chat.id})
    await chat.customer.wait_for(lambda f: f["type"] == "state" and f["state"] == "bot", start=start)
    await _handed_off(app, chat, "my parcel never came", "not_received")
    await _pin(app, chat, at(DAY_1, "10:00"), [at(DAY_1, "10:01"), at(DAY_1, "10:20")], [at(DAY_1, "10:05")],
               handoff=at(DAY_1, "10:21"), assigned=at(DAY_1, "10:04"))
    for socket in (chat.customer, bob.ws):
        await socket.close()
    totals = (board := await _dashboard(app, **RANGE))["totals"]
    assert (totals["conversations"], totals["contained"], totals["handed_off"], totals["assigned"]) == (1, 0, 1, 0)
    assert totals["waiting"]["count"] == totals["first_response"]["count"] == 0
    assert [(r["reason"], r["count"]) for r in board["handoff_reasons"]] == [("not_received", 1)]


async def test_the_default_range_is_the_last_seven_days_of_the_clocks_timestamps(app: InProcessApp) -> None:
    chat = await _chat(app)
    await _to_bot(chat, "hello")
    await chat.customer.close()
    today = app.rt.clock.now().date()
    board = await _dashboard(app)
    assert (board["start"], board["end"]) == ((today - timedelta(days=6)).isoformat(), today.isoformat())
    assert [d["day"] for d in board["days"]] == [(today - timedelta(days=n)).isoformat() for n in range(6, -1, -1)]
    assert board["totals"]["conversations"] == 1 and board["days"][-1]["contained"] == 1
    only_from = await _dashboard(app, **{"from": (today - timedelta(days=1)).isoformat()})
    assert (only_from["end"], len(only_from["days"])) == (today.isoformat(), 2)


async def test_only_supervisors_and_admins(app: InProcessApp) -> None:
    for path in ("/api/dashboard", "/api/dashboard.csv"):
        assert (await app.http.get(path)).status_code == 401, path
        assert (await app.http.get(path, headers={"Authorization": "Bearer forged"})).status_code == 401, path
        refused = await app.http.get(path, headers=await _headers(app, "bob"))
        assert refused.status_code == 403, path
        assert refused.json()["detail"] == "supervisors and admins only"
        for who in ("alice", "dana"):
            assert (await app.http.get(path, headers=await _headers(app, who))).status_code == 200, (path, who)


async def test_bad_ranges_are_refused(app: InProcessApp) -> None:
    alice = await _headers(app, "alice")
    for params in ({"from": "2026-11-05", "to": "2026-11-04"},  # reversed
                   {"from": "2025-11-01", "to": "2026-11-02"},  # 367 days
                   {"from": "2026-13-01"}, {"to": "yesterday"}, {"from": "2026-11-02T10:00:00"},
                   {"from": "1999-12-31", "to": "2000-01-01"}, {"from": "9999-12-31", "to": "9999-12-31"},
                   {"to": "0001-01-01"}, {"from": "9999-12-31"}, {"to": "2000-01-03"},
                   {"language": "fr"}, {"language": "en "}, {"language": ""}):
        for path in ("/api/dashboard", "/api/dashboard.csv"):
            resp = await app.http.get(path, params=params, headers=alice)
            assert resp.status_code == 422, (path, params, resp.text)
    full_year = await app.http.get("/api/dashboard", params={"from": "2025-11-02", "to": "2026-11-02"}, headers=alice)
    assert full_year.status_code == 200 and len(full_year.json()["days"]) == 366


async def test_the_csv_has_a_row_for_the_range_each_day_and_each_language(app: InProcessApp) -> None:
    await _known_conversations(app)
    resp = await app.http.get("/api/dashboard.csv", params=RANGE, headers=await _headers(app, "alice"))
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    assert resp.headers["content-disposition"] == 'attachment; filename="dashboard-2026-11-02-2026-11-03.csv"'
    reader = csv.DictReader(io.StringIO(resp.text))
    assert tuple(reader.fieldnames or ()) == export.COLUMNS
    rows = [(r["scope"], r["key"], r["conversations"], r["handed_off"], r["waiting_p50_s"], r["csat_average"])
            for r in reader]
    assert rows == [("total", "2026-11-02..2026-11-03", "5", "3", "120.0", "3.5"),
                    ("day", "2026-11-02", "2", "1", "120.0", "5.0"),
                    ("day", "2026-11-03", "3", "2", "600.0", "2.0"),
                    ("language", "en", "4", "2", "120.0", "3.5"),
                    ("language", "id", "0", "0", "", ""),
                    ("language", "he", "1", "1", "", "")]
    hebrew = await app.http.get("/api/dashboard.csv", params={**RANGE, "language": "he"},
                                headers=await _headers(app, "dana"))
    assert 'filename="dashboard-2026-11-02-2026-11-03-he.csv"' in hebrew.headers["content-disposition"]
    assert [r["key"] for r in csv.DictReader(io.StringIO(hebrew.text))] == [
        "2026-11-02..2026-11-03", "2026-11-02", "2026-11-03", "he"]


def test_percentiles_are_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([7.0], 90) == 7.0
    values = [float(n) for n in (10, 1, 9, 2, 8, 3, 7, 4, 6, 5)]
    assert (percentile(values, 50), percentile(values, 90), percentile(values, 100)) == (5.0, 9.0, 10.0)
    assert (percentile([1.0, 2.0, 3.0], 50), percentile([1.0, 2.0, 3.0], 90)) == (2.0, 3.0)
    five = [5.0, 4.0, 3.0, 2.0, 1.0]
    assert (percentile(five, 50), percentile(five, 90)) == (3.0, 5.0)  # ranks 2.5 and 4.5 go up


async def test_the_page_is_served(app: InProcessApp) -> None:
    page = await app.http.get("/dashboard")
    assert page.status_code == 200 and 'src="/static/dashboard/main.js"' in page.text
