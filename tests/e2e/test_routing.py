"""The support team through the real stack: routing by skill and language, the least busy agent,
capacity, the customer's place in the line, closing with a resolution, presence.

These tests run on `team_url` (tests/conftest.py), a second app instance with a database of its
own: agents going online there take every waiting conversation, so they must not see the queue the
other tests leave behind.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from devstack.clients import Agent, Customer

HANDOFF = {"en": "I want to talk to a person", "id": "mau ngobrol sama cs manusia aja kak",
           "he": "אני רוצה לדבר עם נציג אנושי"}


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


async def test_transfer_to_a_colleague_with_a_private_note(team_url: str, team: dict[str, Agent]) -> None:
    customer = await _escalate(team_url, "en")
    assert (await team["bob"].claim(customer.conversation_id))["type"] == "claimed"
    note = "Gold customer, wants the refund today - please check the invoice"
    start = len(team["alice"].ws.frames)
    await team["bob"].ws.send({"type": "transfer", "conversation_id": customer.conversation_id,
                               "to_agent_id": "alice", "note": note})
    await team["bob"].ws.wait_for(lambda f: f["type"] == "transferred")
    # Alice's console opens it with the whole context and the note.
    opened = await team["alice"].ws.wait_for(lambda f: f["type"] == "conversation"
                                             and f["conversation"]["id"] == customer.conversation_id, start=start)
    assert opened["conversation"]["assigned_agent_id"] == "alice"
    assert opened["context"]["transfer"]["note"] == note and opened["context"]["transfer"]["from_agent_id"] == "bob"
    assert opened["context"]["transcript"], "the context is the whole one, not just the note"
    told = await customer.ws.wait_for(lambda f: f["type"] == "message" and f["message"]["sender"] == "system"
                                      and "colleague" in f["message"]["text"])
    assert told
    assert all(note not in str(f) for f in customer.ws.frames), "the note reached the customer"
    # Bob no longer owns it; a transfer to nobody real is refused.
    await team["alice"].ws.send({"type": "transfer", "conversation_id": customer.conversation_id,
                                 "to_agent_id": "nobody", "note": "x"})
    error = await team["alice"].ws.wait_for(lambda f: f["type"] == "error" and f["code"] == "not_allowed")
    assert error["conversation_id"] == customer.conversation_id


async def test_transfer_back_to_the_line_for_billing_keeps_the_place(team_url: str, team: dict[str, Agent]) -> None:
    first = await _escalate(team_url, "en")
    second = await _escalate(team_url, "en")
    await team["bob"].claim(first.conversation_id)
    start = len(first.ws.frames)
    await team["bob"].ws.send({"type": "transfer", "conversation_id": first.conversation_id, "skill": "billing",
                               "note": "a billing question after all"})
    queued = await first.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued", start=start)
    assert queued["assigned_agent_id"] is None
    # It waited before the second customer, and still goes first.
    place = await first.ws.wait_for(lambda f: f["type"] == "queue_position", start=start)
    assert place["position"] == 1
    await second.ws.wait_for(lambda f: f["type"] == "queue_position" and f["position"] == 2)
    update = await team["bob"].ws.wait_for(lambda f: f["type"] == "queue_update"
                                           and f["conversation"]["id"] == first.conversation_id
                                           and f["conversation"]["state"] == "queued")
    assert update["conversation"]["required_skill"] == "orders"  # a request for a person: orders
    moved = await team["bob"].ws.wait_for(lambda f: f["type"] == "queue_update"
                                          and f["conversation"]["id"] == first.conversation_id
                                          and f["conversation"]["required_skill"] == "billing")
    assert moved["conversation"]["state"] == "queued"


async def test_an_unanswered_chat_is_offered_again(team_url: str, team: dict[str, Agent]) -> None:
    await team["alice"].presence("online")
    await team["bob"].presence("online")
    customer = await _escalate(team_url, "en")
    first = await _assigned_to(customer)
    # Nobody answers: after the (test's) answer timeout the customer keeps their place and is told,
    # and the conversation goes to the other agent.
    sorry = await customer.ws.wait_for(lambda f: f["type"] == "message" and f["message"]["sender"] == "system"
                                       and "Sorry for the wait" in f["message"]["text"], timeout=30)
    start = customer.ws.frames.index(next(f for f in customer.ws.frames if f is sorry))
    again = await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "assigned", start=start)
    assert again["assigned_agent_id"] != first
    # Once the agent writes, it stays theirs.
    agent = team[again["assigned_agent_id"]]
    assert (await agent.say(customer.conversation_id, "Hi, I'm here, sorry for the wait!"))["type"] == "ack"


async def test_billing_problems_go_to_an_agent_with_billing(team_url: str, team: dict[str, Agent]) -> None:
    # bob has orders and billing, but this test makes him orders-only for the moment.
    async with httpx.AsyncClient(base_url=team_url) as http:
        login = await http.post("/api/agent/login", json={"agent_id": "dana", "password": "dana-demo"})
        admin = {"Authorization": f"Bearer {login.json()['token']}"}
        await http.patch("/api/admin/agents/bob", json={"skills": ["orders"]}, headers=admin)
        try:
            await team["bob"].presence("online")
            customer = await Customer(team_url).start()
            await customer.say("you charged my card for an order I cancelled last week")
            queued = await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued")
            assert queued["reason"] == "charge_dispute"
            await customer.ws.wait_for(lambda f: f["type"] == "queue_position")
            assert not any(f["type"] == "state" and f["state"] == "assigned" for f in customer.ws.frames)
            await team["alice"].presence("online")  # en + billing
            assert await _assigned_to(customer) == "alice"
        finally:
            await http.patch("/api/admin/agents/bob", json={"skills": ["orders", "billing"]}, headers=admin)


async def test_nobody_with_the_language_then_any_agent(team_url: str, team: dict[str, Agent]) -> None:
    await team["alice"].presence("online")  # English and Hebrew only
    customer = await _escalate(team_url, "id")
    await customer.ws.wait_for(lambda f: f["type"] == "queue_position")
    assert not any(f["type"] == "state" and f["state"] == "assigned" for f in customer.ws.frames)
    # After the (test's) fallback time it goes to the agent who is there; her console shows its language.
    assert await _assigned_to(customer) == "alice"
    opened = await team["alice"].ws.wait_for(lambda f: f["type"] == "conversation"
                                             and f["conversation"]["id"] == customer.conversation_id)
    assert opened["conversation"]["language"] == "id"


async def test_a_chat_whose_agent_went_away_is_offered_again(team_url: str, team: dict[str, Agent]) -> None:
    await team["sari"].presence("online")  # Indonesian
    customer = await _escalate(team_url, "id")
    assert await _assigned_to(customer) == "sari"
    await team["sari"].ws.close()  # her console goes: she is away, the chat stays hers for a grace period
    team["sari"] = await Agent(team_url, "sari", "sari-demo").login()
    assert team["sari"].ws.frames[0]["agent"]["presence"] == "away"
    await team["bob"].presence("online")  # English and Indonesian
    # After the grace period the unanswered chat goes back to the line and on to bob.
    start = len(customer.ws.frames)
    again = await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "assigned", start=start)
    assert again["assigned_agent_id"] == "bob"
    # Told in their language that they keep their place.
    await customer.ws.wait_for(lambda f: f["type"] == "message" and "Maaf menunggu" in f["message"]["text"],
                               start=start)


async def test_the_agent_sees_the_customer_gone_away_and_back(team_url: str, team: dict[str, Agent]) -> None:
    await team["noa"].presence("online")
    customer = await _escalate(team_url, "he")
    assert await _assigned_to(customer) == "noa"
    noa = team["noa"].ws
    cid = customer.conversation_id

    async def seen(presence: str, start: int) -> None:
        await noa.wait_for(lambda f: f["type"] == "queue_update" and f["conversation"]["id"] == cid
                           and f["conversation"]["customer_presence"] == presence, start=start)

    # The console opened the chat routed to it; the customer is there.
    opened = await noa.wait_for(lambda f: f["type"] == "conversation" and f["conversation"]["id"] == cid)
    assert opened["conversation"]["customer_presence"] == "online"

    start = len(noa.frames)
    await customer.ws.send({"type": "presence", "status": "away"})  # the widget hidden or closed
    await seen("away", start)
    start = len(noa.frames)
    await customer.ws.send({"type": "presence", "status": "online"})
    await seen("online", start)

    start = len(noa.frames)
    await customer.ws.close()  # the tab closed
    await seen("gone", start)
    start = len(noa.frames)
    await customer.connect(last_seq=0)  # back with the same conversation token
    await seen("online", start)

    # "gone" is the server's to say; a widget cannot claim it, nor send anything else as presence.
    for status in ("gone", "offline", 1):
        start = len(customer.ws.frames)
        await customer.ws.send({"type": "presence", "status": status})
        refused = await customer.ws.wait_for(lambda f: f["type"] == "error", start=start)
        assert refused["code"] == "invalid_frame"
    # The customer never hears the console's list.
    assert not [f for f in customer.ws.frames if f["type"] == "queue_update"]
