"""The bot's responses per language, for admins to edit (issue 12). Thin: the texts are read from
bot/domain (handoff/responses/catalogue.py), the edits kept in response_edits; a training job writes
them into its copy of the domain, so they take effect with the next trained and promoted model."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status

from api.deps import AdminDep, RuntimeDep, SessionDep
from api.routers.responses import SIGNED_IN, UNREADABLE_BODY, Responses
from handoff.language import LANGUAGES
from handoff.responses import catalogue
from handoff.responses import service as responses_service
from handoff.responses.schemas import ResponseChangePublic, ResponseEditBody, ResponsePublic

router = APIRouter(prefix="/api/admin/responses", tags=["bot responses"],
                   responses={**SIGNED_IN, 403: {"description": "admins only"}})

ResponseName = Annotated[str, Path(max_length=64, description="utter_...")]
LanguageCode = Annotated[str, Path(max_length=8, description=", ".join(LANGUAGES))]
_NOT_FOUND: Responses = {404: {"description": "no such response in the bot's domain"}}


async def _catalogue(rt: RuntimeDep) -> catalogue.Catalogue:
    return await asyncio.to_thread(catalogue.load, rt.settings.bot_dir / "domain")


def _response(found: catalogue.Catalogue, name: str) -> catalogue.Response:
    response = found.responses.get(name)
    if response is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no response {name} in the bot's domain")
    return response


@router.get("")
async def list_responses(session: SessionDep, rt: RuntimeDep, admin: AdminDep) -> list[ResponsePublic]:
    """Every response with a text, by name: per language the text in bot/domain and the edit in effect."""
    found = await _catalogue(rt)
    edits = await responses_service.current(session=session)
    return [ResponsePublic.of(response, edits) for response in found.responses.values()]


@router.put("/{response}/{language}", responses={**_NOT_FOUND, **UNREADABLE_BODY, 422: {
    "description": "an unknown language, an empty text or one over 1,000 characters, a placeholder the "
                   "response does not have, or a brace outside a placeholder"}})
async def edit(response: ResponseName, language: LanguageCode, body: ResponseEditBody, session: SessionDep,
               rt: RuntimeDep, admin: AdminDep) -> ResponsePublic:
    """Sets the text the next trained model says (`null`: back to the text in bot/domain); kept with its
    admin. The text in effect sent again changes nothing."""
    found = _response(await _catalogue(rt), response)
    if language not in LANGUAGES:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"unknown language {language}: one of {', '.join(LANGUAGES)}")
    try:
        await responses_service.change(session=session, response=found, language=language, text=body.text,
                                       admin_id=admin.id, clock=rt.clock)
    except catalogue.BadEdit as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    return ResponsePublic.of(found, await responses_service.current(session=session, response=response))


@router.get("/{response}/history", responses=_NOT_FOUND)
async def history(response: ResponseName, session: SessionDep, rt: RuntimeDep,
                  admin: AdminDep) -> list[ResponseChangePublic]:
    """Every change of the response in every language, oldest first, with its admin."""
    _response(await _catalogue(rt), response)
    return [ResponseChangePublic.of(e) for e in await responses_service.history(session=session, response=response)]
