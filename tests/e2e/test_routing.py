"""The support team through the real stack: routing by skill and language, the least busy agent,
capacity, the customer's place in the line, closing with a resolution, presence.

These tests run a second app instance on a database of their own (the same Rasa server and action
server as the rest of the suite): agents going online there take every waiting conversation, so
they must not see the queue the other tests leave behind.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from devstack.clients import Agent, Customer
from devstack.stack import Stack, app_service, free_port

HANDOFF = {"en": "I want to talk to a person", "id": "mau ngobrol sama cs manusia aja kak",
           "he": "אני רוצה לדבר עם נציג אנושי"}


@pytest.fixture(scope="module")
def team_url(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    db = tmp_path_factory.mktemp("team") / "team.db"
    app = app_service(stack.config, port=port, database_url=f"sqlite+aiosqlite:///{db}", name="app-team")
    app.start()
    try:
        app.wait_healthy()
        yield f"http://127.0.0.1:{port}"
    finally:
        app.stop()


@pytest.fixture
async def team(team_url: str) -> AsyncIterator[dict[str, Agent]]:
    """The demo team's consoles, all offline; afterwards offline again with no open conversation
    left, so each test starts from an empty line."""
    agents = {name: await Agent(team_url, name, f"{name}-demo").login() for name in ("alice", "bob", "sari", "noa")}
    yield agents
    for agent in agents.values():
        await agent.presence("offline")
    async with httpx.AsyncClient(base_url=team_url,
                                 headers={"Authorization": f"Bearer {agents['alice'].token}"}) as http:
        while rows := (await http.get("/api/agent/queue")).json():
            for row in rows:
                owner = agents.get(row["assigned_agent_id"] or "alice")
                assert owner is not None, row
                if row["state"] == "queued" and (await owner.claim(row["id"]))["type"] != "claimed":
                    continue
                await owner.close_conversation(row["id"])
    for agent in agents.values():
        await agent.ws.close()


async def _escalate(url: str, language: str) -> Customer:
    customer = await Customer(url).start(locale=language)
    await customer.say(HANDOFF[language])
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] in ("queued", "assigned"))
    return customer


async def _assigned_to(customer: Customer) -> str:
    frame = await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "assigned")
    return str(frame["assigned_agent_id"])


async def test_the_agent_with_the_language_gets_it(team_url: str, team: dict[str, Agent]) -> None:
    for name in ("bob", "sari", "noa"):
        assert (await team[name].presence("online"))["status"] == "online"
    hebrew = await _escalate(team_url, "he")
    assert await _assigned_to(hebrew) == "noa"
    indonesian = await _escalate(team_url, "id")
    # bob and sari both speak Indonesian and have no chats: the one assigned longest ago (never) wins
    # a tie; neither is noa.
    assert await _assigned_to(indonesian) in ("bob", "sari")
    joined = await hebrew.ws.wait_for(lambda f: f["type"] == "message" and f["message"]["sender"] == "system"
                                      and "Noa" in f["message"]["text"])
    assert joined
    # The agent's console hears that it is theirs.
    await team["noa"].ws.wait_for(lambda f: f["type"] == "queue_update"
                                  and f["conversation"]["id"] == hebrew.conversation_id
                                  and f["conversation"]["assigned_agent_id"] == "noa")


async def test_least_busy_agent_and_capacity(team_url: str, team: dict[str, Agent]) -> None:
    await team["alice"].presence("online")  # en + he, 3 chats at most
    await team["bob"].presence("online")  # en + id
    first = await _escalate(team_url, "en")
    second = await _escalate(team_url, "en")
    assert {await _assigned_to(first), await _assigned_to(second)} == {"alice", "bob"}  # one each, not two
    # Fill both to capacity (3 each): the seventh English customer waits.
    rest = [await _escalate(team_url, "en") for _ in range(5)]
    owners = [await _assigned_to(c) for c in rest[:4]]
    assert [*owners, await _assigned_to(first), await _assigned_to(second)].count("alice") == 3
    last = rest[4]
    place = await last.ws.wait_for(lambda f: f["type"] == "queue_position")
    assert place["position"] == 1 and place["estimated_wait_s"] > 0
    assert not any(f["type"] == "state" and f["state"] == "assigned" for f in last.ws.frames)
    # Closing one chat makes room: the waiting customer is assigned at once.
    closed = await team["alice"].close_conversation(
        next(c for c in [first, second, *rest[:4]] if any(
            f["type"] == "state" and f.get("assigned_agent_id") == "alice" for f in c.ws.frames)).conversation_id)
    assert closed["type"] == "state"
    assert await _assigned_to(last) == "alice"


async def test_the_waiting_customer_sees_their_place_change(team_url: str, team: dict[str, Agent]) -> None:
    # Nobody online: both wait; the second is told it is second, then first when the first is taken.
    first = await _escalate(team_url, "en")
    second = await _escalate(team_url, "en")
    one = await first.ws.wait_for(lambda f: f["type"] == "queue_position")
    two = await second.ws.wait_for(lambda f: f["type"] == "queue_position" and f["position"] == 2)
    assert one["position"] == 1 and two["ahead"] == 1
    start = len(second.ws.frames)
    claimed = await team["bob"].claim(first.conversation_id)
    assert claimed["type"] == "claimed"
    moved = await second.ws.wait_for(lambda f: f["type"] == "queue_position", start=start)
    assert moved["position"] == 1
    # A customer coming back while waiting sees their place straight away.
    await second.ws.close()
    again = await second.connect()
    await again.wait_for(lambda f: f["type"] == "queue_position" and f["position"] == 1)


async def test_close_with_a_resolution_code(team_url: str, team: dict[str, Agent]) -> None:
    customer = await _escalate(team_url, "en")
    await team["bob"].claim(customer.conversation_id)
    assert (await team["bob"].close_conversation(customer.conversation_id, "spam"))["state"] == "closed"
    update = await team["bob"].ws.wait_for(lambda f: f["type"] == "queue_update"
                                           and f["conversation"]["id"] == customer.conversation_id
                                           and f["conversation"]["state"] == "closed")
    assert update["conversation"]["resolution"] == "spam"
    async with httpx.AsyncClient(base_url=team_url,
                                 headers={"Authorization": f"Bearer {team['bob'].token}"}) as http:
        rows: list[dict[str, Any]] = (await http.get("/api/agent/queue")).json()
    assert customer.conversation_id not in {r["id"] for r in rows}  # closed ones leave the queue
    bad = await team["bob"].close_conversation(customer.conversation_id, "because")
    assert bad["type"] == "error" and bad["code"] == "invalid_frame"


async def test_an_agent_whose_console_closes_gets_no_new_chats(team_url: str, team: dict[str, Agent]) -> None:
    await team["noa"].presence("online")
    await team["noa"].ws.close()
    customer = await _escalate(team_url, "he")
    place = await customer.ws.wait_for(lambda f: f["type"] == "queue_position")
    assert place["position"] >= 1
    assert not any(f["type"] == "state" and f["state"] == "assigned" for f in customer.ws.frames)
    team["noa"] = await Agent(team_url, "noa", "noa-demo").login()  # the fixture sets it offline again
    await team["noa"].ws.wait_for(lambda f: f["type"] == "hello" and f["agent"]["presence"] == "away")


async def test_admins_manage_the_team_and_nobody_else_can(team_url: str) -> None:
    async with httpx.AsyncClient(base_url=team_url) as http:
        async def token(name: str) -> str:
            resp = await http.post("/api/agent/login", json={"agent_id": name, "password": f"{name}-demo"})
            resp.raise_for_status()
            return str(resp.json()["token"])

        admin = {"Authorization": f"Bearer {await token('dana')}"}
        agent = {"Authorization": f"Bearer {await token('bob')}"}
        new = {"id": "rina", "password": "rina-secret-1", "display_name": "Rina", "role": "agent",
               "skills": ["billing"], "languages": ["id", "en"], "max_chats": 2}
        assert (await http.post("/api/admin/agents", json=new, headers=agent)).status_code == 403
        assert (await http.get("/api/admin/agents", headers=agent)).status_code == 403
        assert (await http.get("/api/admin/agents")).status_code == 401
        created = await http.post("/api/admin/agents", json=new, headers=admin)
        assert created.status_code == 201, created.text
        assert "password" not in created.json() and "password_hash" not in created.json()
        assert (await http.post("/api/admin/agents", json=new, headers=admin)).status_code == 409
        bad = {**new, "id": "rina2", "languages": ["fr"]}
        assert (await http.post("/api/admin/agents", json=bad, headers=admin)).status_code == 422
        changed = await http.patch("/api/admin/agents/rina", json={"max_chats": 5, "skills": ["orders", "billing"]},
                                   headers=admin)
        assert changed.json()["max_chats"] == 5 and changed.json()["skills"] == ["orders", "billing"]
        assert (await http.patch("/api/admin/agents/nobody", json={"max_chats": 1}, headers=admin)).status_code == 404
        team = {a["id"]: a for a in (await http.get("/api/admin/agents", headers=admin)).json()}
        assert {"alice", "bob", "sari", "noa", "dana", "rina"} <= set(team)
        assert team["alice"]["role"] == "supervisor" and team["noa"]["languages"] == ["he"]
        # The new agent can log in with the password the admin set.
        assert (await http.post("/api/agent/login", json={"agent_id": "rina", "password": "rina-secret-1"})
                ).status_code == 200
