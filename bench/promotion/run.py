"""Retraining time, and what customers notice of a promotion and a rollback.

    python -m bench.promotion.run --model MODEL [--conversations 20] [--no-train]

On a stack of its own (`make run`'s configuration: SQLite app database, trackers in a SQLite file),
an admin's training job retrains the model from bot/data (validate, train, compare with the live
model on every held-out set) and is timed stage by stage. Then 20 conversations keep talking to the
bot (each a turn, a pause of PAUSE_S, the next turn) while the new model is promoted and, after that,
the start model is promoted back (a rollback). Every turn is timed from the customer's message to
the `turn` frame that ends it; a turn fails if the conversation leaves the bot or no reply comes.
The baseline is the same conversations' turns in the 30 s before the promotion, in the same run.

With --no-train a copy of MODEL is registered as the new model (the switch is what is measured).
Writes docs/results/promotion.json and its section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.procstat import CpuTimeline
from bench.report import percentile, write_results, write_section
from devstack.clients import Customer
from devstack.stack import ROOT, Stack, StackConfig, free_port

LINES = ["hello", "what payment methods do you take", "how long does delivery take", "thanks"]
# The windows, in seconds, at `--window-s 30` (the default); shorter runs scale them all.
WARM_UP_S = 20.0  # the stack's own first turns (cold caches, first connections): not measured
BASELINE_S = 30.0
AFTER_LIVE_S = 15.0  # talking on after the switch: the drain and the first turns on the new server
PAUSE_S = 3.0  # a customer reading the answer and typing the next line (quick, for a customer)


@dataclass
class Turn:
    started: float
    ms: float
    ok: bool
    wall: float  # time.time() at the start, to lay against the app's log and the CPU timeline


@dataclass
class Talk:
    url: str
    turns: list[Turn] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def conversation(self, n: int) -> None:
        customer = await Customer(self.url).start()
        i = n
        while not self.stop.is_set():
            started, wall = time.monotonic(), time.time()
            try:
                replies = await customer.ask(LINES[i % len(LINES)], timeout=60)
                ok = bool(replies)
            except AssertionError as exc:  # left the bot (a failed turn hands off), or no turn end
                self.failures.append(str(exc)[:200])
                ok = False
            self.turns.append(Turn(started, (time.monotonic() - started) * 1000, ok, wall))
            if not ok:  # a fresh conversation, so one failure is counted once
                await customer.ws.close()
                customer = await Customer(self.url).start()
            i += 1
            with contextlib.suppress(TimeoutError):  # a customer's pause (cut short by stop), not a sync
                await asyncio.wait_for(self.stop.wait(), PAUSE_S)
        await customer.ws.close()

    def window(self, start: float, end: float) -> dict[str, Any]:
        turns = [t for t in self.turns if start <= t.started < end]
        ms = [t.ms for t in turns if t.ok]
        return {"turns": len(turns), "failed": sum(not t.ok for t in turns),
                "p50_ms": round(statistics.median(ms), 1) if ms else None,
                "p99_ms": round(percentile(ms, 0.99), 1) if ms else None}


async def _login(http: httpx.AsyncClient) -> None:
    resp = await http.post("/api/agent/login", json={"agent_id": "dana", "password": "dana-demo"})
    resp.raise_for_status()
    http.headers["Authorization"] = f"Bearer {resp.json()['token']}"


async def _train(http: httpx.AsyncClient) -> tuple[int, dict[str, Any]]:
    """The job's model and its timing: total, and the seconds first seen in each stage."""
    started = time.monotonic()
    job = (await http.post("/api/admin/training/jobs")).json()
    stages: dict[str, float] = {}
    while job["status"] == "running":
        stages.setdefault(job["stage"], time.monotonic() - started)
        await asyncio.sleep(1)
        job = (await http.get(f"/api/admin/training/jobs/{job['id']}")).json()
    total = time.monotonic() - started
    if job["status"] != "succeeded":
        raise SystemExit(f"training failed: {job['error']}\n{job.get('log', '')[-2000:]}")
    entered = [*stages.values(), total]  # each stage lasts until the next one is first seen
    seconds = {stage: round(entered[i + 1] - at, 1) for i, (stage, at) in enumerate(stages.items())}
    model = next(m for m in (await http.get("/api/admin/training/models")).json() if m["id"] == job["model_id"])
    return int(job["model_id"]), {"total_s": round(total, 1), "stages_s": seconds,
                                  "verdict": model["verdict"], "examples": job["examples"]}


async def _promote(http: httpx.AsyncClient, model_id: int) -> dict[str, Any]:
    resp = await http.post(f"/api/admin/training/models/{model_id}/promote")
    resp.raise_for_status()
    promotion = resp.json()
    while promotion["status"] == "starting":
        await asyncio.sleep(0.5)
        promotion = (await http.get(f"/api/admin/training/promotions/{promotion['id']}")).json()
    if promotion["status"] != "live":
        raise SystemExit(f"promotion failed: {promotion['error']}")
    return dict(promotion)


async def measure(stack: Stack, conversations: int, candidate: Path | None, scale: float = 1.0) -> dict[str, Any]:
    timeline = CpuTimeline({s.name: s.process.pid for s in stack.services if s.process is not None}).start()
    try:
        figures = await _measure(stack, conversations, candidate, scale)
    finally:
        timeline.stop()
    events = _events(stack.config.log_dir / "app.log")
    for name in ("promotion", "rollback"):
        _lay_out(figures[name], events, timeline)
    return figures


def _events(app_log: Path) -> list[tuple[float, str]]:
    """The promotion's phases from the app's JSON log (time.time(), what happened): the server
    started, loaded, made its warm-up parses, its warm-up turns, went live."""
    found = []
    for line in app_log.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        message = str(record.get("message", ""))
        if phase := re.fullmatch(r"promotion server \S+: (\w+)", message):
            what = phase.group(1)
        elif re.fullmatch(r"promotion \d+: server starting .*", message):
            what = "starting"
        elif re.fullmatch(r"promotion \d+ live at .*", message):
            what = "live"
        else:
            continue
        at = datetime.strptime(record["time"], "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=UTC).timestamp()
        found.append((at, what))
    return found


def _lay_out(phase: dict[str, Any], events: list[tuple[float, str]], timeline: CpuTimeline) -> None:
    """Each segment of the window between the promotion's phases, with the cores each process used
    in it; and for each of the slowest turns, the segment it began in and the cores used meanwhile."""
    asked, until = phase.pop("asked_wall"), phase.pop("until_wall")
    phase["asked_at"] = round(asked, 3)  # time.time(): to lay other readings (a profiler's) against
    marks = [(asked, "asked"), *((at, what) for at, what in events if asked <= at <= until), (until, "end")]
    phase["segments"] = [{"from": what, "at_s": round(at - asked, 1), "s": round(nxt - at, 1),
                          "cores": timeline.cores(at, nxt)}
                         for (at, what), (nxt, _) in itertools.pairwise(marks)]
    for turn in phase["slowest"]:
        wall = turn.pop("wall")
        turn["during"] = next((what for at, what in reversed(marks) if at <= wall), "asked")
        turn["cores"] = timeline.cores(wall, wall + turn["ms"] / 1000)


async def _measure(stack: Stack, conversations: int, candidate: Path | None, scale: float) -> dict[str, Any]:
    warm_up_s, baseline_s, after_live_s = WARM_UP_S * scale, BASELINE_S * scale, AFTER_LIVE_S * scale
    async with httpx.AsyncClient(base_url=stack.config.app_url, timeout=30) as http:
        await _login(http)
        start_model = next(m for m in (await http.get("/api/admin/training/models")).json() if m["live"])
        training: dict[str, Any] | None = None
        if candidate is None:
            new_id, training = await _train(http)
        else:
            new_id = _register(stack, candidate)
        talk = Talk(stack.config.app_url)
        tasks = [asyncio.create_task(talk.conversation(n)) for n in range(conversations)]
        await asyncio.sleep(warm_up_s)
        t0 = time.monotonic()
        await asyncio.sleep(baseline_s)  # the baseline window: customers talking, nothing else
        phases: dict[str, Any] = {}
        for name, model_id in (("promotion", new_id), ("rollback", start_model["id"])):
            asked, asked_wall = time.monotonic(), time.time()
            promotion = await _promote(http, model_id)
            live = time.monotonic()
            await asyncio.sleep(after_live_s)
            phases[name] = {"start_to_live_s": round(live - asked, 1), "rollback": promotion["rollback"],
                            "window_s": round(time.monotonic() - asked, 1), "asked": asked,
                            "until": time.monotonic(), "asked_wall": asked_wall, "until_wall": time.time(),
                            # When the slowest turns began, from the request (live at start_to_live_s).
                            "slowest": [{"at_s": round(t.started - asked, 1), "ms": round(t.ms), "wall": t.wall}
                                        for t in sorted(
                                (t for t in talk.turns if t.started >= asked), key=lambda t: -t.ms)[:5]]}
        talk.stop.set()
        await asyncio.gather(*tasks)
    baseline = talk.window(t0, t0 + baseline_s)
    for phase in phases.values():
        phase.update(talk.window(phase.pop("asked"), phase.pop("until")))
        phase["p99_added_ms"] = round(phase["p99_ms"] - baseline["p99_ms"], 1) \
            if phase["p99_ms"] is not None and baseline["p99_ms"] is not None else None
    return {"conversations": conversations, "baseline": baseline, **phases, "training": training,
            "failures": talk.failures[:20]}


def _register(stack: Stack, model: Path) -> int:
    """A copy of the model recorded as a trained one would be (--no-train)."""
    copy = Path(stack.config.app_env["SHOPBOT_MODELS_DIR"]) / "shopbot-candidate.tar.gz"
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(model, copy)
    database = stack.config.database_url.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(database) as conn:
        cursor = conn.execute(
            "INSERT INTO model_versions (path, data_hash, trained_by, created_at) VALUES (?, ?, ?, ?)",
            (str(copy), "candidate", "dana", datetime.now(UTC).isoformat(sep=" ")))
        return int(cursor.lastrowid or 0)


def _report(figures: dict[str, Any], args: argparse.Namespace) -> str:
    base, scale = figures["baseline"], args.window_s / BASELINE_S
    rows = ["| window | turns | failed | p50 (ms) | p99 (ms) | p99 added (ms) | request to live (s) |",
            "|---|---|---|---|---|---|---|",
            f"| baseline: {BASELINE_S * scale:.0f} s before | {base['turns']} | {base['failed']} | {base['p50_ms']} | "
            f"{base['p99_ms']} | | |"]
    for name in ("promotion", "rollback"):
        p = figures[name]
        rows.append(f"| {name}: request to {AFTER_LIVE_S * scale:.0f} s after live ({p['window_s']} s) | "
                    f"{p['turns']} | {p['failed']} | {p['p50_ms']} | {p['p99_ms']} | {p['p99_added_ms']} | "
                    f"{p['start_to_live_s']} |")
    training = figures["training"]
    trained = ("A copy of the model was promoted (`--no-train`); no retraining was timed." if training is None else
               f"Retraining (an admin's job: validate, train, compare with the live model on every held-out set): "
               f"**{training['total_s']} s** in all; by stage " +
               ", ".join(f"{stage} {s} s" for stage, s in training["stages_s"].items()) +
               f"; verdict `{training['verdict']}`.")
    return (f"## Retraining and promotion\n\n`make bench-promotion` (bench/promotion/run.py), {figures['generated']}, "
            f"{figures['machine']}: a stack of its own on `make run`'s configuration (SQLite, trackers in a SQLite "
            f"file). {trained}\n\n{args.conversations} conversations talk to the bot throughout (a turn, a "
            f"{PAUSE_S:.0f} s pause, the next), timed from the message to the `turn` frame that ends it; a turn "
            "fails if the conversation leaves the bot or gets no reply. After a warm-up of "
            f"{WARM_UP_S * scale:.0f} s, the new model is promoted, then the start model promoted back (a rollback), "
            "each a Rasa server started beside the live one and switched to when ready (docs/retraining.md). Target: 0 "
            "failed, p99 added under 500 ms.\n\n" + "\n".join(rows) + "\n" + _timeline_report(figures))


def _timeline_report(figures: dict[str, Any]) -> str:
    """Each window's phases with the cores each process used, and when its slowest turns began."""
    out = ["\nWhere the time went: each phase of the new server (from the app's log) with the cores each process "
           "used in it (`app>PID` is the Rasa server the app started; bench/procstat.py), and the slowest turns.\n"]
    for name in ("promotion", "rollback"):
        p = figures[name]
        out += [f"\n{name.capitalize()}:\n", "| from | at (s) | lasts (s) | cores by process |", "|---|---|---|---|"]
        out += [f"| {seg['from']} | {seg['at_s']} | {seg['s']} | "
                + ", ".join(f"{k} {v}" for k, v in sorted(seg["cores"].items())) + " |" for seg in p["segments"]]
        out.append("\nSlowest turns: " + "; ".join(f"{t['ms']} ms at {t['at_s']} s ({t['during']})"
                                                  for t in p["slowest"]) + ".\n")
    return "".join(line if line.startswith("\n") else line + "\n" for line in out)



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--no-train", action="store_true")
    parser.add_argument("--window-s", type=float, default=BASELINE_S,
                        help="the baseline window; the warm-up and the windows after each switch scale with it")
    parser.add_argument("--no-write", action="store_true", help="print the section, write nothing")
    args = parser.parse_args()
    venvs = subprocess.run(["bash", "-c", "source scripts/env.sh && echo $APP_VENV && echo $BOT_VENV"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        config = StackConfig(
            model=args.model, app_venv=Path(venvs[0]), bot_venv=Path(venvs[1]), log_dir=work / "logs",
            database_url=f"sqlite+aiosqlite:///{work}/bench.db", app_port=free_port(), rasa_port=free_port(),
            actions_port=free_port(), rasa_env={"RASA_TRACKER_DB": str(work / "rasa-trackers.db")},
            app_env={"SHOPBOT_TODAY": "as_of", "SHOPBOT_DEMO_MODE": "true", "SHOPBOT_SUPPORT_HOURS": "always",
                     "SHOPBOT_LOG_FORMAT": "json",  # the promotion's phases, read back by _events
                     "SHOPBOT_CONVERSATION_RATE_PER_ADDRESS": "1000000/hour",
                     "SHOPBOT_CUSTOMER_MESSAGE_RATE": "1000000/second", "SHOPBOT_SWEEP_INTERVAL_S": "1",
                     "SHOPBOT_SERVE_DRAIN_S": "10", "SHOPBOT_TRAINING_DIR": str(work / "training"),
                     "SHOPBOT_MODELS_DIR": str(work / "models")})
        stack = Stack(config)
        print(f"==> logs in {config.log_dir}", flush=True)
        stack.start(timeout=300, progress=True)
        try:
            figures = asyncio.run(measure(stack, args.conversations, args.model if args.no_train else None,
                                          args.window_s / BASELINE_S))
        finally:
            stack.stop()
    figures.update(generated=datetime.now(UTC).strftime("%Y-%m-%d"),
                   machine=f"{platform.machine()}, {os.cpu_count()} cores")
    section = _report(figures, args)
    if not args.no_write:
        write_results("promotion", figures)
        write_section("promotion", section)
    print(section)


if __name__ == "__main__":
    main()
