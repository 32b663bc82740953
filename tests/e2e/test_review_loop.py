"""The review loop's first half through the real stack: a message the live model cannot place, from a
real conversation, is in the admins' inbox with Rasa's own reading of it, redacted; an admin annotates
it; the export is Rasa training data that `rasa data validate` accepts beside bot/data; a training job
trains a model on it and compares that model with the live one."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import httpx

from devstack.clients import Agent, Customer
from devstack.stack import ROOT, Stack

# Nonsense the model has never seen, with an e-mail address in it: out of scope or a fallback.
GIBBERISH = "zorbly quandrix vempt plokk, write to pat.lee@example.net"


async def _admin_headers(app_url: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=app_url) as http:
        resp = await http.post("/api/agent/login", json={"agent_id": "dana", "password": "dana-demo"})
        resp.raise_for_status()
        return {"Authorization": f"Bearer {resp.json()['token']}"}


async def _settled_item(app_url: str, headers: dict[str, str], conversation_id: str) -> dict[str, object]:
    """The conversation's item, once the app has recorded it. Recording runs beside the conversation
    after the turn (an NLU parse, then a write) and nothing tells a client when it is done, so the
    inbox is polled, as a starting process's health is (at most 20 s)."""
    async with httpx.AsyncClient(base_url=app_url, headers=headers) as http:
        for _ in range(100):
            inbox = (await http.get("/api/admin/review", params={"reason": "fallback"})).json()
            found = [i for g in inbox["groups"] for i in g["items"] if i["conversation_id"] == conversation_id]
            if found:
                return dict(found[0])
            await asyncio.sleep(0.2)
    raise AssertionError("the message never reached the review inbox")


async def test_a_misunderstood_message_is_reviewed_annotated_and_exported(app_url: str, stack: Stack,
                                                                         tmp_path: Path) -> None:
    customer = await Customer(app_url).start()
    replies = await customer.ask(GIBBERISH)
    assert replies  # the bot answered (a fallback), the customer was not left waiting
    headers = await _admin_headers(app_url)
    item = await _settled_item(app_url, headers, customer.conversation_id)
    assert item["intent"] in ("nlu_fallback", "out_of_scope"), item  # Rasa's own reading
    assert "pat.lee@example.net" not in item["text"] and "zorbly" in item["text"]
    assert item["neighbourhood"] is not None  # the e5 neighbourhood the live model put it in

    async with httpx.AsyncClient(base_url=app_url, headers=headers) as http:
        intents = (await http.get("/api/admin/review/intents")).json()
        assert "order_status" in intents and "out_of_scope" in intents
        done = await http.post("/api/admin/review/decisions",
                               json={"item_ids": [item["id"]], "action": "annotate", "intent": "out_of_scope"})
        assert done.status_code == 200, done.text
        exported = (await http.post("/api/admin/review/export")).json()
    english = Path(next(f["path"] for f in exported if f["language"] == "en"))
    assert item["text"] in await asyncio.to_thread(english.read_text)

    # The export beside a copy of the training data passes Rasa's own validation.
    data = tmp_path / "data"
    shutil.copytree(ROOT / "bot" / "data", data)
    shutil.copy(english, data / "nlu" / english.name)
    validated = await asyncio.to_thread(
        subprocess.run,
        [str(stack.config.bot_venv / "bin" / "rasa"), "data", "validate", "--fail-on-warnings",
         "--config", "bot/config.yml", "--domain", "bot/domain", "--data", str(data)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert validated.returncode == 0, validated.stdout[-3000:] + validated.stderr[-3000:]


async def test_agents_cannot_open_the_inbox(app_url: str) -> None:
    agent = await Agent(app_url, "bob", "bob-demo").login()
    async with httpx.AsyncClient(base_url=app_url, headers={"Authorization": f"Bearer {agent.token}"}) as http:
        assert (await http.get("/api/admin/review")).status_code == 403
    await agent.ws.close()


async def test_a_training_job_trains_a_model_on_the_annotations(app_url: str) -> None:
    """After the annotation above: the real Rasa validates and trains in the background (minutes),
    with its progress on the job, then the new model is compared with the live one (the first 30
    messages of each held-out file, SHOPBOT_COMPARE_LIMIT in tests/conftest.py); the live model is not
    touched. The job is followed as the admin page follows it, by asking for it (at most 25 minutes on
    a busy 2-core machine)."""
    headers = await _admin_headers(app_url)
    async with httpx.AsyncClient(base_url=app_url, headers=headers, timeout=30) as http:
        live_before = (await http.get("/api/admin/review/intents")).json()
        started = await http.post("/api/admin/training/jobs")
        assert started.status_code == 202, started.text
        job_id = started.json()["id"]
        assert (await http.post("/api/admin/training/jobs")).status_code == 409  # one at a time
        seen_stages, seen_components = set(), set()
        for _ in range(1500):
            job = (await http.get(f"/api/admin/training/jobs/{job_id}")).json()
            seen_stages.add(job["stage"])
            if job["component"]:
                seen_components.add(job["component"])
            if job["status"] != "running":
                break
            await asyncio.sleep(1)
        assert job["status"] == "succeeded", job["error"] + "\n" + job["log"][-3000:]
        assert {"validating", "training"} & seen_stages and "comparing" in seen_stages, seen_stages
        assert job["examples"] + job["held_out"] >= 1
        model = next(m for m in (await http.get("/api/admin/training/models")).json() if m["id"] == job["model_id"])
        assert model["trained_by"] == "dana" and model["promoted_at"] is None
        assert await asyncio.to_thread(Path(model["path"]).is_file)
        metrics = model["metrics"]
        assert metrics is not None and model["verdict"] == metrics["verdict"] in ("better", "worse", "mixed"), model
        assert metrics["reasons"] and metrics["limit"] == 30
        assert {"independent", "independent_noised", "ood"} <= set(metrics["sets"]), metrics["sets"].keys()
        for language, compared in metrics["sets"]["independent"].items():
            assert compared["examples"] == 30, language
            assert compared["macro_f1"]["live"] is not None and compared["macro_f1"]["new"] is not None
            per_intent = compared["per_intent"]
            assert per_intent and all(f["live"] is not None and f["new"] is not None for f in per_intent.values())
            assert {"better", "worse"} <= set(compared["confusions"])
        assert (await http.get("/api/admin/review/intents")).json() == live_before  # the live model is unchanged
