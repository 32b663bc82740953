"""Routing on a real database (SQLite and PostgreSQL): who gets a conversation, and that no chat
ever has two agents and no agent ever goes over capacity, however many assign at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.agents.enums import AgentRole, Presence
from handoff.agents.models import Agent
from handoff.clock import Clock
from handoff.conversations import service
from handoff.conversations.enums import ConversationState
from handoff.conversations.models import Conversation
from handoff.routing import assignment
from handoff.routing import queue as queue_service

Sessions = async_sessionmaker[AsyncSession]


async def _agent(sessions: Sessions, clock: Clock, agent_id: str, *, skills: tuple[str, ...] = ("orders", "billing"),
                 languages: tuple[str, ...] = ("en",), max_chats: int = 3, presence: Presence = Presence.ONLINE,
                 role: AgentRole = AgentRole.AGENT, last_assigned_minutes_ago: int | None = None) -> str:
    async with sessions() as session:
        last = clock.now() - timedelta(minutes=last_assigned_minutes_ago) if last_assigned_minutes_ago else None
        session.add(Agent(id=agent_id, display_name=agent_id, password_hash="-", created_at=clock.now(), role=role,
                          skills=list(skills), languages=list(languages), max_chats=max_chats, presence=presence,
                          last_assigned_at=last))
        await session.commit()
    return agent_id


async def _queued(sessions: Sessions, clock: Clock, *, language: str = "en", skill: str = "orders",
                  priority: int = 0, waited_minutes: int = 0) -> Conversation:
    async with sessions() as session:
        conversation = await service.create(session=session, customer_id=None, locale=language, clock=clock)
        await session.execute(update(Conversation).where(Conversation.id == conversation.id).values(
            state=ConversationState.QUEUED, queued_at=clock.now() - timedelta(minutes=waited_minutes),
            required_skill=skill, priority=priority))
        await session.commit()
        return await service.get(session=session, conversation_id=conversation.id)  # type: ignore[return-value]


async def _candidates(sessions: Sessions, conversation: Conversation) -> list[str]:
    async with sessions() as session:
        return await assignment.candidates(session=session, conversation=conversation)


async def _assign(sessions: Sessions, clock: Clock, conversation_id: str, agent_id: str) -> bool:
    async with sessions() as session:
        return await assignment.assign(session=session, conversation_id=conversation_id, agent_id=agent_id,
                                       now=clock.now())


async def test_skill_and_language_must_match(sessions: Sessions, clock: Clock) -> None:
    await _agent(sessions, clock, "orders-en", skills=("orders",), languages=("en",))
    await _agent(sessions, clock, "billing-he", skills=("billing",), languages=("he",))
    await _agent(sessions, clock, "all-id", skills=("orders", "billing"), languages=("id",))
    assert await _candidates(sessions, await _queued(sessions, clock, language="he", skill="billing")) == ["billing-he"]
    assert await _candidates(sessions, await _queued(sessions, clock, language="en", skill="orders")) == ["orders-en"]
    assert await _candidates(sessions, await _queued(sessions, clock, language="he", skill="orders")) == []


async def test_away_offline_admins_and_full_agents_get_nothing(sessions: Sessions, clock: Clock) -> None:
    await _agent(sessions, clock, "away", presence=Presence.AWAY)
    await _agent(sessions, clock, "offline", presence=Presence.OFFLINE)
    await _agent(sessions, clock, "admin", role=AgentRole.ADMIN)
    full = await _agent(sessions, clock, "full", max_chats=1)
    assert await _assign(sessions, clock, (await _queued(sessions, clock)).id, full)
    assert await _candidates(sessions, await _queued(sessions, clock)) == []


async def test_least_busy_first_then_longest_since_last_assignment(sessions: Sessions, clock: Clock) -> None:
    busy = await _agent(sessions, clock, "busy", last_assigned_minutes_ago=90)
    recent = await _agent(sessions, clock, "recent", last_assigned_minutes_ago=1)
    rested = await _agent(sessions, clock, "rested", last_assigned_minutes_ago=30)
    assert await _assign(sessions, clock, (await _queued(sessions, clock)).id, busy)
    assert await _candidates(sessions, await _queued(sessions, clock)) == [rested, recent, busy]


async def test_twenty_concurrent_claims_one_winner(sessions: Sessions, clock: Clock) -> None:
    agents = [await _agent(sessions, clock, f"a{i}") for i in range(20)]
    conversation = await _queued(sessions, clock)
    won = await asyncio.gather(*(_assign(sessions, clock, conversation.id, a) for a in agents))
    assert won.count(True) == 1
    async with sessions() as session:
        stored = await service.get(session=session, conversation_id=conversation.id)
    assert stored is not None and stored.assigned_agent_id == agents[won.index(True)]


async def test_concurrent_assignments_never_exceed_capacity(sessions: Sessions, clock: Clock) -> None:
    agent = await _agent(sessions, clock, "solo", max_chats=2)
    conversations = [await _queued(sessions, clock) for _ in range(12)]
    won = await asyncio.gather(*(_assign(sessions, clock, c.id, agent) for c in conversations))
    assert won.count(True) == 2
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Conversation).where(
            Conversation.assigned_agent_id == agent, Conversation.state == ConversationState.ASSIGNED)) == 2


async def test_concurrent_auto_assignment_respects_every_capacity(sessions: Sessions, clock: Clock) -> None:
    caps = {"x": 1, "y": 2, "z": 3}
    for agent_id, cap in caps.items():
        await _agent(sessions, clock, agent_id, max_chats=cap)
    conversations = [await _queued(sessions, clock) for _ in range(10)]

    async def auto_assign(conversation: Conversation) -> str | None:
        # What each app process does for a waiting conversation: try the best candidates in turn.
        for agent_id in await _candidates(sessions, conversation):
            if await _assign(sessions, clock, conversation.id, agent_id):
                return agent_id
        return None

    results = await asyncio.gather(*(auto_assign(c) for c in conversations * 2))  # each one twice, racing
    async with sessions() as session:
        rows = (await session.execute(select(Conversation.assigned_agent_id, func.count())
                                      .where(Conversation.state == ConversationState.ASSIGNED)
                                      .group_by(Conversation.assigned_agent_id))).all()
    per_agent = dict(rows)
    assert per_agent == caps  # every place filled, none over
    assert sum(r is not None for r in results) == sum(caps.values())  # each winning claim counted once


async def test_queue_order_and_estimates(sessions: Sessions, clock: Clock) -> None:
    await _agent(sessions, clock, "one")
    await _agent(sessions, clock, "two")
    old = await _queued(sessions, clock, waited_minutes=10)
    upset = await _queued(sessions, clock, priority=2, waited_minutes=1)  # 2 steps of 2 min: ahead of 1 min
    new = await _queued(sessions, clock, waited_minutes=2)
    async with sessions() as session:
        places = await queue_service.places(session=session, default_handling_s=300)
    assert [places[c.id].position for c in (old, upset, new)] == [1, 2, 3]
    # Two agents online share the line: the third waits for 1.5 handling times.
    assert places[new.id].estimated_wait_s == 450
