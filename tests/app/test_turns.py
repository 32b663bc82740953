"""Bot turns run beside the socket's receive loop: while Rasa hangs on one turn the socket still
answers pings, acknowledges the next message and resumes; the conversation's turns still run one
after the other, in order."""

from __future__ import annotations

import asyncio
import uuid

from tests.app.conftest import InProcessApp


async def test_a_hanging_bot_turn_does_not_stop_the_socket(app: InProcessApp) -> None:
    cid, token = await app.start_conversation()
    socket = await app.customer_socket(cid, token)
    gate = app.bot.hold([{"text": "Here is your answer."}])

    first = uuid.uuid4().hex
    await socket.send({"type": "message", "client_msg_id": first, "text": "where is my order?"})
    await socket.wait_for(lambda f: f["type"] == "ack" and f["client_msg_id"] == first)
    await asyncio.wait_for(app.bot.entered.wait(), 10)  # the turn is inside Rasa now, and stays there

    # The socket is not blocked: a ping, another message and a resume are answered at once.
    start = len(socket.frames)
    await socket.send({"type": "ping"})
    await socket.wait_for(lambda f: f["type"] == "pong", start=start, timeout=2)
    second = uuid.uuid4().hex
    await socket.send({"type": "message", "client_msg_id": second, "text": "hello?"})
    await socket.wait_for(lambda f: f["type"] == "ack" and f["client_msg_id"] == second, timeout=2)
    await socket.send({"type": "resume", "last_seq": 0})
    await socket.wait_for(lambda f: f["type"] == "message" and f["message"]["seq"] == 1, start=start, timeout=2)
    assert app.bot.sent == ["where is my order?"]  # the second turn waits for the first

    gate.set()  # Rasa answers: both turns run, in order, each answered after its own message
    await socket.wait_for(lambda f: f["type"] == "turn" and f["state"] == "done" and f["seq"] == 2)
    assert app.bot.sent == ["where is my order?", "hello?"]
    bot_seqs = sorted({m["seq"] for m in socket.messages() if m["sender"] == "bot"})
    assert bot_seqs == [3, 4]  # each answer after both messages were stored, one per turn
    done = [f["seq"] for f in socket.frames if f["type"] == "turn" and f["state"] == "done"]
    assert done == [1, 2]
    await socket.close()


async def test_a_hanging_rasa_queues_the_customer_without_waiting_for_its_tracker(app: InProcessApp) -> None:
    """The send failed after the client's timeout; the handoff's tracker read would hang as long
    again, so it waits handoff_tracker_timeout_s at most and the person gets the context without it."""
    app.rt.settings.handoff_tracker_timeout_s = 0.2
    app.bot.hanging = True
    cid, token = await app.start_conversation()
    socket = await app.customer_socket(cid, token)
    await socket.send({"type": "message", "client_msg_id": uuid.uuid4().hex, "text": "where is my order?"})
    queued = await socket.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued", timeout=5)
    assert queued["reason"] == "bot_unavailable"
    assert [m["text"] for m in socket.messages() if m["sender"] == "customer"] == ["where is my order?"]
    await socket.close()
