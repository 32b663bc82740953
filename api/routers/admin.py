"""Team management for admins: the agents, their roles, skills, languages and capacity."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status

from api.deps import AdminDep, RuntimeDep, SessionDep
from api.routers.responses import SIGNED_IN, UNREADABLE_BODY
from handoff.agents import service as agent_service
from handoff.agents.schemas import AgentCreate, AgentPublic, AgentUpdate

router = APIRouter(prefix="/api/admin", tags=["admin"], responses={**SIGNED_IN, 403: {"description": "admins only"}})

_NO_AGENT: dict[int | str, dict[str, Any]] = {404: {"description": "no such agent"}}


@router.get("/agents")
async def list_agents(session: SessionDep, admin: AdminDep) -> list[AgentPublic]:
    return [AgentPublic.of(a) for a in await agent_service.all_agents(session=session)]


@router.post("/agents", status_code=status.HTTP_201_CREATED,
             responses={409: {"description": "the id is taken"}, **UNREADABLE_BODY})
async def create_agent(body: AgentCreate, session: SessionDep, rt: RuntimeDep, admin: AdminDep) -> AgentPublic:
    try:
        agent = await agent_service.create(session=session, body=body, clock=rt.clock)
    except ValueError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    return AgentPublic.of(agent)


@router.patch("/agents/{agent_id}", responses=_NO_AGENT | UNREADABLE_BODY)
async def change_agent(agent_id: str, body: AgentUpdate, session: SessionDep, admin: AdminDep) -> AgentPublic:
    agent = await agent_service.change(session=session, agent_id=agent_id, body=body)
    if agent is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no agent {agent_id}")
    return AgentPublic.of(agent)
