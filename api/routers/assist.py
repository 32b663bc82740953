"""Agent assist over HTTP: a conversation's suggestions with what was done with each (the console
reloads them; the live ones come as `suggestion` frames on the agent socket)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from api.deps import AgentDep, SessionDep
from handoff.assist import service as assist_service
from handoff.assist.schemas import SuggestionPublic
from handoff.conversations import service as conversation_service

router = APIRouter(prefix="/api/agent", tags=["assist"])


@router.get("/conversations/{conversation_id}/suggestions",
            responses={401: {"description": "no valid agent token"}, 404: {"description": "no such conversation"}})
async def suggestions(conversation_id: str, session: SessionDep, agent: AgentDep) -> list[SuggestionPublic]:
    if await conversation_service.get(session=session, conversation_id=conversation_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such conversation")
    return [SuggestionPublic.of(s) for s in
            await assist_service.for_conversation(session=session, conversation_id=conversation_id)]
