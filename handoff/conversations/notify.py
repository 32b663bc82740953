"""What the participants of a conversation are told, decided in one place: a message is fanned
out on the conversation's channel, a state change becomes the system message for it and a
`state`/`queue_update` pair (who hears which channel: handoff/realtime/channels.py)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from handoff.clock import as_utc
from handoff.conversations import service as conversation_service
from handoff.conversations import texts
from handoff.conversations.enums import ConversationState, Sender
from handoff.conversations.exceptions import ConversationNotFound
from handoff.conversations.models import Conversation, Message
from handoff.conversations.schemas import ConversationSummary, MessagePublic, StoredMessage
from handoff.realtime import channels
from handoff.runtime import Runtime

log = logging.getLogger(__name__)


async def get(rt: Runtime, conversation_id: str) -> Conversation:
    async with rt.sessions() as session:
        conversation = await conversation_service.get(session=session, conversation_id=conversation_id)
    if conversation is None:
        raise ConversationNotFound(conversation_id)
    return conversation


async def publish_message(rt: Runtime, message: Message | StoredMessage) -> None:
    waiter = post_message(rt, message)
    if waiter is not None:
        await asyncio.shield(waiter)  # a publisher cancelled meanwhile leaves the broker's queue whole


def post_message(rt: Runtime, message: Message | StoredMessage) -> asyncio.Future[None] | None:
    """publish_message, queued now (the relay's writer posts a batch's messages in order, then waits
    for them together: an awaited task per message cost the relay ~4% of its time, profiled)."""
    rt.metrics.messages.labels(message.sender).inc()  # every stored message is published (a resend again)
    return rt.broker.post(channels.for_message(message.conversation_id, message.sender), {
        "type": "message", "conversation_id": message.conversation_id,
        "message": MessagePublic.of(message).model_dump(mode="json"),
    })


async def publish_state(rt: Runtime, conversation: Conversation) -> None:
    await rt.broker.publish(channels.conversation(conversation.id), {
        "type": "state", "conversation_id": conversation.id, "state": conversation.state,
        "assigned_agent_id": conversation.assigned_agent_id, "reason": conversation.handoff_reason,
    })
    await publish_summary(rt, conversation, cause="state")


async def publish_summary(rt: Runtime, conversation: Conversation, cause: str = "details") -> None:
    """The conversation's row in every console's list (never to the customer). `cause`: "state" when
    its state or agent changed (an assignment: that agent's consoles open it), "details" otherwise
    (the customer's presence, a rating), which opens nothing."""
    summary = ConversationSummary.of(conversation).model_dump(mode="json")
    await rt.broker.publish(channels.QUEUE, {"type": "queue_update", "conversation": summary, "cause": cause})


async def say(rt: Runtime, conversation_id: str, sender: Sender, text: str, **kwargs: Any) -> Message:
    async with rt.sessions() as session:
        message, _ = await conversation_service.append_message(
            session=session, conversation_id=conversation_id, sender=sender, text=text, clock=rt.clock, **kwargs)
    await publish_message(rt, message)
    return message


async def after_transition(rt: Runtime, previous: ConversationState, conversation: Conversation) -> None:
    """What each participant is told when the conversation changes state."""
    current = ConversationState(conversation.state)
    match (previous, current):
        case (ConversationState.BOT, ConversationState.QUEUED):
            key = "queued"
        case (ConversationState.QUEUED | ConversationState.TICKET, ConversationState.ASSIGNED):
            key = "joined"
            if conversation.queued_at is not None:
                rt.metrics.wait_seconds.observe((rt.clock.now() - as_utc(conversation.queued_at)).total_seconds())
        case (ConversationState.ASSIGNED, ConversationState.BOT):
            key = "back_to_bot"
        case (_, ConversationState.CLOSED):
            key = "closed"
        case _:
            log.warning("unexpected transition %s -> %s of %s", previous, current, conversation.id)
            key = ""
    agent = (conversation.assigned_agent_id or "").capitalize()
    text = texts.system_message(key, conversation.language, agent=agent) if key else ""
    if text:
        await say(rt, conversation.id, Sender.SYSTEM, text)
    await publish_state(rt, conversation)
