"""Durable bot turns (handoff/conversations/outbox.py): a customer message stored by a process that
died before the bot answered is answered by the sweep of another process (or queued for a person after
repeated failures); a live process's turn is never taken from it; two sweeping processes run a turn
once."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import timedelta

from sqlalchemy import func, select

from handoff.conversations import outbox
from handoff.conversations import service as conversation_service
from handoff.conversations.enums import Sender
from handoff.conversations.models import Message, PendingTurn
from tests.app.conftest import InProcessApp


async def _pending(app: InProcessApp) -> int:
    async with app.rt.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(PendingTurn)) or 0)


async def _stored_by_a_dead_process(app: InProcessApp, cid: str, text: str, expired: bool = True) -> int:
    """A customer message as a process that then died stored it: with its pending turn, unanswered."""
    moment = app.rt.clock.now() + timedelta(seconds=-1 if expired else 60)
    async with app.rt.sessions() as session:
        message, _ = await conversation_service.append_message(
            session=session, conversation_id=cid, sender=Sender.CUSTOMER, text=text, clock=app.rt.clock,
            client_msg_id=uuid.uuid4().hex, turn_lease=("a-process-that-died", moment))
    return message.seq


async def test_an_answered_turn_leaves_nothing_pending(app: InProcessApp) -> None:
    cid, token = await app.start_conversation()
    socket = await app.customer_socket(cid, token)
    await socket.send({"type": "message", "client_msg_id": "m1", "text": "hi"})
    await socket.wait_for(lambda f: f["type"] == "turn" and f["state"] == "done")
    await asyncio.wait_for(app.rt.turns.drained(cid), 5)  # its row is deleted after the done frame
    assert await _pending(app) == 0
    await socket.close()


async def test_a_dead_processs_turn_is_answered_by_the_sweep(app: InProcessApp) -> None:
    cid, token = await app.start_conversation()
    socket = await app.customer_socket(cid, token)
    app.bot.replies = [{"text": "Your order shipped yesterday."}]
    seq = await _stored_by_a_dead_process(app, cid, "where is my order")
    assert await _pending(app) == 1

    assert await outbox.resume_abandoned(app.rt) == 1
    reply = await socket.wait_for(lambda f: f["type"] == "message" and f["message"]["sender"] == "bot"
                                  and f["message"]["seq"] > seq)
    assert reply["message"]["text"] == "Your order shipped yesterday."
    assert app.bot.sent == ["where is my order"]
    await socket.wait_for(lambda f: f["type"] == "turn" and f["state"] == "done" and f["seq"] == seq)
    await asyncio.wait_for(app.rt.turns.drained(cid), 5)  # its row is deleted after the done frame
    assert await _pending(app) == 0
    assert await outbox.resume_abandoned(app.rt) == 0  # nothing left to take over
    await socket.close()


async def test_a_live_lease_is_not_taken_over(app: InProcessApp) -> None:
    cid, _ = await app.start_conversation()
    await _stored_by_a_dead_process(app, cid, "still being answered elsewhere", expired=False)
    assert await outbox.resume_abandoned(app.rt) == 0
    assert app.bot.sent == []
    assert await _pending(app) == 1


async def test_two_sweeping_processes_run_an_abandoned_turn_once(app: InProcessApp) -> None:
    cid, token = await app.start_conversation()
    socket = await app.customer_socket(cid, token)
    seq = await _stored_by_a_dead_process(app, cid, "is anyone there")
    other = dataclasses.replace(app.rt, instance_id="another-instance")
    taken = await asyncio.gather(outbox.resume_abandoned(app.rt), outbox.resume_abandoned(other))
    assert sorted(taken) == [0, 1]
    await socket.wait_for(lambda f: f["type"] == "turn" and f["state"] == "done" and f["seq"] == seq)
    await asyncio.wait_for(app.rt.turns.drained(cid), 5)  # its row is deleted after the done frame
    assert await _pending(app) == 0
    assert app.bot.sent == ["is anyone there"]
    await socket.close()


async def test_a_turn_interrupted_again_and_again_goes_to_a_person(app: InProcessApp) -> None:
    cid, token = await app.start_conversation()
    socket = await app.customer_socket(cid, token)
    seq = await _stored_by_a_dead_process(app, cid, "refund please")
    async with app.rt.sessions() as session:  # three processes already died running it
        turn = await session.get(PendingTurn, (cid, seq))
        assert turn is not None
        turn.attempts = outbox.MAX_ATTEMPTS
        await session.commit()
    assert await outbox.resume_abandoned(app.rt) == 1
    state = await socket.wait_for(lambda f: f["type"] == "state" and f["state"] in ("queued", "ticket"))
    assert state["state"] == "queued"
    assert app.bot.sent == []  # not tried a fourth time
    await asyncio.wait_for(app.rt.turns.drained(cid), 5)  # its row is deleted after the done frame
    assert await _pending(app) == 0
    await socket.close()


async def test_a_turn_whose_lease_ran_low_is_renewed_first_and_not_run_if_taken_over(app: InProcessApp) -> None:
    """A turn that waited in its queue until less than half of its lease was left renews the lease
    before it runs: once another process has taken it over, this one leaves it alone."""
    cid, _ = await app.start_conversation()
    seq = await _stored_by_a_dead_process(app, cid, "taken over meanwhile", expired=False)
    async with app.rt.sessions() as session:
        message = await session.scalar(select(Message).where(Message.conversation_id == cid, Message.seq == seq))
    assert message is not None
    low = app.rt.clock.now() + timedelta(seconds=app.rt.settings.turn_lease_s / 4)
    await outbox.answer(app.rt, message, held_until=low)  # the row is "a-process-that-died"'s, not ours
    assert app.bot.sent == []
    assert await _pending(app) == 1


async def test_a_fresh_lease_runs_the_turn_without_renewing_it(app: InProcessApp) -> None:
    """Storing the turn took its lease: with most of it left, the turn runs at once, and ends."""
    cid, _ = await app.start_conversation()
    until = app.rt.clock.now() + timedelta(seconds=app.rt.settings.turn_lease_s)
    async with app.rt.sessions() as session:
        message, _ = await conversation_service.append_message(
            session=session, conversation_id=cid, sender=Sender.CUSTOMER, text="hello there", clock=app.rt.clock,
            client_msg_id=uuid.uuid4().hex, turn_lease=(app.rt.instance_id, until))
    await outbox.answer(app.rt, message, held_until=until)
    assert app.bot.sent == ["hello there"]
    assert await _pending(app) == 0
