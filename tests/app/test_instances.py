"""Sockets counted in and out across app processes (handoff/instances/): a process that dies without
closing its sockets, a close the database missed, and a live process taken for dead. Before leases,
each of these left a customer online or an agent's console open for ever (the fault bench counted 4
customer and 4 console sockets still open after every client and instance had gone)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from handoff.agents import service as agent_service
from handoff.agents.enums import Presence
from handoff.conversations import service as conversation_service
from handoff.instances import flows as instance_flows
from handoff.instances import service as instance_service
from handoff.instances.models import AppInstance
from tests.app.conftest import InProcessApp, running, settings_for
from tests.app.sockets import AppSocket

DEAD = "a-process-killed-with-sigkill"


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[InProcessApp]:
    """The app with its own sweep out of the way: the test runs the heartbeat and the reaper itself."""
    settings = settings_for(tmp_path).model_copy(update={"sweep_interval_s": 3600.0, "instance_ttl_s": 7200.0})
    async with running(settings) as app:
        yield app


async def _served(socket: AppSocket) -> AppSocket:
    """Once a ping is answered the socket's receive loop runs: it has been counted in."""
    start = len(socket.frames)
    await socket.send({"type": "ping"})
    await socket.wait_for(lambda f: f["type"] == "pong", start=start)
    return socket


async def _counts(app: InProcessApp, conversation_id: str, agent_id: str = "bob") -> tuple[int, str, int, str]:
    """(customer sockets, customer presence, console sockets, agent presence) as the database has them."""
    async with app.rt.sessions() as session:
        conversation = await conversation_service.get(session=session, conversation_id=conversation_id)
        agent = await agent_service.get(session=session, agent_id=agent_id)
    assert conversation is not None and agent is not None
    return (conversation.customer_sockets, conversation.customer_presence, agent.console_sockets,
            agent.presence)


async def _dead_process_holds(app: InProcessApp, conversation_id: str, agent_id: str) -> None:
    """What a process killed with live sockets leaves: its heartbeat long past, a widget socket and a
    console counted in under its leases."""
    long_ago = app.rt.clock.now() - timedelta(hours=3)
    async with app.rt.sessions() as session:
        if await session.get(AppInstance, DEAD) is None:
            session.add(AppInstance(id=DEAD, started_at=long_ago, heartbeat_at=long_ago))
            await session.commit()
        lease = instance_service.Lease(DEAD, long_ago)
        await conversation_service.customer_socket_opened(session=session, conversation_id=conversation_id,
                                                          lease=lease)
        await agent_service.console_opened(session=session, agent_id=agent_id,
                                           lease=instance_service.Lease(DEAD, long_ago))
        await agent_service.set_presence(session=session, agent_id=agent_id, presence=Presence.ONLINE)


async def test_the_sockets_of_a_dead_process_are_counted_out_by_a_live_one(app: InProcessApp) -> None:
    alive_cid, alive_token = await app.start_conversation()
    orphan_cid, _ = await app.start_conversation()
    socket = await _served(await app.customer_socket(alive_cid, alive_token))
    # One customer on both processes (the dead one and this one), another only on the dead one; bob's
    # only console was on the dead one.
    await _dead_process_holds(app, alive_cid, "bob")
    await _dead_process_holds(app, orphan_cid, "alice")
    assert (await _counts(app, alive_cid, "bob"))[::2] == (2, 1)

    assert await instance_flows.reap(app.rt) == 4
    assert await _counts(app, alive_cid, "bob") == (1, "online", 0, "away")  # still here on this process
    assert (await _counts(app, orphan_cid, "alice"))[:2] == (0, "gone")
    assert await instance_flows.reap(app.rt) == 0  # counted out once
    async with app.rt.sessions() as session:  # the dead process is forgotten, this one is not
        assert await session.get(AppInstance, DEAD) is None
        assert await session.get(AppInstance, app.rt.instance_id) is not None

    await socket.close()  # the live socket still counts out normally
    assert (await _counts(app, alive_cid))[:2] == (0, "gone")


async def test_a_close_the_database_missed_is_counted_out_by_the_heartbeat(
        app: InProcessApp, monkeypatch: pytest.MonkeyPatch) -> None:
    cid, token = await app.start_conversation()
    socket = await _served(await app.customer_socket(cid, token))
    assert (await _counts(app, cid))[:2] == (1, "online")

    async def database_away(**_: object) -> None:  # the one fault not caused for real here
        raise OperationalError("UPDATE conversations", {}, ConnectionRefusedError("database away"))

    monkeypatch.setattr(conversation_service, "customer_socket_closed", database_away)
    await socket.close()
    assert (await _counts(app, cid))[:2] == (1, "online")  # the customer has gone; the database says not
    monkeypatch.undo()

    assert await instance_flows.heartbeat(app.rt) == 1
    assert (await _counts(app, cid))[:2] == (0, "gone")
    assert await instance_flows.heartbeat(app.rt) == 0


async def test_a_live_process_taken_for_dead_counts_its_sockets_in_again(app: InProcessApp) -> None:
    cid, token = await app.start_conversation()
    socket = await _served(await app.customer_socket(cid, token))
    login = await app.http.post("/api/agent/login", json={"agent_id": "bob", "password": "bob-demo"})
    console = AppSocket(app.app, "/ws/agent", token=login.json()["token"])
    await _served(console)
    await console.send({"type": "presence", "status": "online"})
    await console.wait_for(lambda f: f["type"] == "presence")
    assert await _counts(app, cid) == (1, "online", 1, "online")

    # Cut off from the database longer than the TTL: another process counts this one's sockets out.
    async with app.rt.sessions() as session:
        await session.execute(update(AppInstance).where(AppInstance.id == app.rt.instance_id)
                              .values(heartbeat_at=app.rt.clock.now() - timedelta(hours=3)))
        await session.commit()
    assert await instance_flows.reap(app.rt) == 2
    assert await _counts(app, cid) == (0, "gone", 0, "away")

    assert await instance_flows.heartbeat(app.rt) == 2  # back: its sockets are still open
    assert (await _counts(app, cid))[:3] == (1, "online", 1)
    await socket.close()
    await console.close()
    assert (await _counts(app, cid))[:3] == (0, "gone", 0)
    assert await instance_flows.heartbeat(app.rt) == 0
