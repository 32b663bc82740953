"""An app instance to promote models on, through the real stack (tests/e2e/test_promotion*.py,
tests/browser/test_models_page.py): its own database, the suite's Rasa as its start model (trackers in
the suite's shared PostgreSQL store), and a candidate model registered in its database as a training
job records the model it made (and, if given, its comparison with the live one).

The candidate is a copy of the suite's model under another name: what these tests check is which
server serves which model, not what the model knows."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from devstack.stack import Service, Stack, app_service, free_port

PROMOTION_LIMIT_S = 400  # a Rasa server's start on a busy 2-core machine, with room


@dataclass
class Promo:
    url: str
    rasa_url: str
    rasa_token: str
    start_model: str  # the suite's model, which its Rasa runs
    start_id: int  # its id in the instance's database, live at first
    candidate_id: int
    candidate: Path
    app: Service
    db: Path

    def promotion_pid(self, promotion_id: int) -> int | None:
        """The process id of the promotion's Rasa server, as the database has it (not in the API)."""
        with sqlite3.connect(self.db) as conn:
            row = conn.execute("SELECT pid FROM promotions WHERE id = ?", (promotion_id,)).fetchone()
        return None if row is None else row[0]


@contextmanager
def promo_instance(stack: Stack, work: Path, name: str, metrics: Mapping[str, Any] | None = None) -> Iterator[Promo]:
    """`metrics`: the candidate's comparison with the live model, as a training job writes it."""
    db = work / "promo.db"
    candidate = work / "models" / "shopbot-candidate.tar.gz"
    candidate.parent.mkdir()
    shutil.copy(stack.config.model, candidate)
    port = free_port()
    app = app_service(stack.config, port=port, database_url=f"sqlite+aiosqlite:///{db}", name=name, env={
        "SHOPBOT_SWEEP_INTERVAL_S": "0.5", "SHOPBOT_INSTANCE_TTL_S": "5", "SHOPBOT_SERVE_DRAIN_S": "3",
        "SHOPBOT_TRAINING_DIR": str(work / "training"), "SHOPBOT_MODELS_DIR": str(candidate.parent)})
    app.start()
    try:
        app.wait_healthy()
        with sqlite3.connect(db) as conn:  # as a training job records the model it made and its comparison
            start = conn.execute("SELECT id FROM model_versions WHERE path = ?", (str(stack.config.model),)).fetchone()
            assert start is not None, "the start model was not registered"
            cursor = conn.execute(
                "INSERT INTO model_versions (path, data_hash, trained_by, created_at, metrics) VALUES (?, ?, ?, ?, ?)",
                (str(candidate), "candidate", "dana", datetime.now(UTC).isoformat(sep=" "),
                 None if metrics is None else json.dumps(metrics)))
            candidate_id = int(cursor.lastrowid or 0)
        yield Promo(f"http://127.0.0.1:{port}", stack.config.rasa_url, stack.config.rasa_token,
                    str(stack.config.model), int(start[0]), candidate_id, candidate, app, db)
    finally:
        app.stop()  # and the Rasa servers it started with it (their parent-death signal)


async def login(url: str, agent_id: str, password: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=url) as http:
        resp = await http.post("/api/agent/login", json={"agent_id": agent_id, "password": password})
        resp.raise_for_status()
        return {"Authorization": f"Bearer {resp.json()['token']}"}


async def until_settled(http: httpx.AsyncClient, promotion_id: int) -> dict[str, Any]:
    """The promotion once it is live or failed (followed as the admin page does, by asking)."""
    deadline = time.monotonic() + PROMOTION_LIMIT_S
    while time.monotonic() < deadline:
        promotion = (await http.get(f"/api/admin/training/promotions/{promotion_id}")).json()
        if promotion["status"] != "starting":
            return dict(promotion)
        await asyncio.sleep(0.5)
    raise AssertionError(f"promotion {promotion_id} still starting after {PROMOTION_LIMIT_S} s")


async def answers(url: str) -> bool:
    try:
        async with httpx.AsyncClient(base_url=url, timeout=3) as http:
            return (await http.get("/")).status_code == 200
    except httpx.HTTPError:
        return False


async def serving_model(url: str, token: str) -> str | None:
    """The file name of the model the Rasa server at `url` has loaded (None if it does not answer)."""
    try:
        async with httpx.AsyncClient(base_url=url, timeout=3) as http:
            status = (await http.get("/status", params={"token": token})).json()
    except (httpx.HTTPError, ValueError):
        return None
    return Path(str(status.get("model_file") or "")).name or None
