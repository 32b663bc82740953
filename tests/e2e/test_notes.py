"""Private notes: the team sees them live and on every catch-up; the customer never does, not live,
not after a reconnect, not on resume, not in the HTTP history."""

from __future__ import annotations

import json
import uuid

from devstack.clients import Agent, Customer, Frame


async def _note(agent: Agent, conversation_id: str, text: str) -> Frame:
    cid = uuid.uuid4().hex
    start = len(agent.ws.frames)
    await agent.ws.send({"type": "note", "conversation_id": conversation_id, "client_msg_id": cid, "text": text})
    return await agent.ws.wait_for(lambda f: f.get("client_msg_id") == cid and f["type"] in ("ack", "error"),
                                   start=start)


def _seen(frames: list[Frame], secret: str) -> bool:
    return any(secret in json.dumps(f, ensure_ascii=False) for f in frames)


async def test_a_private_note_never_reaches_the_customer(app_url: str) -> None:
    bob = await Agent(app_url, "bob", "bob-demo").login()
    alice = await Agent(app_url, "alice", "alice-demo").login()
    customer = await Customer(app_url).start()
    await customer.say("I want to talk to a person")
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued")
    cid = customer.conversation_id
    assert (await bob.claim(cid))["type"] == "claimed"

    # Alice follows the chat (any agent may read and leave a note); Bob has it.
    await alice.ws.send({"type": "resume", "conversation_id": cid, "last_seq": 0})
    await alice.ws.wait_for(lambda f: f["type"] == "conversation" and f["conversation"]["id"] == cid)
    secret_a, secret_b = f"note-a-{uuid.uuid4().hex[:8]}", f"note-b-{uuid.uuid4().hex[:8]}"
    acked = await _note(alice, cid, f"Customer was rude last week {secret_a}")
    assert acked["type"] == "ack"
    await _note(bob, cid, f"Refund above my limit, asking a supervisor {secret_b}")
    reply = await bob.say(cid, "Thanks for waiting, I'm on it.")
    assert reply["type"] == "ack"

    # Both consoles hear both notes, in order, as notes.
    for agent in (alice, bob):
        await agent.ws.wait_for(lambda f: f["type"] == "message" and f["message"]["seq"] == reply["seq"])
        notes = [m for m in agent.messages(cid) if m["sender"] == "note"]
        assert [m["author_id"] for m in notes] == ["alice", "bob"]
    # The customer got the agent's reply (after the notes' sequence numbers) and nothing of the notes.
    await customer.ws.wait_for(lambda f: f["type"] == "message" and f["message"]["seq"] == reply["seq"])
    assert not _seen(customer.ws.frames, secret_a) and not _seen(customer.ws.frames, secret_b)
    assert all(m["sender"] != "note" for m in customer.ws.messages())

    # Not after a reconnect from the start, nor on an explicit resume, nor in the HTTP history.
    await customer.ws.close()
    again = await customer.connect(last_seq=0)
    await again.wait_for(lambda f: f["type"] == "message" and f["message"]["seq"] == reply["seq"])
    start = len(again.frames)
    await again.send({"type": "resume", "last_seq": 0})
    await again.wait_for(lambda f: f["type"] == "message" and f["message"]["seq"] == reply["seq"], start=start)
    await again.send({"type": "ping"})
    await again.wait_for(lambda f: f["type"] == "pong", start=start)
    history = await customer.history()
    assert not _seen(again.frames, secret_a) and not _seen(again.frames, secret_b)
    assert not _seen(history, secret_a) and not _seen(history, secret_b)
    assert reply["seq"] in [m["seq"] for m in history]

    # A colleague opening the chat later catches up on the notes too.
    sari = await Agent(app_url, "sari", "sari-demo").login()
    await sari.ws.send({"type": "resume", "conversation_id": cid, "last_seq": 0})
    await sari.ws.wait_for(lambda f: f["type"] == "message" and f["message"]["seq"] == reply["seq"])
    assert _seen(sari.ws.frames, secret_a) and _seen(sari.ws.frames, secret_b)

    # A note on a conversation that does not exist is refused.
    refused = await _note(bob, "no-such-conversation", "hello")
    assert refused["type"] == "error" and refused["code"] == "not_found"

    await bob.close_conversation(cid)
    for agent in (alice, bob, sari):
        await agent.ws.close()
