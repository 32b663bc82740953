"""Canned responses: agents search them and get one filled in for a conversation; admins edit them.
Thin: the rules are in handoff/canned."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response, status

from api.deps import AccountDep, AdminDep, AgentDep, RuntimeDep, SessionDep
from api.frames import INT_MAX
from api.routers.responses import SIGNED_IN, UNREADABLE_BODY
from handoff.canned import placeholders
from handoff.canned import service as canned_service
from handoff.canned.models import CannedResponse
from handoff.canned.schemas import CannedCreate, CannedPublic, CannedUpdate, Rendered
from handoff.conversations import service as conversation_service
from handoff.language import LANGUAGES

# Every route needs a signed-in agent (the admin ones an admin).
router = APIRouter(tags=["canned responses"], responses=SIGNED_IN)

# Ids are database integers: a bigger number is a 422, not an overflow deep in the driver.
CannedId = Annotated[int, Path(ge=1, le=INT_MAX)]

_ADMINS: dict[int | str, dict[str, Any]] = {403: {"description": "admins only"}}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "no such canned response"}}
_TAKEN: dict[int | str, dict[str, Any]] = {409: {
    "description": "the shortcut exists in that language already",
    "content": {"application/json": {"example": {"detail": {
        "code": "shortcut_taken", "detail": "/where-is-order exists in en already"}}}}}}
_INVALID: dict[int | str, dict[str, Any]] = {422: {
    "description": "a shortcut not matching ^[a-z0-9][a-z0-9-]{0,39}$, an unknown language, a blank title or "
                   "text, a text over 2,000 characters, or an unknown field"}}

Language = Annotated[str | None, Query(pattern="^(" + "|".join(LANGUAGES) + ")$",
                                       description="en, id or he; all languages when left out")]
Search = Annotated[str | None, Query(max_length=100, description="a shortcut's start (a leading / is ignored), "
                                                                  "or words in the title or text")]


@router.get("/api/agent/canned", responses={422: {"description": "an unknown language, or q over 100 characters"}})
async def search(session: SessionDep, agent_id: AgentDep, language: Language = None,
                 q: Search = None) -> list[CannedPublic]:
    rows = await canned_service.search(session=session, language=language, query=q)
    return [CannedPublic.of(r) for r in rows]


@router.get("/api/agent/conversations/{conversation_id}/canned/{canned_id}/rendered",
            responses={404: {"description": "no such conversation or canned response"}})
async def rendered(conversation_id: str, canned_id: CannedId, session: SessionDep, agent: AccountDep) -> Rendered:
    """The canned response filled in from the conversation's latest handoff context (the customer's name,
    the order the handoff is about and its tracking) and the calling agent's name."""
    if await conversation_service.get(session=session, conversation_id=conversation_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no conversation {conversation_id}")
    row = _found(await canned_service.get(session=session, canned_id=canned_id), canned_id)
    record = await conversation_service.latest_context(session=session, conversation_id=conversation_id)
    text = placeholders.render(row.text, record.data if record else None, language=row.language,
                               agent=agent.display_name)
    return Rendered(id=row.id, shortcut=row.shortcut, language=row.language, text=text)


@router.post("/api/admin/canned", status_code=status.HTTP_201_CREATED,
             responses=_ADMINS | _TAKEN | _INVALID | UNREADABLE_BODY)
async def create(body: CannedCreate, session: SessionDep, rt: RuntimeDep, admin: AdminDep) -> CannedPublic:
    try:
        row = await canned_service.create(session=session, body=body, agent_id=admin.id, clock=rt.clock)
    except canned_service.ShortcutTaken as exc:
        raise _taken(exc) from exc
    return CannedPublic.of(row)


@router.patch("/api/admin/canned/{canned_id}", responses=_ADMINS | _NOT_FOUND | _TAKEN | _INVALID | UNREADABLE_BODY)
async def change(canned_id: CannedId, body: CannedUpdate, session: SessionDep, rt: RuntimeDep,
                 admin: AdminDep) -> CannedPublic:
    try:
        row = await canned_service.update(session=session, canned_id=canned_id, body=body, agent_id=admin.id,
                                          clock=rt.clock)
    except canned_service.ShortcutTaken as exc:
        raise _taken(exc) from exc
    return CannedPublic.of(_found(row, canned_id))


@router.delete("/api/admin/canned/{canned_id}", status_code=status.HTTP_204_NO_CONTENT,
               responses=_ADMINS | _NOT_FOUND)
async def delete(canned_id: CannedId, session: SessionDep, admin: AdminDep) -> Response:
    if not await canned_service.delete(session=session, canned_id=canned_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no canned response {canned_id}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _found(row: CannedResponse | None, canned_id: int) -> CannedResponse:
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no canned response {canned_id}")
    return row


def _taken(exc: canned_service.ShortcutTaken) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, {"code": "shortcut_taken", "detail": str(exc)})
