"""Handoff to a person, agent claims, and the relay between agent and customer, all live."""

from __future__ import annotations

import asyncio

import httpx

from devstack import demo_shop as shop
from devstack.clients import Agent, Customer


async def _queued(customer: Customer) -> dict:
    return await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued")


async def _context(app_url: str, agent: Agent, conversation_id: str) -> dict:
    async with httpx.AsyncClient(base_url=app_url, headers={"Authorization": f"Bearer {agent.token}"}) as http:
        resp = await http.get(f"/api/agent/conversations/{conversation_id}/context")
        resp.raise_for_status()
        return dict(resp.json())


async def test_explicit_request_reaches_the_console_with_context(app_url: str) -> None:
    agent = await Agent(app_url, "alice", "alice-demo").login()
    order = shop.orders("shipped")[3]
    customer = await Customer(app_url).start()
    await customer.ask(f"where is my order {order['order_id']}?")
    await customer.ask(shop.email_for(order))
    await customer.say("I want to talk to a person")
    state = await _queued(customer)
    assert state["reason"] == "customer_request"

    # The console hears about it live.
    update = await agent.ws.wait_for(lambda f: f["type"] == "queue_update"
                                     and f["conversation"]["id"] == customer.conversation_id
                                     and f["conversation"]["state"] == "queued")
    assert update["conversation"]["handoff_reason"] == "customer_request"

    context = await _context(app_url, agent, customer.conversation_id)
    assert context["reason"] == "customer_request"
    customer_turns = [t for t in context["transcript"] if t["sender"] == "customer"]
    assert customer_turns[0]["text"] == f"where is my order {order['order_id']}?"
    first = customer_turns[0]["nlu"]
    assert first["intent"] == "order_status" and 0.5 < first["confidence"] <= 1.0
    assert {"entity": "order_id", "value": order["order_id"]} in first["entities"]
    assert customer_turns[-1]["nlu"]["intent"] == "human_handoff"
    assert any(t["sender"] == "bot" and order["tracking_number"] in t["text"] for t in context["transcript"])
    # Identity was verified in the chat, so the agent sees the customer and their orders.
    assert context["customer"]["customer_id"] == order["customer_id"]
    assert order["order_id"] in {o["order_id"] for o in context["orders"]}
    assert context["slots"]["order_id"] == order["order_id"]
    await agent.ws.close()


async def test_repeated_misunderstanding_hands_off(app_url: str) -> None:
    customer = await Customer(app_url).start()
    first = " ".join(await customer.ask("qwerty zxcvb"))
    assert "connecting you" not in first
    await customer.say("lorem ipsum dolor sit")
    state = await _queued(customer)
    assert state["reason"] == "repeated_fallback"


async def test_two_agents_claim_at_once_exactly_one_wins(app_url: str) -> None:
    alice = await Agent(app_url, "alice", "alice-demo").login()
    bob = await Agent(app_url, "bob", "bob-demo").login()
    customer = await Customer(app_url).start()
    await customer.say("can I speak to a human agent please")
    await _queued(customer)
    results = await asyncio.gather(alice.claim(customer.conversation_id), bob.claim(customer.conversation_id))
    kinds = sorted(r["type"] for r in results)
    assert kinds == ["claimed", "error"], results
    loser = next(r for r in results if r["type"] == "error")
    assert loser["code"] == "already_claimed"
    joined = await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "assigned")
    winner = "alice" if results[0]["type"] == "claimed" else "bob"
    assert joined["assigned_agent_id"] == winner
    # The loser cannot write in it.
    loser_agent = bob if winner == "alice" else alice
    refused = await loser_agent.say(customer.conversation_id, "hello?")
    assert refused["type"] == "error" and refused["code"] == "not_allowed"
    await alice.ws.close()
    await bob.ws.close()


async def test_agent_and_customer_relay_in_order_and_persisted(app_url: str) -> None:
    agent = await Agent(app_url, "alice", "alice-demo").login()
    customer = await Customer(app_url).start()
    await customer.say("I need a real person")
    await _queued(customer)
    assert (await agent.claim(customer.conversation_id))["type"] == "claimed"
    context_frame = await agent.ws.wait_for(lambda f: f["type"] == "conversation")
    assert context_frame["context"]["reason"] == "customer_request"

    exchange = [("agent", "Hi, I'm Alice. How can I help?"), ("customer", "My parcel is damaged"),
                ("agent", "Sorry to hear that. Can you send a photo?"), ("customer", "<script>alert(1)</script> ok"),
                ("customer", "and one more thing"), ("agent", "Sure, go ahead.")]
    for sender, text in exchange:
        if sender == "agent":
            assert (await agent.say(customer.conversation_id, text))["type"] == "ack"
        else:
            await customer.say(text)
    last = exchange[-1][1]
    await customer.ws.wait_for(lambda f: f["type"] == "message" and f["message"]["text"] == last)
    await agent.ws.wait_for(lambda f: f["type"] == "message" and f["message"]["text"] == last)

    def relayed(messages: list[dict]) -> list[tuple[str, str]]:
        return [(m["sender"], m["text"]) for m in messages if m["sender"] in ("agent", "customer")][-len(exchange):]

    assert relayed(customer.ws.messages()) == exchange
    assert relayed(agent.messages(customer.conversation_id)) == exchange
    # No bot reply after the handoff.
    handoff_seq = next(m["seq"] for m in customer.ws.messages() if m["sender"] == "agent")
    assert not [m for m in customer.ws.messages() if m["sender"] == "bot" and m["seq"] > handoff_seq]
    # Persisted, with strictly increasing sequence numbers.
    stored = await customer.history()
    assert relayed(stored) == exchange
    seqs = [m["seq"] for m in stored]
    assert seqs == list(range(1, len(seqs) + 1))

    await agent.ws.send({"type": "close", "conversation_id": customer.conversation_id})
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "closed")
    refused = await customer.say("hello?")
    assert refused["type"] == "error" and refused["code"] == "conversation_closed"


async def _tracker_events(stack, conversation_id: str) -> list[dict]:
    async with httpx.AsyncClient(base_url=stack.config.rasa_url) as http:
        resp = await http.get(f"/conversations/{conversation_id}/tracker",
                              params={"token": stack.config.rasa_token})
        resp.raise_for_status()
        return list(resp.json()["events"])


async def test_hand_back_to_the_bot(app_url: str, stack) -> None:
    agent = await Agent(app_url, "bob", "bob-demo").login()
    other = await Agent(app_url, "alice", "alice-demo").login()
    customer = await Customer(app_url).start()
    await customer.say("please get me a human")
    await _queued(customer)
    await agent.claim(customer.conversation_id)
    await agent.say(customer.conversation_id, "All sorted. I'll pass you back to the assistant.")

    # Not hers: refused, and the bot's dialogue is not touched (the reset comes after the check).
    before = await _tracker_events(stack, customer.conversation_id)
    start = len(other.ws.frames)
    await other.ws.send({"type": "handback", "conversation_id": customer.conversation_id})
    refused = await other.ws.wait_for(lambda f: f["type"] == "error", start=start)
    assert refused["code"] == "not_allowed"
    assert await _tracker_events(stack, customer.conversation_id) == before

    await agent.ws.send({"type": "handback", "conversation_id": customer.conversation_id})
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "bot")
    after = await _tracker_events(stack, customer.conversation_id)
    new = [(e.get("event"), e.get("name"), e.get("value")) for e in after[len(before):]]
    assert ("slot", "requested_slot", None) in new  # the owner's hand-back did reset the dialogue
    replies = " ".join(await customer.ask("what payment methods can I use?"))
    assert "Visa" in replies
    await agent.ws.close()
    await other.ws.close()


async def test_bot_down_means_a_person_takes_over(stack, tmp_path) -> None:
    """A second app process whose Rasa is unreachable: the customer still reaches a person."""
    from devstack.stack import app_service, free_port

    port = free_port()
    app = app_service(stack.config, port=port, database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
                      name="app-no-rasa", env={
                          "SHOPBOT_RASA_URL": f"http://127.0.0.1:{free_port()}", "SHOPBOT_RASA_TIMEOUT_S": "3",
                          # The team is there whatever the day (hours and nobody online are tests of their own).
                          "SHOPBOT_SUPPORT_HOURS": "always"})
    app.start()
    try:
        await asyncio.to_thread(app.wait_healthy, 60.0)
        customer = await Customer(f"http://127.0.0.1:{port}").start()
        await customer.say("where is my order 10010?")
        state = await _queued(customer)
        assert state["reason"] == "bot_unavailable"
        stored = await customer.history()
        assert stored[0]["text"] == "where is my order 10010?"  # nothing the customer said is lost
    finally:
        app.stop()
