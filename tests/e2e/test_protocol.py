"""Bad input gets a clear error and loses nothing; reconnects resume exactly where they left off."""

from __future__ import annotations

import json
import uuid

import httpx

from devstack.clients import Agent, Customer, Socket


async def test_malformed_frames_get_errors_and_the_socket_keeps_working(app_url: str) -> None:
    customer = await Customer(app_url).start()
    ws = customer.ws
    bad = [
        ("not json at all", "malformed_json"),
        (json.dumps({"type": "shout", "text": "hi"}), "invalid_frame"),
        (json.dumps({"type": "message", "text": "no id"}), "invalid_frame"),
        (json.dumps({"type": "message", "client_msg_id": "x", "text": "hi", "extra": 1}), "invalid_frame"),
        (json.dumps({"type": "message", "client_msg_id": "x", "text": "   "}), "invalid_frame"),
        (json.dumps({"type": "message", "client_msg_id": "x", "text": "a" * 20_000}), "frame_too_large"),
        (json.dumps({"type": "message", "client_msg_id": "x", "text": "a" * 2_500}), "message_too_long"),
        (json.dumps([1, 2, 3]), "invalid_frame"),
    ]
    for raw, code in bad:
        start = len(ws.frames)
        await ws.send(raw)
        error = await ws.wait_for(lambda f: f["type"] == "error", start=start)
        assert error["code"] == code, (raw[:40], error)
    start = len(ws.frames)
    await ws.ws.send(b"\x00\x01binary")
    assert (await ws.wait_for(lambda f: f["type"] == "error", start=start))["code"] == "binary_frame"
    # Nothing was stored, and the connection still chats.
    assert await customer.history() == []
    replies = await customer.ask("hi")
    assert replies and (await customer.history())[0]["seq"] == 1


async def test_retried_send_is_stored_once(app_url: str) -> None:
    customer = await Customer(app_url).start()
    cid = uuid.uuid4().hex
    first = await customer.say("hello", client_msg_id=cid)
    again = await customer.say("hello", client_msg_id=cid)
    assert first["duplicate"] is False
    assert again["duplicate"] is True and again["seq"] == first["seq"]
    stored = [m for m in await customer.history() if m["sender"] == "customer"]
    assert [m["client_msg_id"] for m in stored] == [cid]


async def test_reconnect_with_last_seq_gets_exactly_the_missed_messages(app_url: str) -> None:
    agent = await Agent(app_url, "bob", "bob-demo").login()
    customer = await Customer(app_url).start()
    await customer.say("let me talk to an agent")
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued")
    await agent.claim(customer.conversation_id)
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "assigned")
    seen = max(m["seq"] for m in customer.ws.messages())
    await customer.ws.close()

    missed_texts = [f"while you were away {i}" for i in range(3)]
    for text in missed_texts:
        assert (await agent.say(customer.conversation_id, text))["type"] == "ack"

    socket = await customer.connect(last_seq=seen)
    await socket.wait_for(lambda f: f["type"] == "message" and f["message"]["text"] == missed_texts[-1])
    got = socket.messages()
    assert [m["text"] for m in got] == missed_texts
    assert [m["seq"] for m in got] == [seen + 1, seen + 2, seen + 3]
    # And live messages keep flowing after the catch-up, without repeats.
    await agent.say(customer.conversation_id, "welcome back")
    await socket.wait_for(lambda f: f["type"] == "message" and f["message"]["text"] == "welcome back")
    seqs = [m["seq"] for m in socket.messages()]
    assert seqs == sorted(set(seqs))
    await agent.ws.close()


async def test_someone_elses_conversation_is_refused(app_url: str) -> None:
    mine = await Customer(app_url).start()
    theirs = await Customer(app_url).start()
    await theirs.say("my secret order question")
    ws_url = app_url.replace("http", "ws", 1)
    socket = await Socket.open(f"{ws_url}/ws/customer/{theirs.conversation_id}", mine.token)
    error = await socket.wait_for(lambda f: f["type"] == "error")
    assert error["code"] == "forbidden"
    async with httpx.AsyncClient(base_url=app_url) as http:
        resp = await http.get(f"/api/widget/conversations/{theirs.conversation_id}/messages",
                              headers={"X-Conversation-Token": mine.token})
    assert resp.status_code == 403


async def test_unknown_conversation_and_bad_tokens(app_url: str) -> None:
    ws_url = app_url.replace("http", "ws", 1)
    socket = await Socket.open(f"{ws_url}/ws/customer/nope", "garbage")
    assert (await socket.wait_for(lambda f: f["type"] == "error"))["code"] == "unauthorized"
    agent_socket = await Socket.open(f"{ws_url}/ws/agent", "garbage")
    assert (await agent_socket.wait_for(lambda f: f["type"] == "error"))["code"] == "unauthorized"
    async with httpx.AsyncClient(base_url=app_url) as http:
        assert (await http.post("/api/agent/login", json={"agent_id": "alice", "password": "wrong"})).status_code == 401
        assert (await http.get("/api/shop/orders/10001")).status_code == 401
        assert (await http.get("/api/shop/orders/10001", headers={"Authorization": "Bearer nope"})).status_code == 403


async def test_agent_on_unknown_conversation_gets_not_found(app_url: str) -> None:
    agent = await Agent(app_url, "alice", "alice-demo").login()
    reply = await agent.claim("does-not-exist")
    assert reply["type"] == "error" and reply["code"] == "not_found"
    await agent.ws.close()
