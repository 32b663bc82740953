"""Rasa servers the app starts for a promotion: `rasa run` in the bot's own environment, on a free
local port, with the deployment's endpoints (so its trackers are the shared ones: a conversation
goes on where the previous server left it) and the API token the app's client sends."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time
from pathlib import Path

import httpx

from handoff.config import ROOT, Settings


class ServerFailed(Exception):
    pass


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
        # In the app's process group: stopping the app (as the stack does) stops its servers too.
        process = await asyncio.create_subprocess_exec(
            *argv, cwd=ROOT, stdout=log, stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONUNBUFFERED": "1"})
    return process, f"http://{host}:{port}"


async def wait_ready(process: asyncio.subprocess.Process, url: str, token: str, model_path: str,
                     timeout_s: float) -> None:
    """Until the server answers with the model loaded, then a few parses so the first customer turn
    does not pay for warming it up. (Polled, as any starting process: nothing announces readiness.)"""
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
        for text in ("hello", "where is my order", "halo"):
            (await http.post("/model/parse", params={"token": token}, json={"text": text},
                             timeout=60.0)).raise_for_status()


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
