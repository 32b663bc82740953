"""The support team's accounts: keyword-only functions over the agents table."""

from __future__ import annotations

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.agents.enums import AgentRole, Presence
from handoff.agents.models import Agent
from handoff.agents.passwords import check_password, hash_password
from handoff.agents.schemas import AgentCreate, AgentUpdate
from handoff.clock import Clock
from handoff.config import SeedAgent
from handoff.conversations.enums import ConversationState
from handoff.conversations.models import Conversation
from handoff.instances import service as instance_service
from handoff.instances.enums import SocketKind


async def seed(*, session: AsyncSession, agents: list[SeedAgent], clock: Clock) -> None:
    """Creates the demo team when there are no agents yet."""
    if await session.scalar(select(func.count()).select_from(Agent)):
        return
    for a in agents:
        password_hash = await hash_password(a.password)
        session.add(Agent(id=a.id, display_name=a.id.capitalize(), password_hash=password_hash,
                          created_at=clock.now(), role=AgentRole(a.role), skills=list(a.skills),
                          languages=list(a.languages), max_chats=a.max_chats, presence=Presence.OFFLINE))
    await session.commit()


async def authenticate(*, session: AsyncSession, agent_id: str, password: str) -> Agent | None:
    agent = await session.get(Agent, agent_id)
    # The hash is checked whether or not the agent exists: both answers take the same time.
    ok = await check_password(password, agent.password_hash if agent else None)
    return agent if ok and agent is not None else None


async def get(*, session: AsyncSession, agent_id: str) -> Agent | None:
    return await session.get(Agent, agent_id, populate_existing=True)


async def all_agents(*, session: AsyncSession) -> list[Agent]:
    return list(await session.scalars(select(Agent).order_by(Agent.id)))


async def create(*, session: AsyncSession, body: AgentCreate, clock: Clock) -> Agent:
    if await session.get(Agent, body.id) is not None:
        raise ValueError(f"agent {body.id} exists")
    agent = Agent(id=body.id, display_name=body.display_name, password_hash=await hash_password(body.password),
                  created_at=clock.now(), role=body.role, skills=[s.value for s in body.skills],
                  languages=body.languages, max_chats=body.max_chats, presence=Presence.OFFLINE)
    session.add(agent)
    await session.commit()
    return agent


async def change(*, session: AsyncSession, agent_id: str, body: AgentUpdate) -> Agent | None:
    agent = await session.get(Agent, agent_id)
    if agent is None:
        return None
    values = body.model_dump(exclude_none=True, exclude={"password", "skills"})
    if body.skills is not None:
        values["skills"] = [s.value for s in body.skills]
    if body.password is not None:
        values["password_hash"] = await hash_password(body.password)
    for key, value in values.items():
        setattr(agent, key, value)
    await session.commit()
    return agent


async def set_presence(*, session: AsyncSession, agent_id: str, presence: Presence) -> None:
    await session.execute(update(Agent).where(Agent.id == agent_id).values(presence=presence))
    await session.commit()


async def console_opened(*, session: AsyncSession, agent_id: str, lease: instance_service.Lease) -> None:
    """One more console of the agent, held under `lease`."""
    await session.execute(update(Agent).where(Agent.id == agent_id)
                          .values(console_sockets=Agent.console_sockets + 1))
    instance_service.hold(session, lease, kind=SocketKind.CONSOLE, subject=agent_id)
    await session.commit()


async def console_closed(*, session: AsyncSession, agent_id: str, lease_id: str) -> int | None:
    """One console fewer (never below zero), if its lease was still held; how many are still open, in
    any process (None: counted out already, by a sweep)."""
    if not await instance_service.release(session, lease_id=lease_id):
        await session.rollback()
        return None
    left = await session.scalar(
        update(Agent).where(Agent.id == agent_id)
        .values(console_sockets=case((Agent.console_sockets > 1, Agent.console_sockets - 1), else_=0))
        .returning(Agent.console_sockets))
    await session.commit()
    return int(left or 0)


async def open_chats(*, session: AsyncSession, agent_id: str) -> int:
    return int(await session.scalar(
        select(func.count()).select_from(Conversation)
        .where(Conversation.assigned_agent_id == agent_id, Conversation.state == ConversationState.ASSIGNED)) or 0)
