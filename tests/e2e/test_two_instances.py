"""Two app instances on one PostgreSQL database and one Redis (what sits behind a load balancer): a
customer on A and an agent on B talk as on one instance, and when A's pub/sub connection to Redis
is killed the customer's socket is closed with 4408, the customer catches up from the database on
reconnecting, and the conversation goes on. The numbers go to tests/artifacts/two_instances.json
(docs/reliability.md)."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
import pytest

from devstack.clients import Agent, Customer, Socket
from devstack.stack import Service, Stack, app_service, free_port
from tests.conftest import ARTIFACTS
from tests.support.redis_admin import broker_url, channel_prefix, kill_clients

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
EACH_WAY = 50
DURING_OUTAGE = 5  # the agent (on B) writes these while A is cut off from Redis


@dataclass
class Pair:
    a: str
    b: str
    a_service: Service
    prefix: str


@pytest.fixture(scope="module")
def pair(stack: Stack) -> Iterator[Pair]:
    prefix = channel_prefix()
    dbname = f"shopbot_two_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    env = {"SHOPBOT_BROKER_URL": broker_url(prefix), "SHOPBOT_SUPPORT_HOURS": "always"}
    database_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{dbname}"
    services = [app_service(stack.config, port=free_port(), database_url=database_url, name=f"app-two-{name}",
                            env=env) for name in ("a", "b")]
    try:
        # Both at once on the empty database: one prepares it (tables, demo shop, team) while the
        # other waits on the start-up lock, then finds it done.
        for service in services:
            service.start()
        for service in services:
            service.wait_healthy()
        a, b = services
        yield Pair(a.health_url.removesuffix("/healthz"), b.health_url.removesuffix("/healthz"), a, prefix)
    finally:
        for service in services:
            service.stop()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def _conversation_messages(socket: Socket, conversation_id: str) -> list[dict[str, Any]]:
    return [f["message"] for f in socket.frames
            if f["type"] == "message" and f.get("conversation_id", conversation_id) == conversation_id]


def _seqs(messages: list[dict[str, Any]]) -> list[int]:
    return [m["seq"] for m in messages]


def _first_arrivals(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each message the first time it arrives: what the console shows (it keeps messages by seq, so a
    conversation opened again, which resends from the start, adds nothing)."""
    seen: set[int] = set()
    first = []
    for message in messages:
        if message["seq"] not in seen:
            seen.add(message["seq"])
            first.append(message)
    return first


async def _exchange(customer: Customer, agent: Agent, cid: str, tag: str, n: int) -> int:
    """n messages each way at once, each side waiting for its acks; the highest seq stored."""
    async def customer_side() -> list[int]:
        return [(await customer.say(f"{tag} customer {i}"))["seq"] for i in range(n)]

    async def agent_side() -> list[int]:
        return [(await agent.say(cid, f"{tag} agent {i}"))["seq"] for i in range(n)]

    seqs = await asyncio.gather(customer_side(), agent_side())
    last = max(max(s) for s in seqs)
    await customer.ws.wait_for(lambda f: f["type"] == "message" and f["message"]["seq"] == last)
    await agent.ws.wait_for(lambda f: f["type"] == "message" and f.get("conversation_id") == cid
                            and f["message"]["seq"] == last)
    return last


async def test_a_customer_on_one_instance_and_an_agent_on_another_talk_and_survive_redis_dropping(
        pair: Pair) -> None:
    numbers: dict[str, Any] = {"each_way": EACH_WAY, "during_outage": DURING_OUTAGE}
    agent = await Agent(pair.b, "bob", "bob-demo").login()
    customer = await Customer(pair.a).start()
    cid = customer.conversation_id
    await customer.say("I want to talk to a person")
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued")
    # Queued on A, heard on B.
    await agent.ws.wait_for(lambda f: f["type"] == "queue_update" and f["conversation"]["id"] == cid
                            and f["conversation"]["state"] == "queued")
    assert (await agent.claim(cid))["type"] == "claimed"
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "assigned")

    started = time.monotonic()
    last = await _exchange(customer, agent, cid, "live", EACH_WAY)
    numbers["exchange_s"] = round(time.monotonic() - started, 2)
    first_socket = customer.ws
    assert _seqs(first_socket.messages()) == list(range(1, last + 1))
    # The console's claim and the "assigned to you" event both open the conversation, and each opening
    # sends it from the start: some messages can come twice, but never one before an earlier one.
    assert _seqs(_first_arrivals(_conversation_messages(agent.ws, cid))) == list(range(1, last + 1))
    agent_frames_at_kill = len(agent.ws.frames)

    # Redis drops instance A's pub/sub connection (as a Redis restart would, for A only).
    assert first_socket.ws.close_code is None
    pid = pair.a_service.process.pid if pair.a_service.process else 0
    killed_at = time.monotonic()
    assert await kill_clients(f"{pair.prefix}pubsub:{pid}:") == 1

    async def agent_writes() -> list[int]:  # meanwhile on B: stored, acknowledged, unheard on A
        return [(await agent.say(cid, f"outage agent {i}"))["seq"] for i in range(DURING_OUTAGE)]

    async def socket_closed() -> float:
        await asyncio.wait_for(first_socket.ws.wait_closed(), 10)
        return time.monotonic() - killed_at

    outage, closed_after = await asyncio.gather(agent_writes(), socket_closed())
    numbers["socket_closed_after_s"] = round(closed_after, 3)
    assert first_socket.ws.close_code == 4408
    have = first_socket.messages()[-1]["seq"]

    socket = await customer.connect(last_seq=have)
    await socket.wait_for(lambda f: f["type"] == "message" and f["message"]["seq"] == max(outage))
    numbers["caught_up_after_s"] = round(time.monotonic() - killed_at, 3)
    # Live again, both ways, through A's new subscription.
    last = await _exchange(customer, agent, cid, "after", 3)
    numbers["live_again_after_s"] = round(time.monotonic() - killed_at, 3)

    to_customer_view = first_socket.messages() + socket.messages()
    agent_frames = _conversation_messages(agent.ws, cid)
    agent_view = _first_arrivals(agent_frames)
    after_kill = [f["message"]["seq"] for f in agent.ws.frames[agent_frames_at_kill:]
                  if f["type"] == "message" and f.get("conversation_id") == cid]
    to_customer = [m["text"] for m in to_customer_view if m["sender"] == "agent"]
    to_agent = [m["text"] for m in agent_view
                if m["sender"] == "customer" and m["text"].startswith(("live", "after"))]
    sent_by_agent = [f"live agent {i}" for i in range(EACH_WAY)] + \
        [f"outage agent {i}" for i in range(DURING_OUTAGE)] + [f"after agent {i}" for i in range(3)]
    sent_by_customer = [f"live customer {i}" for i in range(EACH_WAY)] + [f"after customer {i}" for i in range(3)]
    back = re.findall(r"pub/sub connection back after ([0-9.]+)s", pair.a_service.log_path.read_text())
    numbers["broker_back_after_s"] = float(back[-1]) if back else None
    numbers.update(
        sent=len(sent_by_agent) + len(sent_by_customer), received=len(to_customer) + len(to_agent),
        lost=len(set(sent_by_agent) - set(to_customer)) + len(set(sent_by_customer) - set(to_agent)),
        duplicated=len(to_customer) - len(set(to_customer)) + len(to_agent) - len(set(to_agent)),
        resent_to_agent_by_reopening=len(agent_frames) - len(agent_view),
        last_seq=last)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "two_instances.json").write_text(json.dumps(numbers, indent=2) + "\n")

    # Every message on both of the customer's sockets together once, in order; the same on the agent's.
    assert _seqs(to_customer_view) == list(range(1, last + 1))
    assert _seqs(agent_view) == list(range(1, last + 1))
    assert after_kill == sorted(set(after_kill))  # nothing resent on B: its subscriptions never broke
    assert to_customer == sent_by_agent
    assert to_agent == sent_by_customer
    assert agent.ws.ws.close_code is None  # B was never cut off
    await customer.ws.close()
    await agent.ws.close()


async def test_an_agent_with_consoles_on_both_instances_stays_online_until_the_last_closes(pair: Pair) -> None:
    on_a = await Agent(pair.a, "noa", "noa-demo").login()
    on_b = await Agent(pair.b, "noa", "noa-demo").login()
    assert (await on_a.presence("online"))["status"] == "online"

    async def presence() -> str:
        async with httpx.AsyncClient(base_url=pair.b, headers={"Authorization": f"Bearer {on_b.token}"}) as http:
            team = (await http.get("/api/agent/team")).json()
        return str(next(m for m in team if m["id"] == "noa")["presence"])

    await on_a.ws.close()  # her console on A goes; the one on B is still open: she stays online
    probe = await Agent(pair.a, "bob", "bob-demo").login()  # A has handled sockets since her close
    watcher = await Agent(pair.b, "bob", "bob-demo").login()
    assert await presence() == "online"
    await probe.ws.close()
    start = len(watcher.ws.frames)
    await on_b.ws.close()  # the last one: away
    for _ in range(100):
        if await presence() == "away":
            break
        await watcher.ws.send({"type": "ping"})  # wait on the server, not on a timer
        await watcher.ws.wait_for(lambda f: f["type"] == "pong", start=start)
        start = len(watcher.ws.frames)
    assert await presence() == "away"
    await watcher.ws.close()
