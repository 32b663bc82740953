from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.agents.models import Agent
from handoff.clock import Clock
from handoff.security import check_password, hash_password


async def seed(*, session: AsyncSession, agents: list[tuple[str, str]], clock: Clock) -> None:
    """Creates the demo agents when there are none yet."""
    if await session.scalar(select(func.count()).select_from(Agent)):
        return
    for name, password in agents:
        session.add(Agent(id=name, display_name=name.capitalize(), password_hash=hash_password(password),
                          created_at=clock.now()))
    await session.commit()


async def authenticate(*, session: AsyncSession, agent_id: str, password: str) -> Agent | None:
    agent = await session.get(Agent, agent_id)
    if agent is None or not check_password(password, agent.password_hash):
        return None
    return agent


async def get(*, session: AsyncSession, agent_id: str) -> Agent | None:
    return await session.get(Agent, agent_id)
