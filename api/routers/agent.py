"""Agent login and read-only views for the console (live actions go over the agent websocket)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, Field

from api.deps import AgentDep, RuntimeDep, SessionDep, agent_token
from api.ratelimit import RateLimitsDep, client_address, limited_response, refuse_if_limited
from api.routers.responses import SIGNED_IN, UNREADABLE_BODY
from handoff.agents import service as agent_service
from handoff.agents.enums import AgentRole
from handoff.conversations import service as conversation_service
from handoff.conversations.schemas import ConversationSummary

router = APIRouter(prefix="/api/agent", tags=["agent"])


class Login(BaseModel):
    agent_id: str = Field(max_length=64)
    password: str = Field(max_length=256)


class LoginResult(BaseModel):
    agent_id: str
    display_name: str
    role: str
    token: str


@router.post("/login", responses={401: {"description": "unknown agent or wrong password"}, **UNREADABLE_BODY,
                                   **limited_response("sign-in attempts for this account or from this address")})
async def login(body: Login, session: SessionDep, rt: RuntimeDep, request: Request,
                limits: RateLimitsDep) -> LoginResult:
    # Over a limit, the password is not even checked: the refusal says nothing about it, not even
    # by how long it took.
    refuse_if_limited(await limits.login_attempt(client_address(request), body.agent_id),
                      "too many sign-in attempts for this account or from this address")
    agent = await agent_service.authenticate(session=session, agent_id=body.agent_id, password=body.password)
    if agent is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown agent or wrong password")
    await limits.login_succeeded(body.agent_id)
    return LoginResult(agent_id=agent.id, display_name=agent.display_name, role=agent.role,
                       token=agent_token(rt, agent.id))


class TeamMember(BaseModel):
    id: str
    display_name: str
    skills: list[str]
    languages: list[str]
    presence: str


@router.get("/team", responses=SIGNED_IN)
async def team(session: SessionDep, agent_id: AgentDep) -> list[TeamMember]:
    """Colleagues who take chats (for transfers): who they are, what they do, whether they are on."""
    return [TeamMember(id=a.id, display_name=a.display_name, skills=list(a.skills), languages=list(a.languages),
                       presence=a.presence)
            for a in await agent_service.all_agents(session=session) if a.role != AgentRole.ADMIN]


@router.get("/queue", responses=SIGNED_IN)
async def queue(session: SessionDep, agent_id: AgentDep) -> list[ConversationSummary]:
    return [ConversationSummary.of(c) for c in await conversation_service.open_conversations(session=session)]


@router.get("/conversations/{conversation_id}/context",
            responses={**SIGNED_IN, 404: {"description": "no handoff context for this conversation"}})
async def context(conversation_id: str, session: SessionDep, agent_id: AgentDep) -> dict[str, Any]:
    record = await conversation_service.latest_context(session=session, conversation_id=conversation_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no handoff context for this conversation")
    return record.data
