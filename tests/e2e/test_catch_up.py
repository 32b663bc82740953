"""Catch-up on the real stack has no cap: a customer who was away while the agent wrote more than a
page (1,000) of messages gets every one of them on reconnect, and the history pages to the end."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from devstack.clients import Agent, Customer

AGENT_MESSAGES = 1_200
BATCH = 100  # acks awaited per batch: the agent's own socket stays well inside its live queue


async def test_a_customer_reconnecting_after_more_than_a_page_gets_everything(app_url: str) -> None:
    agent = await Agent(app_url, "bob", "bob-demo").login()
    customer = await Customer(app_url).start()
    await customer.say("let me talk to an agent")
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued")
    assert (await agent.claim(customer.conversation_id))["type"] == "claimed"
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "assigned")
    await customer.ws.close()

    texts = [f"update {i} while you were away" for i in range(AGENT_MESSAGES)]

    async def relay() -> None:
        for first in range(0, AGENT_MESSAGES, BATCH):
            ids: list[str] = []
            start = len(agent.ws.frames)
            for text in texts[first:first + BATCH]:
                ids.append(uuid.uuid4().hex)
                await agent.ws.send({"type": "message", "conversation_id": customer.conversation_id,
                                     "client_msg_id": ids[-1], "text": text})
            for cid in ids:
                ack = await agent.ws.wait_for(lambda f, cid=cid: f.get("client_msg_id") == cid
                                              and f["type"] in ("ack", "error"), start=start)
                assert ack["type"] == "ack", ack

    await asyncio.wait_for(relay(), 180)

    socket = await customer.connect(last_seq=0)
    last = await socket.wait_for(lambda f: f["type"] == "message" and f["message"]["text"] == texts[-1], 60)
    got = socket.messages()
    seqs = [m["seq"] for m in got]
    assert seqs == list(range(1, last["message"]["seq"] + 1))  # every message once, in order, no gap
    assert [m["text"] for m in got if m["sender"] == "agent"] == texts

    # The HTTP history says there is more and pages to the same end.
    paged: list[int] = []
    after_seq = 0
    async with httpx.AsyncClient(base_url=app_url, headers={"X-Conversation-Token": customer.token}) as http:
        while True:
            resp = await http.get(f"/api/widget/conversations/{customer.conversation_id}/messages",
                                  params={"after_seq": after_seq})
            resp.raise_for_status()
            paged += [m["seq"] for m in resp.json()]
            if resp.headers["X-Has-More"] != "true":
                break
            after_seq = int(resp.headers["X-Next-After-Seq"])
    assert paged == seqs

    closed = await agent.close_conversation(customer.conversation_id)
    assert closed["type"] == "state", closed
    await socket.close()
    await agent.ws.close()
