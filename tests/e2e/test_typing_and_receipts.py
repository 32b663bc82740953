"""Typing indicators and read receipts between the customer and the agent, both ways."""

from __future__ import annotations

from devstack.clients import Agent, Customer


async def test_typing_and_read_receipts_both_ways(app_url: str) -> None:
    bob = await Agent(app_url, "bob", "bob-demo").login()
    alice = await Agent(app_url, "alice", "alice-demo").login()
    customer = await Customer(app_url).start()
    await customer.say("I want to talk to a person")
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued")
    cid = customer.conversation_id
    assert (await bob.claim(cid))["type"] == "claimed"

    # The customer types: Bob's console hears it; a burst of keystrokes is one broadcast.
    start = len(bob.ws.frames)
    for _ in range(5):
        await customer.ws.send({"type": "typing"})
    await bob.ws.wait_for(lambda f: f["type"] == "typing" and f["conversation_id"] == cid
                          and f["who"] == "customer", start=start)
    asked = await customer.say("is anyone there?")
    await bob.ws.wait_for(lambda f: f["type"] == "message" and f["message"]["seq"] == asked["seq"])
    assert len([f for f in bob.ws.frames[start:] if f["type"] == "typing"]) == 1

    # Bob reads it: the customer's widget is told how far he has read.
    start = len(customer.ws.frames)
    await bob.ws.send({"type": "read", "conversation_id": cid, "seq": asked["seq"]})
    seen = await customer.ws.wait_for(lambda f: f["type"] == "read", start=start)
    assert seen["who"] == "agent" and seen["seq"] == asked["seq"]

    # Bob types and answers; the customer sees him typing, then reads the answer.
    await bob.ws.send({"type": "typing", "conversation_id": cid})
    typing = await customer.ws.wait_for(lambda f: f["type"] == "typing", start=start)
    assert typing == {"type": "typing", "who": "agent", "agent_id": "bob"}
    answer = await bob.say(cid, "Yes, Bob here.")
    start = len(bob.ws.frames)
    await customer.ws.send({"type": "read", "seq": answer["seq"]})
    receipt = await bob.ws.wait_for(lambda f: f["type"] == "read" and f["who"] == "customer", start=start)
    assert receipt["seq"] == answer["seq"] and receipt["conversation_id"] == cid

    # Receipts only go up and never past the last message; a repeat is not broadcast again.
    for seq in (answer["seq"], answer["seq"] - 1, answer["seq"] + 50):
        await customer.ws.send({"type": "read", "seq": seq})
    for bad in ({"type": "read", "seq": -1}, {"type": "read", "seq": 2**70}, {"type": "read", "seq": "x"}):
        n = len(customer.ws.frames)
        await customer.ws.send(bad)
        assert (await customer.ws.wait_for(lambda f: f["type"] == "error", start=n))["code"] == "invalid_frame"
    n = len(customer.ws.frames)
    await customer.ws.send({"type": "ping"})
    await customer.ws.wait_for(lambda f: f["type"] == "pong", start=n)

    # Only the assigned agent types or reads as "the agent".
    n = len(alice.ws.frames)
    await alice.ws.send({"type": "typing", "conversation_id": cid})
    assert (await alice.ws.wait_for(lambda f: f["type"] == "error", start=n))["code"] == "not_allowed"

    # Stored: after a reload the widget knows what Bob read, the console what the customer read.
    first = customer.ws
    await first.close()
    again = await customer.connect()
    hello = next(f for f in again.frames if f["type"] == "hello")
    assert hello["agent_read_seq"] == asked["seq"]
    queue = await Agent(app_url, "sari", "sari-demo").login()
    row = next(c for c in next(f for f in queue.ws.frames if f["type"] == "queue")["conversations"] if c["id"] == cid)
    assert row["customer_read_seq"] == answer["seq"] and row["agent_read_seq"] == asked["seq"]
    # Nothing of this went the wrong way: the customer never gets their own signals back.
    echoes = [f for f in first.frames + again.frames if f["type"] in ("typing", "read")]
    assert echoes and all(f["who"] == "agent" for f in echoes)

    await bob.close_conversation(cid)
    for agent in (alice, bob, queue):
        await agent.ws.close()
