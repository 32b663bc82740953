"""Outside the team's hours a handoff becomes a ticket: the customer learns when the team is back,
leaves a message and an e-mail address, and an agent answers later in the same conversation.
Runs on `hours_url` (tests/conftest.py), an app whose clock is fixed inside English hours and
outside Indonesian and Hebrew ones."""

from __future__ import annotations

import httpx

from devstack.clients import Agent, Customer


async def _handoff(url: str, language: str, text: str) -> Customer:
    customer = await Customer(url).start(locale=language)
    await customer.say(text)
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] in ("queued", "ticket"))
    return customer


async def test_outside_hours_a_ticket_answered_later(hours_url: str) -> None:
    customer = await _handoff(hours_url, "id", "mau ngobrol sama cs manusia aja kak")
    state = next(f for f in customer.ws.frames if f["type"] == "state")
    assert state["state"] == "ticket"
    told = await customer.ws.wait_for(lambda f: f["type"] == "message" and f["message"]["sender"] == "system"
                                      and "kembali" in f["message"]["text"])
    # Jakarta's team starts again at 08:00 on Thursday, local time.
    assert "2026-11-26 08:00 (Asia/Jakarta)" in told["message"]["text"]
    assert not any(f["type"] == "queue_position" for f in customer.ws.frames)  # no line to stand in
    # The customer leaves the question and an address; both are stored, the address noted.
    await customer.say("paket sy blm nyampe, tolong dicek ya. email sy budi.santoso@example.com")
    noted = await customer.ws.wait_for(lambda f: f["type"] == "message" and f["message"]["sender"] == "system"
                                       and "budi.santoso@example.com" in f["message"]["text"])
    assert noted
    await customer.ws.close()

    # Later, an agent finds it in the console's list, takes it and answers.
    sari = await Agent(hours_url, "sari", "sari-demo").login()
    async with httpx.AsyncClient(base_url=hours_url, headers={"Authorization": f"Bearer {sari.token}"}) as http:
        rows = (await http.get("/api/agent/queue")).json()
    ticket = next(r for r in rows if r["id"] == customer.conversation_id)
    assert ticket["state"] == "ticket" and ticket["contact_email"] == "budi.santoso@example.com"
    assert (await sari.claim(customer.conversation_id))["type"] == "claimed"
    answer = await sari.say(customer.conversation_id, "Halo Kak, paketnya sudah kami cek: besok sampai.")
    assert answer["type"] == "ack"

    # The customer comes back with the same conversation and finds the answer.
    again = await customer.connect(last_seq=0)
    reply = await again.wait_for(lambda f: f["type"] == "message" and f["message"]["sender"] == "agent")
    assert "besok sampai" in reply["message"]["text"]
    assert (await sari.close_conversation(customer.conversation_id))["state"] == "closed"
    await sari.ws.close()


async def test_inside_hours_the_customer_waits_in_line(hours_url: str) -> None:
    agent = await Agent(hours_url, "bob", "bob-demo").login()
    try:
        await agent.presence("online")
        customer = await _handoff(hours_url, "en", "I want to talk to a person")
        assert next(f for f in customer.ws.frames if f["type"] == "state")["state"] == "queued"
        joined = await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "assigned")
        assert joined["assigned_agent_id"] == "bob"
        await agent.close_conversation(customer.conversation_id)
    finally:
        await agent.presence("offline")
        await agent.ws.close()


async def test_inside_hours_with_nobody_online_a_ticket(hours_url: str) -> None:
    """The English team is at work but nobody is signed in: no line to wait in for nobody. The
    customer is told, leaves an address, and the first agent to come finds it among the tickets."""
    customer = await _handoff(hours_url, "en", "I want to talk to a person")
    assert next(f for f in customer.ws.frames if f["type"] == "state")["state"] == "ticket"
    told = await customer.ws.wait_for(lambda f: f["type"] == "message" and f["message"]["sender"] == "system"
                                      and "Nobody from our team is online" in f["message"]["text"])
    assert "e-mail" in told["message"]["text"]
    assert not any(f["type"] == "queue_position" for f in customer.ws.frames)
    await customer.say("my parcel is late, write me at jo.doe@example.com")
    await customer.ws.wait_for(lambda f: f["type"] == "message" and "jo.doe@example.com" in f["message"]["text"]
                               and f["message"]["sender"] == "system")
    bob = await Agent(hours_url, "bob", "bob-demo").login()
    line = next(f for f in bob.ws.frames if f["type"] == "queue")["conversations"]
    ticket = next(c for c in line if c["id"] == customer.conversation_id)
    assert ticket["state"] == "ticket" and ticket["contact_email"] == "jo.doe@example.com"
    assert (await bob.claim(customer.conversation_id))["type"] == "claimed"
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "assigned")
    await bob.close_conversation(customer.conversation_id)
    await bob.ws.close()
