"""Training jobs in process, with stand-ins for the bot environment's `rasa` and `python -m
bot.compare_models` (shell scripts that answer like them): the workspace (annotations split into
training and held out, new intents in the domain), progress from the log, the model recorded, the
comparison with the live model stored on it (or skipped without one), a failed validation leaving no
model, a failed comparison leaving the model without metrics, and one job at a time. The real Rasa
trains and compares in tests/e2e/test_review_loop.py."""

from __future__ import annotations

import asyncio
import json
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

# What bot/compare_models.py writes, in part.
COMPARISON = {"verdict": "better", "reasons": ["independent en: macro F1 0.9000 -> 0.9500 (+0.0500)"],
              "sets": {"independent": {"en": {"examples": 2, "macro_f1": {"live": 0.9, "new": 0.95, "delta": 0.05},
                                              "per_intent": {"greet": {"support": 2, "live": 0.9, "new": 1.0,
                                                                       "delta": 0.1}}}}}}
FAKE_PYTHON = """#!/bin/sh
# Answers like `python -m bot.compare_models --new M --live M --reviewed DIR --out FILE ...`.
echo "python $*"
new=""; out=""
while [ $# -gt 0 ]; do
  case "$1" in --new) new="$2"; shift;; --out) out="$2"; shift;; esac; shift
done
[ -f "$new" ] || { echo "no new model at $new"; exit 3; }
if [ {compare_exit} -ne 0 ]; then echo "OSError: the live model would not load"; exit {compare_exit}; fi
cat > "$out" <<'JSON'
{comparison}
JSON
"""


def _fake_bot_env(tmp_path: Path, validate_exit: int = 0, compare_exit: int = 0) -> str:
    """A bot environment's bin/ of fakes: its `rasa` (returned) and, beside it, its `python`."""
    bin_dir = tmp_path / f"bin-{uuid.uuid4().hex[:6]}"
    bin_dir.mkdir()
    (bin_dir / "rasa").write_text(FAKE_RASA.replace("{validate_exit}", str(validate_exit)))
    (bin_dir / "python").write_text(FAKE_PYTHON.replace("{compare_exit}", str(compare_exit))
                                    .replace("{comparison}", json.dumps(COMPARISON)))
    for script in bin_dir.iterdir():
        script.chmod(0o755)
    return str(bin_dir / "rasa")


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


def _configure(app: InProcessApp, tmp_path: Path, validate_exit: int = 0, compare_exit: int = 0,
               live_model: bool = False) -> None:
    settings = app.rt.settings
    settings.rasa_bin = _fake_bot_env(tmp_path, validate_exit, compare_exit)
    settings.training_dir = tmp_path / "training"
    settings.models_dir = tmp_path / "models"
    settings.live_model = ""
    if live_model:
        live = tmp_path / "live" / "shopbot-live.tar.gz"
        live.parent.mkdir(exist_ok=True)
        live.write_text("model")
        settings.live_model = str(live)


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
    assert "comparison skipped" in body["log"] and "bot.compare_models" not in body["log"]  # no live model known
    models = (await app.http.get("/api/admin/training/models", headers=admin)).json()
    assert models[0]["id"] == body["model_id"] and models[0]["trained_by"] == "dana"
    assert models[0]["metrics"] is None and models[0]["verdict"] is None
    assert await asyncio.to_thread(Path(models[0]["path"]).is_file)

    ws = app.rt.settings.training_dir / f"job-{job.id}"
    trained = yaml.safe_load((ws / "data" / "nlu" / "reviewed_en.yml").read_text())
    held = yaml.safe_load((ws / "held_out" / "reviewed_en.yml").read_text())
    trained_lines = {line for block in trained["nlu"] for line in block["examples"].splitlines()}
    held_lines = {line for block in held["nlu"] for line in block["examples"].splitlines()}
    assert trained_lines and held_lines and not trained_lines & held_lines  # never trained on what judges it
    assert "ask_opening_hours" in yaml.safe_load((ws / "domain" / "reviewed_intents.yml").read_text())["intents"]
    assert (ws / "config.yml").is_file() and not (app.rt.settings.bot_dir / "data" / "nlu" / "reviewed_en.yml").exists()


async def test_the_new_model_is_compared_with_the_live_one(app: InProcessApp, tmp_path: Path) -> None:
    _configure(app, tmp_path, live_model=True)
    await _annotated(app, {f"gimme my monies back {n}": "request_refund" for n in range(5)})
    job = await training_flows.start(app.rt, "dana")
    await training_flows.finished(job.id)
    admin = await _admin(app)
    body = (await app.http.get(f"/api/admin/training/jobs/{job.id}", headers=admin)).json()
    assert body["status"] == "succeeded" and body["stage"] == "done", body
    log = body["log"]
    assert log.index("rasa train") < log.index("-m bot.compare_models")  # after training, on its model
    ws = app.rt.settings.training_dir / f"job-{job.id}"
    model = next(m for m in (await app.http.get("/api/admin/training/models", headers=admin)).json()
                 if m["id"] == body["model_id"])
    for argument in (f"--new {model['path']}", f"--live {app.rt.settings.live_model}", f"--reviewed {ws / 'held_out'}",
                     "--sets independent,independent_noised,ood", "--limit 0"):
        assert argument in log, argument
    assert model["metrics"] == COMPARISON and model["verdict"] == "better"


async def test_a_failed_comparison_fails_the_job_but_keeps_the_model(app: InProcessApp, tmp_path: Path) -> None:
    _configure(app, tmp_path, compare_exit=1, live_model=True)
    job = await training_flows.start(app.rt, "dana")
    await training_flows.finished(job.id)
    admin = await _admin(app)
    body = (await app.http.get(f"/api/admin/training/jobs/{job.id}", headers=admin)).json()
    assert body["status"] == "failed" and body["stage"] == "comparing" and "comparison" in body["error"], body
    assert "the live model would not load" in body["log"]
    models = (await app.http.get("/api/admin/training/models", headers=admin)).json()
    assert [m["id"] for m in models] == [body["model_id"]] and body["model_id"] is not None  # it was trained
    assert models[0]["metrics"] is None and models[0]["verdict"] is None
    assert await asyncio.to_thread(Path(models[0]["path"]).is_file)


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
