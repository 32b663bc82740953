"""The admins' review inbox (issue 12): the customer messages the bot failed on or was unsure about,
redacted, grouped by e5 neighbourhood; annotating them, and exporting the annotations as training data."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, status

from api.deps import AdminDep, RuntimeDep, SessionDep, known_entities
from api.frames import INT_MAX
from api.routers.responses import SIGNED_IN, UNREADABLE_BODY
from handoff.review import entities, export
from handoff.review import service as review_service
from handoff.review.enums import ReviewReason, ReviewStatus
from handoff.review.schemas import (
    EntitiesBody,
    ExportedFile,
    ReviewChangePublic,
    ReviewDecision,
    ReviewInbox,
    ReviewItemPublic,
    grouped,
)
from handoff.review.vocabulary import NOT_AN_INTENT

router = APIRouter(prefix="/api/admin/review", tags=["review"],
                   responses={**SIGNED_IN, 403: {"description": "admins only"}})

ItemId = Annotated[int, Path(ge=1, le=INT_MAX)]
_STATUS = {"annotate": ReviewStatus.ANNOTATED, "dismiss": ReviewStatus.DISMISSED, "reopen": ReviewStatus.OPEN}


@router.get("")
async def inbox(
    session: SessionDep, admin: AdminDep,
    language: Annotated[str | None, Query(max_length=8)] = None,
    intent: Annotated[str | None, Query(max_length=64)] = None,
    reason: ReviewReason | None = None,
    state: Annotated[ReviewStatus | Literal["all"], Query(alias="status")] = ReviewStatus.OPEN,
    since: datetime | None = None,
    until: datetime | None = None,
) -> ReviewInbox:
    """Open items by default (`status=all`: every one), newest first, at most 500, grouped by language
    and e5 neighbourhood; `total` says how many match."""
    items, total = await review_service.inbox(session=session, where=review_service.InboxFilter(
        language=language, intent=intent, reason=reason, status=None if state == "all" else state, since=since,
        until=until))
    return ReviewInbox(count=len(items), total=total, groups=grouped(items))


@router.get("/intents", responses={503: {"description": "the assistant is not reachable"}})
async def intents(rt: RuntimeDep, admin: AdminDep) -> list[str]:
    """The live model's intents (an annotation may also name a new one)."""
    try:
        return sorted(await rt.bot.intents())
    except Exception as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the assistant is not reachable") from exc


@router.get("/entities", responses={503: {"description": "the assistant is not reachable"}})
async def entity_names(rt: RuntimeDep, admin: AdminDep) -> list[str]:
    """The live model's entities, the ones a review item's spans may name."""
    return sorted(await known_entities(rt))


@router.put("/{item_id}/entities", responses={404: {"description": "no such item"},
                                              422: {"description": "spans that cannot be trained on"},
                                              503: {"description": "the assistant is not reachable"},
                                              **UNREADABLE_BODY})
async def set_entities(item_id: ItemId, body: EntitiesBody, session: SessionDep, rt: RuntimeDep,
                       admin: AdminDep) -> ReviewItemPublic:
    """Replaces the item's entity spans (offsets in its redacted text); the change is kept with its
    admin. Spans must lie within the text, not overlap, and name one of the live model's entities."""
    item = await review_service.get(session=session, item_id=item_id)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such review item")
    try:
        spans = entities.check(item.text, [s.model_dump() for s in body.entities], await known_entities(rt))
    except entities.BadSpans as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    changed = await review_service.set_entities(session=session, item_id=item_id, admin_id=admin.id,
                                                entities=spans, clock=rt.clock)
    if changed is None:  # deleted meanwhile
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such review item")
    return ReviewItemPublic.of(changed)


@router.post("/decisions", responses={422: {"description": "no intent to annotate with, or a malformed one"},
                                      **UNREADABLE_BODY})
async def decide(body: ReviewDecision, session: SessionDep, rt: RuntimeDep, admin: AdminDep) -> list[ReviewItemPublic]:
    """Annotates (with `intent`), dismisses or reopens items; every change is kept with its admin.
    Unknown ids are skipped: the answer lists the items changed."""
    if body.action == "annotate" and body.intent is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "annotating needs an intent")
    if body.intent == NOT_AN_INTENT:  # what the bot says when it has none: never training data
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{NOT_AN_INTENT} is not an intent to train")
    changed = await review_service.decide(session=session, item_ids=body.item_ids, admin_id=admin.id,
                                          status=_STATUS[body.action], intent=body.intent, clock=rt.clock)
    return [ReviewItemPublic.of(item) for item in changed]


@router.get("/{item_id}/history", responses={404: {"description": "no such item"}})
async def history(item_id: ItemId, session: SessionDep,
                  admin: AdminDep) -> list[ReviewChangePublic]:
    if await review_service.get(session=session, item_id=item_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such review item")
    return [ReviewChangePublic.of(c) for c in await review_service.history(session=session, item_id=item_id)]


@router.post("/export")
async def export_annotations(session: SessionDep, rt: RuntimeDep, admin: AdminDep) -> list[ExportedFile]:
    """Writes the annotated messages as Rasa NLU data, a file per language (reviewed_<lang>.yml)."""
    written = export.write(await review_service.annotated(session=session), rt.settings.review_export_dir)
    return [ExportedFile(path=str(path), language=language, examples=count)
            for language, (path, count) in written.items()]
