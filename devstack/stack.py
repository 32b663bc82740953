"""The product as processes: the Rasa server, the action server and the app, wired by ports and env.

Used by `python -m devstack` (the README's run command) and by the integration tests, so what is
tested is what runs.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from handoff.config import local_secret
from handoff.serving.servers import SERVING_THREADS

ROOT = Path(__file__).resolve().parent.parent
SECRETS_DIR = ROOT / "var" / "secrets"


EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def _listening_ports() -> range:
    """Ports for servers: below the kernel's ephemeral range (the source ports of outgoing connections)."""
    try:
        low = int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768  # Linux's default
    return range(10_000, max(low, 10_001))


def free_port() -> int:
    """A port free now, for a server about to start. Not one the kernel hands out itself (port 0): until
    the server binds it, any connection made meanwhile on the machine may take that one as its source
    port (seen: Rasa's port taken by a health check of the app started just before it)."""
    ports = _listening_ports()
    for _ in range(200):
        port = random.choice(ports)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue  # a server listens there (or a connection holds it): another
            return port
    raise RuntimeError(f"no free port found in {ports}")


@dataclass
class StackConfig:
    model: Path
    app_venv: Path
    bot_venv: Path
    log_dir: Path
    database_url: str
    app_port: int = 8000
    rasa_port: int = 5005
    actions_port: int = 5055
    host: str = "127.0.0.1"
    # The secrets the processes share: made once per checkout and kept in var/secrets (never a
    # default anyone knows; handoff/config.py local_secret).
    rasa_token: str = field(default_factory=lambda: local_secret(SECRETS_DIR / "rasa_token"))
    service_token: str = field(default_factory=lambda: local_secret(SECRETS_DIR / "service_token"))
    actions_token: str = field(default_factory=lambda: local_secret(SECRETS_DIR / "actions_token"))
    app_env: dict[str, str] = field(default_factory=dict)
    # Rasa's endpoints file and its variables: bot/endpoints.yml keeps trackers in a SQLite file and
    # locks in Rasa's memory (`make run`); bot/endpoints.docker.yml keeps them in PostgreSQL and
    # Redis (the tests). Either way the trackers outlive a Rasa server, as a promotion needs.
    rasa_endpoints: str = "bot/endpoints.yml"
    rasa_env: dict[str, str] = field(
        default_factory=lambda: {"RASA_TRACKER_DB": str(ROOT / "var" / "rasa-trackers.db")})

    @property
    def rasa_server_env(self) -> dict[str, str]:
        """What a Rasa server of this stack is started with, beside the endpoints file."""
        return {"ACTION_ENDPOINT_URL": f"{self.actions_url}/webhook", "ACTION_SERVER_TOKEN": self.actions_token,
                **self.rasa_env}

    @property
    def app_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.app_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"


@dataclass
class Service:
    name: str
    argv: list[str]
    env: dict[str, str]
    health_url: str
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        # A new session per service so Ctrl-C in the terminal reaches us once and we stop them in order.
        self.process = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.health_url, timeout=2) as resp:
                return bool(200 <= resp.status < 300)
        except (urllib.error.URLError, OSError):
            return False

    def wait_healthy(self, timeout: float = 120.0) -> None:
        """Until the health URL answers (polling a starting process: there is no event to wait on)."""
        deadline = time.monotonic() + timeout
        while not self.healthy():
            if self.exited() is not None:
                raise StackError(f"{self.name} exited with {self.exited()}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise StackError(f"{self.name} not healthy after {timeout:.0f}s:\n{self.log_tail()}")
            time.sleep(0.25)

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class StackError(RuntimeError):
    pass


# How uvicorn serves the app's websockets, here, in bench/relay/floor.py and in the Dockerfile's CMD:
# frames up to 1 MiB (past it: 1009), and no permessage-deflate. Chat frames are a few hundred bytes,
# so compressing them saves little, while each compressed socket keeps about 41 KiB of zlib state
# (bench/idle measured it on the floor) and every send is compressed (bench/relay).
UVICORN_WS_ARGS = ["--ws-max-size", str(1 << 20), "--ws-per-message-deflate", "false"]


def app_service(c: StackConfig, *, port: int | None = None, database_url: str | None = None,
                name: str = "app", env: dict[str, str] | None = None) -> Service:
    """The app process of a stack; another instance (its own port and database, the same Rasa) when
    port and database_url are given."""
    port = port or c.app_port
    base_env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return Service(
        name,
        [str(c.app_venv / "bin" / "python"), "-m", "uvicorn", "api.main:create_app", "--factory",
         "--host", c.host, "--port", str(port), *UVICORN_WS_ARGS, "--no-access-log"],
        # A development stack (the demo, the tests): the app makes its own signing keys in var/ unless
        # given; a test that wants production says so in its env.
        {**base_env, "SHOPBOT_ENVIRONMENT": "development", "SHOPBOT_RASA_BIN": str(c.bot_venv / "bin" / "rasa"),
         "SHOPBOT_DATABASE_URL": database_url or c.database_url, "SHOPBOT_RASA_URL": c.rasa_url,
         # The model the stack's Rasa runs: a training job compares its new model with this one.
         "SHOPBOT_LIVE_MODEL": str(c.model), "SHOPBOT_RASA_TOKEN": c.rasa_token,
         "SHOPBOT_SERVICE_TOKEN": c.service_token,
         # A promotion starts Rasa servers as the stack starts its own (handoff/serving/servers.py).
         "SHOPBOT_RASA_ENDPOINTS": c.rasa_endpoints, **c.rasa_server_env, **c.app_env, **(env or {})},
        f"http://127.0.0.1:{port}/healthz", c.log_dir / f"{name}.log")


class Stack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        c = config
        base_env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
                    "PYTHONUNBUFFERED": "1"}
        bot_bin = c.bot_venv / "bin"
        self.rasa = Service(
            "rasa",
            [str(bot_bin / "rasa"), "run", "--enable-api", "--auth-token", c.rasa_token, "-m", str(c.model),
             "--endpoints", c.rasa_endpoints, "--credentials", "bot/credentials.yml",
             "-i", "127.0.0.1", "-p", str(c.rasa_port)],
            {**base_env, **SERVING_THREADS, **c.rasa_server_env},
            f"{c.rasa_url}/status?token={c.rasa_token}", c.log_dir / "rasa.log")
        self.actions = Service(
            "actions",
            [str(bot_bin / "python"), "-m", "actions.server", "--port", str(c.actions_port)],
            {**base_env, "SHOP_API_URL": c.app_url, "SHOP_API_TOKEN": c.service_token,
             "ACTION_SERVER_TOKEN": c.actions_token},
            f"{c.actions_url}/health", c.log_dir / "actions.log")
        self.app = app_service(c)
        self.services = [self.rasa, self.actions, self.app]

    def start(self, timeout: float = 240.0, progress: bool = False) -> None:
        tracker_db = self.config.rasa_env.get("RASA_TRACKER_DB")
        if tracker_db:  # in WAL mode (kept by the file): readers and the one writer do not block each other
            Path(tracker_db).parent.mkdir(parents=True, exist_ok=True)
            with contextlib.closing(sqlite3.connect(tracker_db)) as conn:
                conn.execute("PRAGMA journal_mode=WAL")
        # Rasa is by far the slowest to start (loading TensorFlow and the model): start it first.
        for service in self.services:
            service.start()
        waiting = {s.name: s for s in self.services}
        deadline = time.monotonic() + timeout
        while waiting:
            for name, service in list(waiting.items()):
                code = service.exited()
                if code is not None:
                    self.stop()
                    raise StackError(f"{name} exited with {code}:\n{service.log_tail()}")
                if service.healthy():
                    del waiting[name]
                    if progress:
                        print(f"==> {name} is up", flush=True)
            if time.monotonic() > deadline:
                self.stop()
                tails = "\n".join(f"--- {n}:\n{s.log_tail()}" for n, s in waiting.items())
                raise StackError(f"not healthy after {timeout:.0f}s: {', '.join(waiting)}\n{tails}")
            time.sleep(0.5)

    def stop(self) -> None:
        # The app first (it calls the others), Rasa last.
        for service in reversed(self.services):
            service.stop()


