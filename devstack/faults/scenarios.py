"""The fault scenarios: two app instances on one PostgreSQL database and a Redis broker, behind the
balancer, under relay traffic; one thing is broken mid-traffic and the clients carry on by themselves.

Each returns its figures (docs/reliability.md, "Fault scenarios: figures"): what was sent,
acknowledged, lost, duplicated, out of order, and how long until every conversation was live again.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Awaitable, Callable
from typing import Any

from devstack.balancer import Balancer
from devstack.faults.processes import (
    PG_HOST,
    PG_PORT,
    Cluster,
    RedisServer,
    channel_prefix,
    database_url,
    sockets_counted,
)
from devstack.faults.traffic import Plan, Traffic
from devstack.stack import StackConfig

# The instances' TTL (3 s, devstack/faults/processes.py) and a few sweeps.
COUNTED_OUT_WITHIN_S = 10.0
Fault = Callable[[], Awaitable[tuple[float, float]]]  # breaks something; (when it broke, when it was mended)


async def _until_counted_out(database: str, conversation_ids: list[str], agent_ids: list[str],
                             consoles_before: int, timeout_s: float = COUNTED_OUT_WITHIN_S) -> dict[str, int]:
    """The database's socket counts once they are back to nothing open, or at the timeout. (Polled:
    the counts change in the database, and nothing announces the last one.)"""
    deadline = time.monotonic() + timeout_s
    while True:
        counted = await asyncio.to_thread(sockets_counted, database, conversation_ids, agent_ids)
        done = counted["customer_sockets"] == 0 and counted["console_sockets"] <= consoles_before
        if done or time.monotonic() > deadline:
            return counted
        await asyncio.sleep(0.25)


async def _under_traffic(cluster: Cluster, database: str, plan: Plan, fault: Fault) -> dict[str, Any]:
    started = time.monotonic()
    await cluster.start()
    instances_up = time.monotonic()
    traffic = Traffic(cluster.url, plan)
    agent_ids = [agent.name for agent in traffic.agents]
    try:
        # The consoles counted open before (a scenario before this one on the database may have left some).
        consoles_before = sockets_counted(database, [], agent_ids)["console_sockets"]
        await traffic.setup()
        ready = time.monotonic()
        traffic.start()
        before = await traffic.until_delivered(plan.before)
        fault_at, fault_end_at = await fault()
        traffic.ledger.set_mark()
        after = await traffic.until_delivered(plan.after)
        await traffic.stop()
        traffic_s = time.monotonic() - ready
        drained = await traffic.drain()
        await traffic.check_history()
        figures = traffic.figures(fault_at, fault_end_at)
        figures.update(before_reached=before, after_reached=after, **drained,
                       instances_start_s=round(instances_up - started, 1), setup_s=round(ready - instances_up, 1),
                       traffic_s=round(traffic_s, 1),
                       messages_per_s=round(figures["sent"] / traffic_s, 1) if traffic_s else None)
    finally:
        await traffic.close()
        # Every client has gone: the live instances count out the sockets the killed one served, and
        # those whose close missed the database (handoff/instances/flows.py). What stays counted open
        # was never counted out: a customer online or an agent's console open for ever.
        closed_at = time.monotonic()
        counted = await _until_counted_out(database, [c.conversation_id for c in traffic.customers], agent_ids,
                                           consoles_before)
        counted_out_s = time.monotonic() - closed_at
        logs = cluster.log_problems()
        await cluster.stop()
    figures["app_logs"] = logs
    figures["sockets_still_counted_after_all_closed"] = {
        "customer": counted["customer_sockets"], "console": counted["console_sockets"] - consoles_before}
    figures["all_counted_out_after_s"] = round(counted_out_s, 1)
    figures["duration_s"] = round(time.monotonic() - started, 1)
    return figures


async def kill_one_instance(config: StackConfig, database: str, plan: Plan, *, broker_url: str,
                            name: str = "kill") -> dict[str, Any]:
    """kill -9 of the instance serving the most sockets; its clients reconnect through the balancer
    (to the survivor) with last_seq / resume and send again what was not acknowledged."""
    cluster = Cluster(config, name=name, database_url=database_url(database), broker_url=broker_url)
    killed: dict[str, Any] = {}

    async def fault() -> tuple[float, float]:
        killed["sockets"] = cluster.balancer.open_connections()
        victim = killed["instance"] = cluster.busiest()
        at = time.monotonic()
        cluster.kill(victim)
        return at, at

    figures = await _under_traffic(cluster, database, plan, fault)
    return {"scenario": "kill_instance",
            "fault": "kill -9 of one of two app instances (the one with the most sockets)",
            "killed_instance": killed.get("instance"), "connections_per_instance_at_kill": killed.get("sockets"),
            **figures}


async def redis_restart(config: StackConfig, database: str, plan: Plan, *, outage_s: float = 1.0,
                        name: str = "redis") -> dict[str, Any]:
    """The broker's Redis (the scenario's own) killed and started again on the same port: every socket
    loses its live stream (4408), reconnects and catches up from the database."""
    redis = RedisServer(config.log_dir / f"redis-faults-{name}.log")
    redis.start()
    try:
        await asyncio.to_thread(redis.wait_ready)
        cluster = Cluster(config, name=name, database_url=database_url(database),
                          broker_url=redis.url(channel_prefix(name)))

        async def fault() -> tuple[float, float]:
            at = time.monotonic()
            redis.kill(signal.SIGKILL)
            await asyncio.sleep(outage_s)  # the outage itself: Redis is away this long
            redis.start()
            await asyncio.to_thread(redis.wait_ready)
            return at, time.monotonic()

        figures = await _under_traffic(cluster, database, plan, fault)
    finally:
        redis.kill(signal.SIGTERM)
    return {"scenario": "redis_restart",
            "fault": f"the broker's Redis killed (SIGKILL) and started again on its port after {outage_s:g} s",
            **figures}


async def database_refusing(config: StackConfig, database: str, plan: Plan, *, broker_url: str,
                            outage_s: float = 3.0, name: str = "postgres") -> dict[str, Any]:
    """PostgreSQL reached through the balancer as a proxy, which cuts every connection and refuses new
    ones for outage_s: a message the app could not store must not be acknowledged; its client sends
    it again after reconnecting."""
    proxy = Balancer([(PG_HOST, PG_PORT)])
    await proxy.start()
    outage: dict[str, int] = {}
    try:
        cluster = Cluster(config, name=name, database_url=database_url(database, proxy.port), broker_url=broker_url)

        async def fault() -> tuple[float, float]:
            at = time.monotonic()
            proxy.refuse()
            await asyncio.sleep(outage_s)  # the outage itself: the database is away this long
            proxy.resume()
            outage.update(cut=proxy.stats.cut, refused=proxy.stats.refused)
            return at, time.monotonic()

        figures = await _under_traffic(cluster, database, plan, fault)
    finally:
        await proxy.stop()
    return {"scenario": "database_refusing",
            "fault": f"PostgreSQL connections cut and refused for {outage_s:g} s (through a proxy)",
            "database_connections_cut": outage.get("cut"), "database_connections_refused": outage.get("refused"),
            **figures}
