"""Who takes a conversation: the online agent with the skill and the language, fewest open chats
under their maximum, ties to whoever has waited longest since their last assignment. Assignment
is one guarded UPDATE, so never two agents on one chat and never an agent over capacity, with any
number of app processes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ScalarSelect, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.agents.enums import AgentRole, Presence
from handoff.agents.models import Agent
from handoff.conversations.enums import ConversationState
from handoff.conversations.models import Conversation

TAKES_CHATS = (AgentRole.AGENT, AgentRole.SUPERVISOR)


def _open_chats(agent_id: Any) -> ScalarSelect[int]:
    return (select(func.count()).select_from(Conversation)
            .where(Conversation.assigned_agent_id == agent_id, Conversation.state == ConversationState.ASSIGNED)
            .scalar_subquery())


async def candidates(*, session: AsyncSession, conversation: Conversation, any_language: bool = False) -> list[str]:
    """Agents who could take it now, best first (any_language: after waiting too long for one who
    speaks the customer's language)."""
    open_chats = _open_chats(Agent.id).label("open_chats")
    rows = (await session.execute(
        select(Agent, open_chats).where(Agent.presence == Presence.ONLINE, Agent.role.in_(TAKES_CHATS)))).all()
    skill, language = conversation.required_skill, conversation.language
    fit = [(agent, n) for agent, n in rows
           if n < agent.max_chats and (not skill or skill in agent.skills)
           and (any_language or language in agent.languages)]
    never = datetime.min.replace(tzinfo=None)
    fit.sort(key=lambda row: (row[1], (row[0].last_assigned_at or never).replace(tzinfo=None)))
    return [agent.id for agent, _ in fit]


async def anyone_online(*, session: AsyncSession, skill: str | None) -> bool:
    """Whether any online agent could ever take a conversation needing `skill` (in any language,
    as the language fallback would; a full agent frees up, so capacity is not asked)."""
    rows = await session.scalars(select(Agent).where(Agent.presence == Presence.ONLINE,
                                                     Agent.role.in_(TAKES_CHATS), Agent.max_chats > 0))
    return any(not skill or skill in agent.skills for agent in rows)


async def assign(*, session: AsyncSession, conversation_id: str, agent_id: str, now: datetime,
                 from_states: tuple[ConversationState, ...] = (ConversationState.QUEUED,),
                 expect_agent: str | None = None) -> bool:
    """Gives the conversation to the agent if it is still waiting and the agent has room. Of
    concurrent calls, for one conversation or for one agent's last free place, the right number win."""
    # PostgreSQL: lock the agent's row, so two assignments to the same agent run one after the
    # other and the capacity count below sees the first. (SQLite has one writer at a time anyway.)
    max_chats = await session.scalar(select(Agent.max_chats).where(Agent.id == agent_id).with_for_update())
    if max_chats is None:
        await session.rollback()
        return False
    query = update(Conversation).where(
        Conversation.id == conversation_id, Conversation.state.in_([s.value for s in from_states]),
        _open_chats(agent_id) < max_chats)
    if expect_agent is not None:  # a transfer: only from the agent who has it
        query = query.where(Conversation.assigned_agent_id == expect_agent)
    result = await session.execute(
        query.values(state=ConversationState.ASSIGNED, assigned_agent_id=agent_id, assigned_at=now))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        await session.rollback()
        return False
    await session.execute(update(Agent).where(Agent.id == agent_id).values(last_assigned_at=now))
    await session.commit()
    return True
