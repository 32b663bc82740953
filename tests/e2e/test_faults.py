"""Faults against real processes, under relay traffic: two app instances on one fresh PostgreSQL
database and a Redis broker, behind the devstack balancer; four customers each in a chat with an
agent (two agents, two chats each), both sides writing every 0.2 s. Mid-traffic one thing breaks:

- an app instance is killed with SIGKILL (the one serving the most sockets);
- the broker's Redis (one of the test's own) is killed and started again on its port;
- PostgreSQL, reached through the balancer as a proxy, cuts every connection and refuses new ones for 3 s.

The clients do what the widget and the console do (devstack/faults/parties.py): reconnect through
the balancer with `last_seq` or `resume`, and send again, with the same client_msg_id, whatever was
not acknowledged. Nothing acknowledged may be lost, nothing duplicated (on a connection, or in the
history), nothing out of order, and every chat must be live again without anyone stepping in. The
figures go to tests/artifacts/reliability/<scenario>.json (docs/reliability.md). The balancer itself
is tested first, on its own."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from devstack.balancer import Balancer
from devstack.faults import Plan, database_refusing, fresh_database, kill_one_instance, redis_restart
from devstack.stack import Stack
from tests.conftest import ARTIFACTS
from tests.support.redis_admin import broker_url, channel_prefix

OUT = ARTIFACTS / "reliability"
PLAN = Plan(conversations=4, agents=2, interval_s=0.2, before=80, after=120)
SCENARIO_LIMIT_S = 60


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A fresh PostgreSQL database for the module (the first instance started creates the tables and
    the scenarios' team); a PostgreSQL that is not there fails the tests here."""
    with fresh_database("shopbot_faults") as name:
        yield name


def _record(figures: dict[str, Any]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{figures['scenario']}.json").write_text(json.dumps(figures, indent=2) + "\n")


def _assert_nothing_lost_and_recovered(figures: dict[str, Any]) -> None:
    shown = json.dumps(figures, indent=1)
    assert figures["sockets_dropped_after_fault"] > 0, shown  # the fault reached the clients
    assert figures["before_reached"] and figures["after_reached"], shown  # traffic before, and live again after
    # Every message is acknowledged in the end (sent again until it is), and each once per seq.
    assert figures["sent"] >= PLAN.before + PLAN.after and figures["unacknowledged"] == 0, shown
    assert figures["lost"] == 0, shown
    assert figures["stored_twice"] == 0 and figures["ack_seq_mismatch"] == 0, shown
    assert figures["out_of_order_across_reconnects"] == 0 and figures["stored_out_of_send_order"] == 0, shown
    # Without manual steps: everything arrived without forcing a reconnect, and every chat is live again.
    assert figures["all_delivered_without_help"] and figures["stalled"] == 0, shown
    assert figures["recovery_s"] is not None, shown
    assert figures["duration_s"] < SCENARIO_LIMIT_S, shown
    # Exactly once and in order on every connection, across the reconnects too. (A customer's presence
    # update used to re-open an assigned chat from seq 0 on a console that had just reconnected,
    # `*_by_reopening` below; only a state change opens one now: api/routers/ws_agent.py.)
    assert (figures["delivered_twice_on_one_connection"], figures["out_of_order_on_a_connection"],
            figures["redelivered_on_a_later_connection"]) == (0, 0, 0), shown
    # Once every client has gone, nobody is still counted online: the killed instance's sockets, and
    # closes the database missed, are counted out by the live instances (handoff/instances/). Before,
    # 4 customers and 4 consoles stayed open for ever after the kill, 8 and 4 after PostgreSQL's outage.
    assert figures["sockets_still_counted_after_all_closed"] == {"customer": 0, "console": 0}, shown


async def test_the_balancer_takes_turns_skips_a_dead_backend_and_refuses_on_demand() -> None:
    """The balancer alone, in front of two echo servers that say who they are."""
    async def serve(name: bytes) -> asyncio.Server:
        async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            while data := await reader.read(1024):
                writer.write(name + b":" + data)
                await writer.drain()
            writer.close()
        return await asyncio.start_server(echo, "127.0.0.1", 0)

    async def read(reader: asyncio.StreamReader) -> bytes:
        try:
            return await reader.read(1024)
        except ConnectionResetError:  # the balancer cuts with a reset, as a dying peer does
            return b""

    async def ask(port: int) -> bytes:
        """The answer to one connection's question; b"": closed without one."""
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"hi")
        answer = await read(reader)
        writer.close()
        return answer

    servers = [await serve(b"a"), await serve(b"b")]
    balancer = Balancer([("127.0.0.1", int(s.sockets[0].getsockname()[1])) for s in servers])
    await balancer.start()
    try:
        assert sorted([await ask(balancer.port) for _ in range(4)]) == [b"a:hi", b"a:hi", b"b:hi", b"b:hi"]
        servers[0].close()
        await servers[0].wait_closed()
        assert [await ask(balancer.port) for _ in range(3)] == [b"b:hi"] * 3  # a refuses: b takes them
        reader, writer = await asyncio.open_connection("127.0.0.1", balancer.port)
        writer.write(b"held")
        assert await read(reader) == b"b:held"
        balancer.refuse()
        assert await read(reader) == b""  # the connection in progress is cut
        writer.close()
        assert await ask(balancer.port) == b""  # and a new one closed at once
        balancer.resume()
        assert await ask(balancer.port) == b"b:hi"
        assert balancer.stats.cut == 1 and balancer.stats.refused == 1
    finally:
        await balancer.stop()
        servers[1].close()


async def test_kill_9_of_one_of_two_instances_under_relay_traffic(stack: Stack, database: str) -> None:
    figures = await kill_one_instance(stack.config, database, PLAN, broker_url=broker_url(channel_prefix()))
    _record(figures)
    _assert_nothing_lost_and_recovered(figures)
    assert figures["close_codes"].get("1006", 0) > 0  # sockets cut by the crash, not closed by the server


async def test_the_broker_s_redis_restarted_under_relay_traffic(stack: Stack, database: str) -> None:
    figures = await redis_restart(stack.config, database, PLAN, outage_s=1.0)
    _record(figures)
    _assert_nothing_lost_and_recovered(figures)
    assert figures["close_codes"].get("4408", 0) > 0  # cut off by the app: its live stream had a hole


async def test_postgresql_refusing_connections_for_3_s_under_relay_traffic(stack: Stack, database: str) -> None:
    figures = await database_refusing(stack.config, database, PLAN, broker_url=broker_url(channel_prefix()),
                                      outage_s=3.0)
    _record(figures)
    _assert_nothing_lost_and_recovered(figures)
    assert figures["fault_s"] >= 3.0
    assert figures["database_connections_cut"] > 0  # the app's connections were in use when it broke
