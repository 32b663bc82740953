"""The processes a fault scenario starts, breaks and stops: app instances behind the balancer, a
Redis server of its own, a fresh PostgreSQL database."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from devstack.balancer import Balancer
from devstack.stack import Service, StackConfig, app_service, free_port

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_URL = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/postgres"
SHARED_REDIS_URL = "redis://127.0.0.1:6379/0"

# The scenarios' own team, seeded on the first start of a fresh database: room for every chat a
# scenario opens (max_chats), so a claim is never refused for capacity.
TEAM = [(f"relay{i}", f"relay{i}-demo") for i in range(6)]
# Every client comes from one address (and, behind the balancer, the app sees only the balancer's).
NO_RATE_LIMITS = {f"SHOPBOT_{name}": "1000000/second" for name in (
    "CUSTOMER_MESSAGE_RATE", "AGENT_MESSAGE_RATE", "CONVERSATION_RATE_PER_ADDRESS", "LOGIN_RATE_PER_ACCOUNT",
    "LOGIN_RATE_PER_ADDRESS")}
APP_ENV = {
    "SHOPBOT_DEMO_MODE": "true",
    "SHOPBOT_DEMO_AGENTS": ",".join(f"{agent}:{password}:agent:orders+billing:en:20" for agent, password in TEAM),
    "SHOPBOT_SUPPORT_HOURS": "always",
    # Agents take chats by hand: which agent has which chat is the scenario's choice, not the router's.
    "SHOPBOT_ROUTING": "pooled",
    # A killed instance's sockets are counted out by the survivor within seconds (the defaults, 5 s
    # sweeps and a 30 s TTL, would outlast the scenario).
    "SHOPBOT_SWEEP_INTERVAL_S": "1",
    "SHOPBOT_INSTANCE_TTL_S": "3",
    **NO_RATE_LIMITS,
}


def database_url(name: str, port: int = PG_PORT) -> str:
    return f"postgresql+psycopg://postgres@{PG_HOST}:{port}/{name}"


def channel_prefix(label: str = "faults") -> str:
    return f"shopbot-{label}-{uuid.uuid4().hex[:12]}:"


@contextmanager
def fresh_database(prefix: str = "shopbot_faults", admin_url: str = PG_ADMIN_URL) -> Iterator[str]:
    """An empty database (the first app started on it creates the tables), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def sockets_counted(database: str, conversation_ids: list[str], agent_ids: list[str]) -> dict[str, int]:
    """The open sockets the database counts for these chats' customers and these agents' consoles
    (customer presence, and an agent going `away` with their last console, follow these counts)."""
    with psycopg.connect(f"postgresql://postgres@{PG_HOST}:{PG_PORT}/{database}") as conn:
        customers = conn.execute("SELECT coalesce(sum(customer_sockets), 0) FROM conversations WHERE id = ANY(%s)",
                                 [conversation_ids]).fetchone()
        agents = conn.execute("SELECT coalesce(sum(console_sockets), 0) FROM agents WHERE id = ANY(%s)",
                              [agent_ids]).fetchone()
    return {"customer_sockets": int(customers[0]) if customers else 0,
            "console_sockets": int(agents[0]) if agents else 0}


class RedisServer:
    """A Redis of the scenario's own (nothing kept on disk), so stopping it disturbs nobody else."""

    def __init__(self, log_path: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, prefix: str) -> str:
        return f"redis://127.0.0.1:{self.port}/0?channel_prefix={prefix}"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).exists():
            raise RuntimeError("redis-server is not installed")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", str(self.log_path.parent)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def wait_ready(self, timeout: float = 15.0) -> None:
        """Until it answers PING (polling a starting process: there is no event to wait on)."""
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server not answering on {self.port} after {timeout:.0f}s")
            time.sleep(0.05)

    def kill(self, sig: signal.Signals = signal.SIGKILL) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, sig)
        self.process.wait(15)


class Cluster:
    """App instances on one database and one broker, behind the balancer (clients use `url`)."""

    def __init__(self, config: StackConfig, *, name: str, database_url: str, broker_url: str, instances: int = 2,
                 env: dict[str, str] | None = None) -> None:
        self.ports = [free_port() for _ in range(instances)]
        self.services: list[Service] = [
            app_service(config, port=port, database_url=database_url, name=f"app-faults-{name}-{i}",
                        env={**APP_ENV, "SHOPBOT_BROKER_URL": broker_url, **(env or {})})
            for i, port in enumerate(self.ports)]
        self.balancer = Balancer([("127.0.0.1", port) for port in self.ports])

    @property
    def url(self) -> str:
        return self.balancer.url

    async def start(self, timeout: float = 120.0) -> None:
        for service in self.services:
            service.log_path.unlink(missing_ok=True)  # this run's log only
            service.start()
        try:
            await asyncio.gather(*(asyncio.to_thread(s.wait_healthy, timeout) for s in self.services))
        except BaseException:
            await self.stop()
            raise
        await self.balancer.start()

    def busiest(self) -> int:
        """The instance serving the most clients now (their websockets pass through the balancer)."""
        counts = self.balancer.open_connections()
        return counts.index(max(counts))

    def kill(self, index: int) -> None:
        """kill -9 of the instance's whole process group: no shutdown, no goodbye to anyone."""
        process = self.services[index].process
        assert process is not None
        os.killpg(os.getpgid(process.pid), signal.SIGKILL)
        process.wait()

    async def stop(self) -> None:
        await self.balancer.stop()
        await asyncio.gather(*(asyncio.to_thread(s.stop) for s in self.services))

    def log_problems(self) -> dict[str, int]:
        """Per instance: tracebacks, and tasks that died unseen (a socket left deaf would be one)."""
        out = {}
        for service in self.services:
            try:
                text = service.log_path.read_text(errors="replace")
            except OSError:
                continue
            out[service.name] = {"tracebacks": text.count("Traceback (most recent call last)"),
                                 "task_exception_never_retrieved": text.count("Task exception was never retrieved")}
        return {f"{name}.{k}": v for name, counts in out.items() for k, v in counts.items()}
