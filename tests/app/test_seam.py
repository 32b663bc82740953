"""The handoff seam: once a conversation leaves the bot, no bot message is stored in it, however
late the bot's turn comes back; a hand-back replays nothing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from handoff.conversations import flows
from handoff.conversations import service as conversation_service
from handoff.conversations.enums import ConversationState, Sender
from handoff.conversations.exceptions import BotNotInCharge
from handoff.conversations.models import Conversation, Message
from tests.app.conftest import InProcessApp
from tests.app.sockets import AppSocket

LATE = [{"text": "Your order 10007 has shipped."}, {"text": "Anything else I can help with?"}]


async def stored(app: InProcessApp, conversation_id: str) -> list[Message]:
    async with app.rt.sessions() as session:
        return list(await session.scalars(
            select(Message).where(Message.conversation_id == conversation_id).order_by(Message.seq)))


async def state_of(app: InProcessApp, conversation_id: str) -> ConversationState:
    async with app.rt.sessions() as session:
        conversation = await session.get(Conversation, conversation_id)
    assert conversation is not None
    return ConversationState(conversation.state)


async def say(socket: AppSocket, text: str) -> int:
    """Sends a customer message and returns its seq (from the ack)."""
    cid = uuid.uuid4().hex
    start = len(socket.frames)
    await socket.send({"type": "message", "client_msg_id": cid, "text": text})
    ack = await socket.wait_for(lambda f: f["type"] == "ack" and f["client_msg_id"] == cid, start=start)
    return int(ack["seq"])


async def turn_done(socket: AppSocket, seq: int) -> None:
    await socket.wait_for(lambda f: f["type"] == "turn" and f["state"] == "done" and f["seq"] == seq)


async def test_a_slow_turn_says_nothing_after_the_handoff_and_a_hand_back_replays_nothing(app: InProcessApp) -> None:
    conversation_id, token = await app.start_conversation()
    customer = await app.customer_socket(conversation_id, token)
    gate = app.bot.hold(LATE)
    asked = await say(customer, "where is my order 10007?")
    await asyncio.wait_for(app.bot.entered.wait(), 5)  # the bot's turn is inside Rasa (a slow action)

    # Meanwhile the conversation is handed off and a person takes it.
    assert await flows.hand_off(app.rt, conversation_id, "customer_request", "asked from another tab")
    await flows.claim(app.rt, conversation_id, "bob")
    await customer.wait_for(lambda f: f["type"] == "state" and f["state"] == "assigned")
    handed_off_at = max(m.seq for m in await stored(app, conversation_id))

    gate.set()  # the slow action ends: the bot's late replies arrive
    await turn_done(customer, asked)
    messages = await stored(app, conversation_id)
    assert [m.sender for m in messages] == [Sender.CUSTOMER, Sender.SYSTEM, Sender.SYSTEM]  # queued, joined
    assert messages[-1].seq == handed_off_at
    assert not [m for m in customer.messages() if m["sender"] == "bot"]

    # Back to the bot: the dropped replies stay dropped; only a new turn speaks.
    app.bot.gate = None
    app.bot.replies = [{"text": "Back with you. What else?"}]
    await flows.hand_back(app.rt, conversation_id, "bob")
    assert await state_of(app, conversation_id) == ConversationState.BOT
    assert app.bot.resets == [conversation_id]
    again = await say(customer, "thanks, one more thing")
    await turn_done(customer, again)
    bot_texts = [m.text for m in await stored(app, conversation_id) if m.sender == Sender.BOT]
    assert bot_texts == ["Back with you. What else?"]
    assert [m["text"] for m in customer.messages() if m["sender"] == "bot"] == bot_texts
    seqs = [m["seq"] for m in customer.messages()]
    assert seqs == list(range(1, len(seqs) + 1))
    await customer.close()


async def test_a_turn_that_outlives_a_whole_handoff_is_dropped(app: InProcessApp) -> None:
    """Handed off, taken and handed back while Rasa was still answering: the conversation is the
    bot's again, but that turn's replies answer a question a person has dealt with since."""
    conversation_id, token = await app.start_conversation()
    customer = await app.customer_socket(conversation_id, token)
    gate = app.bot.hold(LATE)
    asked = await say(customer, "where is my order 10007?")
    await asyncio.wait_for(app.bot.entered.wait(), 5)
    assert await flows.hand_off(app.rt, conversation_id, "customer_request")
    await flows.claim(app.rt, conversation_id, "bob")
    await flows.hand_back(app.rt, conversation_id, "bob")
    gate.set()
    await turn_done(customer, asked)
    assert not [m for m in await stored(app, conversation_id) if m.sender == Sender.BOT]
    assert await state_of(app, conversation_id) == ConversationState.BOT  # and no second handoff
    await customer.close()


async def test_bot_messages_are_stored_only_while_the_bot_owns_the_conversation(app: InProcessApp) -> None:
    """The check is in the UPDATE that numbers the message: nothing is stored, no seq is used."""
    conversation_id, _ = await app.start_conversation()
    clock = app.rt.clock
    async with app.rt.sessions() as session:
        before = clock.now() - timedelta(seconds=1)
        message, created = await conversation_service.append_message(
            session=session, conversation_id=conversation_id, sender=Sender.BOT, text="hi", clock=clock,
            bot_since=before)
        assert created and message.seq == 1
    assert await flows.hand_off(app.rt, conversation_id, "customer_request")
    async with app.rt.sessions() as session:
        last_seq = (await conversation_service.get(session=session, conversation_id=conversation_id)).last_seq
        with pytest.raises(BotNotInCharge):
            await conversation_service.append_message(session=session, conversation_id=conversation_id,
                                                      sender=Sender.BOT, text="late", clock=clock)
        # Everyone else still writes (the system's messages, agents, notes).
        message, created = await conversation_service.append_message(
            session=session, conversation_id=conversation_id, sender=Sender.SYSTEM, text="note to self",
            clock=clock)
        assert created and message.seq == last_seq + 1
    await flows.claim(app.rt, conversation_id, "bob")
    await flows.hand_back(app.rt, conversation_id, "bob")
    async with app.rt.sessions() as session:
        # Back with the bot: a turn begun before the handoff still may not speak; a new one may.
        with pytest.raises(BotNotInCharge):
            await conversation_service.append_message(session=session, conversation_id=conversation_id,
                                                      sender=Sender.BOT, text="stale", clock=clock, bot_since=before)
        _, created = await conversation_service.append_message(
            session=session, conversation_id=conversation_id, sender=Sender.BOT, text="fresh", clock=clock,
            bot_since=clock.now())
        assert created
        with pytest.raises(LookupError):
            await conversation_service.append_message(session=session, conversation_id="nope", sender=Sender.BOT,
                                                      text="x", clock=clock)
    texts = [m.text for m in await stored(app, conversation_id) if m.sender == Sender.BOT]
    assert texts == ["hi", "fresh"]
