"""A training job from start to end, in the background of the app process that accepted it:
prepare the workspace, `rasa data validate`, `rasa train` (in the bot's own environment, as a
subprocess: the app and Rasa never share a Python), compare the new model with the live one
(bot/compare_models.py, when the app knows the live model), and record the model with the comparison
in its `metrics`. The live model is never touched: a job failing before its model exists leaves
nothing but its log; a failed comparison leaves the model recorded without metrics. Progress (stage,
component, elapsed) is stored on the job at most once a second and published to the admins on the
`training` channel."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

from handoff.realtime import channels
from handoff.responses import service as responses_service
from handoff.review import examples as review_examples
from handoff.review import service as review_service
from handoff.runtime import Runtime
from handoff.training import progress, workspace
from handoff.training import service as training_service
from handoff.training.enums import Stage
from handoff.training.models import ModelVersion, TrainingJob

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 1.0
# A job whose process has said nothing for this long is failed by any process's sweep.
STALE_AFTER_S = 120.0

_running: dict[int, asyncio.Task[None]] = {}


class TrainingUnavailable(Exception):
    """This app has no Rasa to train with (SHOPBOT_RASA_BIN unset)."""


async def start(rt: Runtime, admin_id: str) -> TrainingJob:
    """Starts a job (JobAlreadyRunning if one runs) and returns it; the work goes on in the background."""
    if not rt.settings.rasa_bin:
        raise TrainingUnavailable("training needs SHOPBOT_RASA_BIN (the bot environment's rasa)")
    rt.settings.training_dir.mkdir(parents=True, exist_ok=True)
    async with rt.sessions() as session:
        job = await training_service.start(session=session, requested_by=admin_id, owner=rt.instance_id,
                                           log_path="", clock=rt.clock)
        log_path = rt.settings.training_dir / f"job-{job.id}.log"
        await training_service.progress(session=session, job_id=job.id, clock=rt.clock, log_path=str(log_path))
        job = await training_service.get(session=session, job_id=job.id) or job
    task = asyncio.create_task(_run(rt, job.id, log_path))
    _running[job.id] = task
    task.add_done_callback(lambda _: _running.pop(job.id, None))
    return job


async def finished(job_id: int) -> None:
    """Until this process's job `job_id` is over (tests)."""
    task = _running.get(job_id)
    if task is not None:
        await asyncio.wait([task])


async def stop_all() -> None:
    """At shutdown: running jobs are cancelled (their subprocess killed) and recorded as failed."""
    tasks = list(_running.values())
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _publish(rt: Runtime, job_id: int) -> None:
    async with rt.sessions() as session:
        job = await training_service.get(session=session, job_id=job_id)
    if job is not None:
        await rt.broker.publish(channels.TRAINING, {"type": "training_job", "job": public(job)})


def public(job: TrainingJob) -> dict[str, Any]:
    return {"id": job.id, "status": job.status, "stage": job.stage, "component": job.component,
            "requested_by": job.requested_by, "started_at": job.started_at.isoformat(),
            "finished_at": job.finished_at.isoformat() if job.finished_at else None,
            "examples": job.examples, "held_out": job.held_out, "error": job.error, "model_id": job.model_id}


async def _set(rt: Runtime, job_id: int, **values: Any) -> None:
    async with rt.sessions() as session:
        await training_service.progress(session=session, job_id=job_id, clock=rt.clock, **values)
    await _publish(rt, job_id)


async def _command(rt: Runtime, job_id: int, argv: list[str], out: Any, stage: Stage) -> int:
    """Runs one bot-environment command, its output appended to the job's log, Rasa's components reported."""
    await _set(rt, job_id, stage=stage, component=None)
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"}
    # From the checkout: the config names our NLU component by module path (bot.components...).
    process = await asyncio.create_subprocess_exec(*argv, cwd=rt.settings.bot_dir.parent, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
                                                   start_new_session=True)
    assert process.stdout is not None
    last = 0.0
    try:
        async for raw in process.stdout:
            line = raw.decode(errors="replace")
            out.write(line)
            found = progress.component(line)
            if found or time.monotonic() - last > PROGRESS_EVERY_S:
                out.flush()
                last = time.monotonic()
                await _set(rt, job_id, **({"component": found} if found else {}))
        return await process.wait()
    except asyncio.CancelledError:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 9)
        await process.wait()
        raise


async def _heartbeat(rt: Runtime, job_id: int) -> None:
    """Says the job is alive while Rasa is quiet (a component can train for minutes without a line)."""
    while True:
        await asyncio.sleep(STALE_AFTER_S / 4)
        try:
            await _set(rt, job_id)
        except Exception:
            log.warning("could not record training job %s's heartbeat", job_id)


def _bot_python(rasa_bin: str) -> str:
    """The bot environment's python: beside its `rasa` (a bare name is looked up on the PATH)."""
    return str(Path(shutil.which(rasa_bin) or rasa_bin).parent / "python")


async def _compare(rt: Runtime, job_id: int, ws: workspace.Workspace, model: ModelVersion, out: Any) -> str | None:
    """The new model against the live one on the held-out sets and annotations; the result (with its
    verdict) goes on the model's `metrics`. The job's error if the comparison failed, else None."""
    settings = rt.settings
    if not settings.live_model:
        out.write("comparison skipped: the app does not know the live model (SHOPBOT_LIVE_MODEL)\n")
        out.flush()
        return None
    result = ws.root / "comparison.json"
    argv = [_bot_python(settings.rasa_bin), "-m", "bot.compare_models", "--new", model.path,
            "--live", settings.live_model, "--reviewed", str(ws.held_out), "--out", str(result),
            "--sets", settings.compare_sets, "--limit", str(settings.compare_limit)]
    out.write(f"comparing with the live model {settings.live_model}\n")
    if await _command(rt, job_id, argv, out, Stage.COMPARING) != 0:
        return "the comparison with the live model failed (see the log)"
    try:
        model.metrics = json.loads(await asyncio.to_thread(result.read_text, encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"the comparison left no readable result: {exc}"
    return None


async def _run(rt: Runtime, job_id: int, log_path: Path) -> None:
    settings = rt.settings
    rasa = settings.rasa_bin
    error: str | None = None
    model: ModelVersion | None = None
    beating = asyncio.create_task(_heartbeat(rt, job_id))
    try:
        async with rt.sessions() as session:
            annotated = await review_service.annotated(session=session)
            edited = await responses_service.texts(session=session)
            own = await review_examples.listed(session=session)
        ws = await asyncio.to_thread(workspace.prepare, settings.training_dir / f"job-{job_id}", settings.bot_dir,
                                     annotated, edited, own)
        await _set(rt, job_id, examples=ws.examples, held_out=ws.held_out_examples)
        with log_path.open("a", encoding="utf-8") as out:
            common = ["--config", str(ws.config), "--domain", str(ws.domain), "--data", str(ws.data)]
            if await _command(rt, job_id, [rasa, "data", "validate", *common], out, Stage.VALIDATING) != 0:
                error = "the training data did not validate (see the log)"
            else:
                settings.models_dir.mkdir(parents=True, exist_ok=True)
                name = f"shopbot-job{job_id}-{ws.data_hash}"
                argv = [rasa, "train", *common, "--out", str(settings.models_dir), "--fixed-model-name", name]
                if await _command(rt, job_id, argv, out, Stage.TRAINING) != 0:
                    error = "training failed (see the log)"
                else:
                    async with rt.sessions() as session:
                        job = await training_service.get(session=session, job_id=job_id)
                    model = ModelVersion(path=str(settings.models_dir / f"{name}.tar.gz"), data_hash=ws.data_hash,
                                         trained_by=job.requested_by if job else None, created_at=rt.clock.now())
                    error = await _compare(rt, job_id, ws, model, out)
    except asyncio.CancelledError:
        error = "the app stopped while training"
        raise
    except Exception as exc:
        log.exception("training job %s failed", job_id)
        error = f"the job failed: {exc}"
    finally:
        beating.cancel()
        async with rt.sessions() as session:
            await training_service.finish(session=session, job_id=job_id, clock=rt.clock, error=error, model=model)
        await _publish(rt, job_id)


async def fail_abandoned(rt: Runtime) -> None:
    async with rt.sessions() as session:
        await training_service.fail_abandoned(session=session, owner=rt.instance_id, now=rt.clock.now(),
                                              stale_after_s=STALE_AFTER_S)
