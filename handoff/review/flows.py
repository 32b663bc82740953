"""What puts a customer message in the admins' review inbox: the bot fell back or was unsure on it
(checked after each bot turn), the bot handed the conversation off because it kept not understanding,
an agent ignored the assistant's suggestion for it, or the customer rated the conversation low.

Everything here runs beside the conversation, never in its way: a failure to record is logged and
forgotten (the inbox is material for the next model, not part of serving this customer). Texts are
redacted before they are stored (handoff/review/redaction.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from sqlalchemy import select

from handoff.conversations.enums import Sender
from handoff.conversations.models import Conversation, Message
from handoff.review import entities
from handoff.review import service as review_service
from handoff.review.enums import ReviewReason
from handoff.review.redaction import redact
from handoff.review.service import Understood
from handoff.runtime import Runtime

log = logging.getLogger(__name__)

# The bot's fallback and out-of-scope intents: a message it got one of these for is in the inbox.
FALLBACK_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
LOW_CSAT = 2  # scores of this and below

_background: set[asyncio.Task[None]] = set()


def _beside(work: Coroutine[Any, Any, None]) -> None:
    """Runs `work` in the background, logging (never raising) its failure."""
    async def guarded() -> None:
        try:
            await work
        except Exception as exc:  # an outage (Rasa, the database): one line each, like agent assist's,
            # naming the error only (a database error's text would carry the customer's message).
            log.warning("could not record a message for review (%s)", type(exc).__name__)

    task = asyncio.create_task(guarded())
    _background.add(task)
    task.add_done_callback(_background.discard)


async def settled() -> None:
    """Until everything recorded so far is stored (tests; a shutdown could wait on it too)."""
    while _background:
        await asyncio.gather(*list(_background), return_exceptions=True)


def reasons_for(understood: Understood, threshold: float) -> list[ReviewReason]:
    if understood.intent in FALLBACK_INTENTS:
        return [ReviewReason.FALLBACK]
    if understood.confidence < threshold:
        return [ReviewReason.LOW_CONFIDENCE]
    return []


async def _record(rt: Runtime, message: Message, language: str, reasons: list[ReviewReason],
                  understood: Understood | None = None) -> None:
    if understood is None:
        understood = Understood.of(await rt.bot.parse(message.text))
    text = redact(message.text, language).text
    # The entities are read from the redacted text, the one stored and trained on (its synthetic ids
    # have the real ones' shape, so the model finds them as it would the real ones).
    found = entities.from_parse(text, await rt.bot.parse(text))
    async with rt.sessions() as session:
        await review_service.record(session=session, conversation_id=message.conversation_id, seq=message.seq,
                                    text=text, language=language, reasons=reasons, understood=understood,
                                    clock=rt.clock, entities=found)


async def _observe(rt: Runtime, message: Message, language: str) -> None:
    # The live model's reading of the message: Rasa's webhook answers with the bot's replies, not with
    # what it understood, but its tracker keeps the parse of the latest message. Reading it there
    # rather than parsing again halves Rasa's NLU work per turn (bench/latency found the second
    # parse overlapping the customer's next turn). If the conversation has moved on (its next
    # message already sent), the message is parsed.
    reading = await rt.bot.reading(message.conversation_id)
    if reading.get("text") != message.text or not reading.get("intent"):
        reading = await rt.bot.parse(message.text)
    understood = Understood.of(reading)
    reasons = reasons_for(understood, rt.settings.review_confidence_threshold)
    if reasons:
        await _record(rt, message, language, reasons, understood)


def observe_bot_turn(rt: Runtime, message: Message, language: str) -> None:
    """After the bot's turn on a customer message: into the inbox if it fell back or was unsure."""
    _beside(_observe(rt, message, language))


async def _customer_messages(rt: Runtime, conversation_id: str) -> tuple[Conversation | None, list[Message]]:
    """The conversation and its customer messages the bot handled (before the handoff)."""
    async with rt.sessions() as session:
        conversation = await session.get(Conversation, conversation_id)
        query = select(Message).where(Message.conversation_id == conversation_id, Message.sender == Sender.CUSTOMER)
        if conversation is not None and conversation.queued_at is not None:
            query = query.where(Message.created_at <= conversation.queued_at)
        return conversation, list(await session.scalars(query.order_by(Message.seq)))


async def _mark_conversation(rt: Runtime, conversation_id: str, reason: ReviewReason, only_unsure: bool) -> None:
    conversation, messages = await _customer_messages(rt, conversation_id)
    if conversation is None:
        return
    for message in messages:
        understood = Understood.of(await rt.bot.parse(message.text))
        if only_unsure and not reasons_for(understood, rt.settings.review_confidence_threshold):
            continue
        await _record(rt, message, conversation.language, [reason], understood)


def handed_off_not_understood(rt: Runtime, conversation_id: str) -> None:
    """The bot gave up understanding the customer: its unsure turns get this reason too."""
    _beside(_mark_conversation(rt, conversation_id, ReviewReason.NOT_UNDERSTOOD, only_unsure=True))


def rated(rt: Runtime, conversation_id: str, score: int) -> None:
    """A low rating: every message the bot handled in that conversation is worth a look."""
    if score <= LOW_CSAT:
        _beside(_mark_conversation(rt, conversation_id, ReviewReason.LOW_CSAT, only_unsure=False))


async def _suggestion_ignored(rt: Runtime, conversation_id: str, seq: int, language: str) -> None:
    async with rt.sessions() as session:
        message = await session.scalar(select(Message).where(Message.conversation_id == conversation_id,
                                                             Message.seq == seq))
    if message is not None and message.sender == Sender.CUSTOMER:
        await _record(rt, message, language, [ReviewReason.ASSIST_REJECTED])


def suggestion_ignored(rt: Runtime, conversation_id: str, seq: int, language: str) -> None:
    """An agent ignored the assistant's suggestion for the customer's message `seq`."""
    _beside(_suggestion_ignored(rt, conversation_id, seq, language))
