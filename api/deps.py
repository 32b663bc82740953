"""Request dependencies: the runtime from lifespan state, DB sessions, and who is calling."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, WebSocket, status
from sqlalchemy.ext.asyncio import AsyncSession

from handoff import security
from handoff.agents import service as agent_service
from handoff.agents.enums import AgentRole
from handoff.agents.models import Agent
from handoff.runtime import Runtime
from handoff.security import TokenPurpose

AGENT_TOKEN_TTL_S = 12 * 3600
CONVERSATION_TOKEN_TTL_S = 7 * 24 * 3600


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


def ws_runtime(websocket: WebSocket) -> Runtime:
    return websocket.app.state.runtime  # type: ignore[no-any-return]


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_session(rt: RuntimeDep) -> AsyncIterator[AsyncSession]:
    async with rt.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def _bearer(authorization: str | None) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing bearer token")
    return authorization.split(" ", 1)[1].strip()


def require_service(rt: RuntimeDep, authorization: Annotated[str | None, Header()] = None) -> None:
    """The action server (and other trusted back ends) calling the shop API."""
    if not hmac.compare_digest(_bearer(authorization), rt.settings.service_token):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "invalid service token")


async def current_account(rt: RuntimeDep, session: SessionDep,
                          authorization: Annotated[str | None, Header()] = None) -> Agent:
    """The calling agent's record. Checked on every call: a valid token for an agent who does not
    exist (any more) is refused like a forged one."""
    try:
        agent_id = rt.tokens.verify(TokenPurpose.AGENT, _bearer(authorization))
    except security.InvalidToken as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"invalid agent token: {exc}") from exc
    agent = await agent_service.get(session=session, agent_id=agent_id)
    if agent is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown agent")
    return agent


def current_agent(agent: Annotated[Agent, Depends(current_account)]) -> str:
    return agent.id


ServiceDep = Depends(require_service)
AgentDep = Annotated[str, Depends(current_agent)]


async def require_admin(agent: Annotated[Agent, Depends(current_account)]) -> Agent:
    if agent.role != AgentRole.ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admins only")
    return agent


# The people who run the team: the dashboard, the refunds audit (api/routers/tools.py checks the same
# roles for it, refusing in the tools API's {"code", "detail"} form).
OVERSEERS = frozenset({AgentRole.SUPERVISOR, AgentRole.ADMIN})


async def require_supervisor(agent: Annotated[Agent, Depends(current_account)]) -> Agent:
    """Supervisors and admins (OVERSEERS)."""
    if agent.role not in OVERSEERS:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "supervisors and admins only")
    return agent


AccountDep = Annotated[Agent, Depends(current_account)]
AdminDep = Annotated[Agent, Depends(require_admin)]
OverseerDep = Annotated[Agent, Depends(require_supervisor)]


async def known_entities(rt: Runtime) -> list[str]:
    """The live model's entities, or 503 (the review inbox's spans and the admins' examples name them).
    Called by the handler, not as a dependency, so that its own earlier refusals (no such item, an
    intent that is not one) come first."""
    try:
        return await rt.bot.entities()
    except Exception as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the assistant is not reachable") from exc


def conversation_token(rt: Runtime, conversation_id: str) -> str:
    return rt.tokens.sign(TokenPurpose.CONVERSATION, conversation_id, CONVERSATION_TOKEN_TTL_S)


def agent_token(rt: Runtime, agent_id: str) -> str:
    return rt.tokens.sign(TokenPurpose.AGENT, agent_id, AGENT_TOKEN_TTL_S)
