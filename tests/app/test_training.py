"""Training jobs in process, with a stand-in for the bot environment's `rasa` (a shell script that
answers like it): the workspace (annotations split into training and held out, new intents in the
domain), progress from the log, the model recorded, a failed validation leaving no model, and one job
at a time. The real Rasa trains in tests/e2e/test_review_loop.py."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import yaml

from handoff.review import service as review_service
from handoff.review.enums import ReviewReason, ReviewStatus
from handoff.review.service import Understood
from handoff.training import flows as training_flows
from tests.app.conftest import InProcessApp

FAKE_RASA = """#!/bin/sh
# Answers like `rasa data validate` / `rasa train --out DIR --fixed-model-name NAME`.
echo "rasa $*"
if [ "$1" = "data" ]; then echo "validating..."; exit {validate_exit}; fi
out=""; name=""
while [ $# -gt 0 ]; do
  case "$1" in --out) out="$2"; shift;; --fixed-model-name) name="$2"; shift;; esac; shift
done
echo "2026-12-06 INFO rasa.engine.training.hooks - Starting to train component 'E5IntentClassifier'."
mkdir -p "$out" && echo model > "$out/$name.tar.gz"
echo "Your Rasa model is trained and saved at '$out/$name.tar.gz'."
"""


def _fake_rasa(tmp_path: Path, validate_exit: int = 0) -> str:
    script = tmp_path / f"rasa-{uuid.uuid4().hex[:6]}"
    script.write_text(FAKE_RASA.replace("{validate_exit}", str(validate_exit)))
    script.chmod(0o755)
    return str(script)


async def _annotated(app: InProcessApp, texts: dict[str, str]) -> None:
    cid, _ = await app.start_conversation()
    async with app.rt.sessions() as session:
        ids = []
        for seq, text in enumerate(texts, start=1):
            item = await review_service.record(session=session, conversation_id=cid, seq=seq, text=text,
                                               language="en", reasons=[ReviewReason.FALLBACK],
                                               understood=Understood("nlu_fallback", 0.9, None, 0.0, None),
                                               clock=app.rt.clock)
            ids.append((item.id, texts[text]))
        for item_id, intent in ids:
            await review_service.decide(session=session, item_ids=[item_id], admin_id="dana",
                                        status=ReviewStatus.ANNOTATED, intent=intent, clock=app.rt.clock)


def _configure(app: InProcessApp, tmp_path: Path, validate_exit: int = 0) -> None:
    settings = app.rt.settings
    settings.rasa_bin = _fake_rasa(tmp_path, validate_exit)
    settings.training_dir = tmp_path / "training"
    settings.models_dir = tmp_path / "models"


async def test_a_job_trains_on_the_annotations_and_records_its_model(app: InProcessApp, tmp_path: Path) -> None:
    _configure(app, tmp_path)
    texts = {"wat r ur opening hrs": "ask_opening_hours"}  # a new intent (the first item: trained on)
    texts.update({f"gimme my monies back {n}": "request_refund" for n in range(9)})
    await _annotated(app, texts)
    job = await training_flows.start(app.rt, "dana")
    await training_flows.finished(job.id)
    admin = await _admin(app)
    body = (await app.http.get(f"/api/admin/training/jobs/{job.id}", headers=admin)).json()
    assert body["status"] == "succeeded", body
    assert body["stage"] == "done" and body["component"] == "E5IntentClassifier"
    assert body["examples"] + body["held_out"] == 10 and body["held_out"] == sum(1 for i in range(1, 11) if i % 5 == 0)
    assert "rasa data validate" in body["log"] and "rasa train" in body["log"]
    models = (await app.http.get("/api/admin/training/models", headers=admin)).json()
    assert models[0]["id"] == body["model_id"] and models[0]["trained_by"] == "dana"
    assert await asyncio.to_thread(Path(models[0]["path"]).is_file)

    ws = app.rt.settings.training_dir / f"job-{job.id}"
    trained = yaml.safe_load((ws / "data" / "nlu" / "reviewed_en.yml").read_text())
    held = yaml.safe_load((ws / "held_out" / "reviewed_en.yml").read_text())
    trained_lines = {line for block in trained["nlu"] for line in block["examples"].splitlines()}
    held_lines = {line for block in held["nlu"] for line in block["examples"].splitlines()}
    assert trained_lines and held_lines and not trained_lines & held_lines  # never trained on what judges it
    assert "ask_opening_hours" in yaml.safe_load((ws / "domain" / "reviewed_intents.yml").read_text())["intents"]
    assert (ws / "config.yml").is_file() and not (app.rt.settings.bot_dir / "data" / "nlu" / "reviewed_en.yml").exists()


async def test_a_failed_validation_leaves_no_model_and_frees_the_slot(app: InProcessApp, tmp_path: Path) -> None:
    _configure(app, tmp_path, validate_exit=1)
    job = await training_flows.start(app.rt, "dana")
    await training_flows.finished(job.id)
    admin = await _admin(app)
    body = (await app.http.get(f"/api/admin/training/jobs/{job.id}", headers=admin)).json()
    assert body["status"] == "failed" and body["stage"] == "validating" and "validate" in body["error"]
    assert body["model_id"] is None
    assert (await app.http.get("/api/admin/training/models", headers=admin)).json() == []
    _configure(app, tmp_path)
    again = await app.http.post("/api/admin/training/jobs", headers=admin)
    assert again.status_code == 202, again.text
    await training_flows.finished(again.json()["id"])


async def test_one_job_at_a_time(app: InProcessApp, tmp_path: Path) -> None:
    _configure(app, tmp_path)
    admin = await _admin(app)
    first, second = await asyncio.gather(app.http.post("/api/admin/training/jobs", headers=admin),
                                         app.http.post("/api/admin/training/jobs", headers=admin))
    assert sorted([first.status_code, second.status_code]) == [202, 409]
    started = first if first.status_code == 202 else second
    await training_flows.finished(started.json()["id"])
    agent = await _admin(app, "bob", "bob-demo")
    assert (await app.http.post("/api/admin/training/jobs", headers=agent)).status_code == 403


async def test_without_a_rasa_environment_training_is_503(app: InProcessApp) -> None:
    app.rt.settings.rasa_bin = ""
    assert (await app.http.post("/api/admin/training/jobs", headers=await _admin(app))).status_code == 503


async def _admin(app: InProcessApp, agent_id: str = "dana", password: str = "dana-demo") -> dict[str, str]:
    login = await app.http.post("/api/agent/login", json={"agent_id": agent_id, "password": password})
    login.raise_for_status()
    return {"Authorization": f"Bearer {login.json()['token']}"}
