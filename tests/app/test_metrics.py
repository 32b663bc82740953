"""/metrics (prometheus-client) and /readyz on the in-process app: the scrape needs its own token, and
its figures follow what happened (a bot turn, a handoff with its reason, a socket open, the waiting
line, an agent taking the conversation) as Prometheus' own parser reads them."""

from __future__ import annotations

import asyncio
import gc
import time

from prometheus_client.parser import text_string_to_metric_families

from tests.app.conftest import InProcessApp
from tests.app.sockets import AppSocket


async def _scrape(app: InProcessApp) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    resp = await app.http.get("/metrics", headers={"Authorization": f"Bearer {app.rt.settings.metrics_token}"})
    assert resp.status_code == 200, resp.text
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(resp.text) for sample in family.samples}


async def test_metrics_need_their_token(app: InProcessApp) -> None:
    assert (await app.http.get("/metrics")).status_code == 401
    wrong = await app.http.get("/metrics", headers={"Authorization": "Bearer " + "x" * 40})
    assert wrong.status_code == 401
    agent = await app.http.post("/api/agent/login", json={"agent_id": "bob", "password": "bob-demo"})
    as_agent = await app.http.get("/metrics", headers={"Authorization": f"Bearer {agent.json()['token']}"})
    assert as_agent.status_code == 401


async def test_metrics_follow_a_turn_a_handoff_and_a_claim(app: InProcessApp) -> None:
    before = await _scrape(app)
    cid, token = await app.start_conversation()
    socket = await app.customer_socket(cid, token)
    app.bot.replies = [{"custom": {"handoff": {"reason": "customer_request", "note": "asked for a person"}}}]
    await socket.send({"type": "message", "text": "a person please", "client_msg_id": "m1"})
    await socket.wait_for(lambda f: f["type"] == "turn" and f["state"] == "done")
    await socket.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued")
    queued = await _scrape(app)

    def grew(name: str, labels: tuple[tuple[str, str], ...] = (), by: float = 1) -> bool:
        return queued.get((name, labels), 0) - before.get((name, labels), 0) == by

    assert grew("shopbot_bot_turn_seconds_count")
    assert grew("shopbot_handoffs_total", (("reason", "customer_request"),))
    assert grew("shopbot_messages_total", (("sender", "customer"),))
    assert queued[("shopbot_conversations", (("state", "queued"),))] == 1
    assert queued[("shopbot_queue_length", ())] == 1
    assert queued[("shopbot_queue_oldest_wait_seconds", ())] >= 0
    assert queued[("shopbot_websocket_connections", (("kind", "customer"),))] == 1

    login = await app.http.post("/api/agent/login", json={"agent_id": "bob", "password": "bob-demo"})
    console = AppSocket(app.app, "/ws/agent", token=login.json()["token"])
    await console.wait_for(lambda f: f["type"] == "hello")
    await console.send({"type": "claim", "conversation_id": cid})
    await console.wait_for(lambda f: f["type"] == "claimed")
    claimed = await _scrape(app)
    waited = ("shopbot_queue_wait_seconds_count", ())
    assert claimed[waited] - before.get(waited, 0) == 1
    assert claimed[("shopbot_queue_length", ())] == 0
    assert claimed[("shopbot_conversations", (("state", "assigned"),))] == 1
    await console.close()
    await socket.close()


async def test_readiness_reports_the_database_and_the_bot(app: InProcessApp) -> None:
    resp = await app.http.get("/readyz")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ready", "database": "up", "bot": None}  # a fake bot: no Rasa to ask


async def test_the_collectors_pauses_are_measured(app: InProcessApp) -> None:
    key = ("shopbot_gc_pause_seconds_count", (("generation", "2"),))
    before = (await _scrape(app)).get(key, 0)
    gc.collect(2)
    assert (await _scrape(app)).get(key, 0) >= before + 1


def _busy(seconds: float) -> None:
    """Work on the loop's thread that does not yield, as a slow synchronous call does."""
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        pass


async def test_a_loop_held_up_shows_as_event_loop_lag(app: InProcessApp) -> None:
    """A synchronous wait on the loop's thread (the fault: what a slow call or a long collection does)
    lands in the lag histogram's upper buckets."""
    key = ("shopbot_event_loop_lag_seconds_bucket", (("le", "0.1"),))
    count = ("shopbot_event_loop_lag_seconds_count", ())
    before = await _scrape(app)
    _busy(0.3)  # holds the loop: every task due meanwhile runs late
    after = before
    async with asyncio.timeout(10):
        while after[count] - before[count] < 2:  # the watcher's next wake-ups (the first is the late one)
            after = await _scrape(app)  # each scrape yields to the loop, so the watcher runs between them
    late = (after[count] - before[count]) - (after[key] - before[key])
    assert late >= 1, "a 300 ms hold of the loop was not seen as a lag over 100 ms"
