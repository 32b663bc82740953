"""Reads what the dashboard needs from the database: a few plain queries over the conversations
started in the range (with a customer message), their handoffs, messages, review items and assist
suggestions, portable between SQLite and PostgreSQL; the arithmetic is in figures.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.assist.models import Suggestion
from handoff.clock import as_utc
from handoff.conversations.enums import Sender
from handoff.conversations.models import Conversation, HandoffContext, Message
from handoff.dashboard import figures
from handoff.dashboard.figures import ConversationFacts, Unsure
from handoff.dashboard.periods import Period
from handoff.dashboard.schemas import Dashboard
from handoff.review.models import ReviewItem

Found = dict[str, ConversationFacts]


def _counted(period: Period, language: str | None) -> list[ColumnElement[bool]]:
    """The conversations counted: started in the range (in the language), with a customer message."""
    start, end = period.bounds()
    wrote = select(Message.id).where(Message.conversation_id == Conversation.id,
                                     Message.sender == Sender.CUSTOMER).exists()
    where = [Conversation.created_at >= start, Conversation.created_at < end, wrote]
    if language:
        where.append(Conversation.language == language)
    return where


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


async def _conversations(session: AsyncSession, where: list[ColumnElement[bool]]) -> Found:
    rows = await session.execute(
        select(Conversation.id, Conversation.created_at, Conversation.language, Conversation.state,
               Conversation.queued_at, Conversation.assigned_at, Conversation.closed_at, Conversation.csat_score)
        .where(*where))
    return {cid: ConversationFacts(id=cid, created_at=as_utc(created), language=language, state=state,
                                   handoff_at=_utc(queued), assigned_at=_utc(assigned), closed_at=_utc(closed),
                                   csat=score)
            for cid, created, language, state, queued, assigned, closed, score in rows}


async def _reasons(session: AsyncSession, ids: Select[Any], found: Found) -> None:
    """The latest handoff's reason: its context's (a transfer's context keeps the handoff's reason)."""
    latest = (select(func.max(HandoffContext.id)).where(HandoffContext.conversation_id.in_(ids))
              .group_by(HandoffContext.conversation_id))
    rows = await session.execute(select(HandoffContext.conversation_id, HandoffContext.reason)
                                 .where(HandoffContext.id.in_(latest)))
    for cid, reason in rows:
        if cid in found:
            found[cid].reason = reason


async def _first_replies(session: AsyncSession, ids: Select[Any], found: Found) -> None:
    """The first agent message at or after the latest handoff."""
    rows = await session.execute(
        select(Message.conversation_id, func.min(Message.created_at))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Message.conversation_id.in_(ids), Message.sender == Sender.AGENT,
               Conversation.queued_at.is_not(None), Message.created_at >= Conversation.queued_at)
        .group_by(Message.conversation_id))
    for cid, at in rows:
        if cid in found:
            found[cid].first_agent_at = _utc(at)


async def _customer_messages(session: AsyncSession, ids: Select[Any], found: Found) -> None:
    rows = await session.execute(select(Message.conversation_id, Message.created_at)
                                 .where(Message.conversation_id.in_(ids), Message.sender == Sender.CUSTOMER))
    for cid, at in rows:
        if cid in found:
            found[cid].customer_times.append(as_utc(at))


async def _review_items(session: AsyncSession, ids: Select[Any], found: Found) -> None:
    rows = await session.execute(
        select(ReviewItem.conversation_id, ReviewItem.reasons, ReviewItem.intent, ReviewItem.runner_up)
        .where(ReviewItem.conversation_id.in_(ids)))
    for cid, reasons, intent, runner_up in rows:
        if cid in found:
            found[cid].unsure.append(Unsure(reasons=tuple(reasons or ()), intent=intent, runner_up=runner_up))


async def _suggestions(session: AsyncSession, ids: Select[Any], found: Found) -> None:
    rows = await session.execute(select(Suggestion.conversation_id, Suggestion.outcome)
                                 .where(Suggestion.conversation_id.in_(ids)))
    for cid, outcome in rows:
        if cid in found:
            found[cid].outcomes.append(outcome)


async def facts(*, session: AsyncSession, period: Period, language: str | None) -> list[ConversationFacts]:
    """Each conversation counted, with its handoff, replies, messages, review items and suggestions.
    The later queries select by the same condition as the first; a conversation that came to meet it
    in between (its first customer message written meanwhile) is left out of them too."""
    where = _counted(period, language)
    found = await _conversations(session, where)
    if found:
        ids = select(Conversation.id).where(*where)
        for add in (_reasons, _first_replies, _customer_messages, _review_items, _suggestions):
            await add(session, ids, found)
    return list(found.values())


async def build(*, session: AsyncSession, period: Period, language: str | None) -> Dashboard:
    return figures.dashboard(period, language, await facts(session=session, period=period, language=language))
