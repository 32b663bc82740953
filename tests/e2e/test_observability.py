"""What the people who run it see, on a real app process with the suite's Rasa: Prometheus metrics
after real bot turns and a handoff, and JSON log lines (SHOPBOT_LOG_FORMAT=json) that carry the
conversation id but never a message's text or a token."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from devstack.clients import Customer
from devstack.stack import Stack, app_service, free_port


@dataclass
class Observed:
    url: str
    metrics_token: str
    log_path: str


@pytest.fixture(scope="module")
def observed(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Observed]:
    token = secrets.token_urlsafe(32)
    db = tmp_path_factory.mktemp("observed") / "observed.db"
    port = free_port()
    app = app_service(stack.config, port=port, database_url=f"sqlite+aiosqlite:///{db}", name="app-observed",
                      env={"SHOPBOT_LOG_FORMAT": "json", "SHOPBOT_METRICS_TOKEN": token})
    app.log_path.unlink(missing_ok=True)
    app.start()
    try:
        app.wait_healthy()
        yield Observed(f"http://127.0.0.1:{port}", token, str(app.log_path))
    finally:
        app.stop()


async def _samples(observed: Observed) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with httpx.AsyncClient(base_url=observed.url) as http:
        assert (await http.get("/metrics")).status_code == 401
        resp = await http.get("/metrics", headers={"Authorization": f"Bearer {observed.metrics_token}"})
    assert resp.status_code == 200
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(resp.text) for s in family.samples}


async def test_metrics_and_json_logs_after_real_turns_and_a_handoff(observed: Observed) -> None:
    secret_words = f"my parcel {secrets.token_hex(4)} never came"
    customer = await Customer(observed.url).start()
    assert await customer.ask("where is my order?")
    await customer.ask("I want to talk to a person")
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] in ("queued", "ticket"))
    # Written while waiting for a person: stored and relayed, and no log line may carry it.
    assert (await customer.say(secret_words))["type"] == "ack"
    samples = await _samples(observed)
    assert samples[("shopbot_bot_turn_seconds_count", ())] >= 2
    assert samples[("shopbot_handoffs_total", (("reason", "customer_request"),))] == 1
    assert samples[("shopbot_messages_total", (("sender", "customer"),))] >= 3
    assert samples[("shopbot_messages_total", (("sender", "bot"),))] >= 1
    assert samples[("shopbot_websocket_connections", (("kind", "customer"),))] == 1
    await customer.ws.close()

    async with httpx.AsyncClient(base_url=observed.url) as http:
        ready = (await http.get("/readyz")).json()
    assert ready == {"status": "ready", "database": "up", "bot": "up"}

    text = await asyncio.to_thread(Path(observed.log_path).read_text, encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert records and all({"time", "level", "logger", "message"} <= set(r) for r in records)
    assert any(r.get("conversation_id") == customer.conversation_id for r in records), records[-20:]
    assert secret_words not in text and customer.token not in text
