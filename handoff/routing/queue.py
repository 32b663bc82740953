"""The waiting line: who is next, each customer's place in it, and how long they can expect to wait."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.agents.enums import AgentRole, Presence
from handoff.agents.models import Agent
from handoff.conversations.enums import ConversationState
from handoff.conversations.models import Conversation

# One step of priority counts as this much extra waiting: a frustrated customer (2) goes ahead of
# four minutes of queue, never ahead of someone who has waited an hour.
PRIORITY_STEP = timedelta(minutes=2)
RECENT_CLOSED = 50  # handling times averaged for the estimate
# No estimate below this per conversation: chats closed in seconds (spam, duplicates) must not
# promise a waiting customer an agent "now".
MIN_HANDLING_S = 60.0


def _order_key(conversation: Conversation) -> datetime:
    queued = conversation.queued_at or conversation.created_at
    return queued - PRIORITY_STEP * (conversation.priority or 0)


async def waiting(*, session: AsyncSession) -> list[Conversation]:
    """Queued conversations, next first."""
    rows = await session.scalars(select(Conversation).where(Conversation.state == ConversationState.QUEUED))
    return sorted(rows, key=_order_key)


@dataclass(frozen=True)
class Place:
    position: int  # 1: next
    ahead: int
    estimated_wait_s: int


async def average_handling_s(*, session: AsyncSession, default_s: float) -> float:
    """Mean time from an agent joining to closing, over the recently closed conversations."""
    rows = (await session.execute(
        select(Conversation.assigned_at, Conversation.closed_at)
        .where(Conversation.closed_at.is_not(None), Conversation.assigned_at.is_not(None))
        .order_by(Conversation.closed_at.desc()).limit(RECENT_CLOSED))).all()
    durations = [(closed - assigned).total_seconds() for assigned, closed in rows
                 if assigned is not None and closed is not None and closed >= assigned]
    return max(MIN_HANDLING_S, sum(durations) / len(durations)) if durations else default_s


async def online_agents(*, session: AsyncSession) -> int:
    return int(await session.scalar(
        select(func.count()).select_from(Agent)
        .where(Agent.presence == Presence.ONLINE, Agent.role != AgentRole.ADMIN, Agent.max_chats > 0)) or 0)


async def places(*, session: AsyncSession, default_handling_s: float) -> dict[str, Place]:
    """Every waiting customer's place. The estimate: the conversations ahead (and this one) share
    the online agents, each taking the recent average handling time."""
    line = await waiting(session=session)
    if not line:
        return {}
    handling = await average_handling_s(session=session, default_s=default_handling_s)
    agents = max(1, await online_agents(session=session))
    return {c.id: Place(position=i + 1, ahead=i, estimated_wait_s=int(handling * (i + 1) / agents))
            for i, c in enumerate(line)}
