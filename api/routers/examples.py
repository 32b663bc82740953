"""Training examples admins write themselves (issue 12), beside the review inbox's annotations: added,
edited, deleted, each change kept with its admin; trained on with the next model."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status

from api.deps import AdminDep, RuntimeDep, SessionDep, known_entities
from api.frames import INT_MAX
from api.routers.responses import SIGNED_IN, UNREADABLE_BODY
from handoff.review import entities, examples
from handoff.review.schemas import ExampleBody, ExampleChangePublic, ExamplePublic
from handoff.review.vocabulary import NOT_AN_INTENT

router = APIRouter(prefix="/api/admin/examples", tags=["review"],
                   responses={**SIGNED_IN, 403: {"description": "admins only"}})

ExampleId = Annotated[int, Path(ge=1, le=INT_MAX)]
NO_SUCH = "no such training example"
REFUSED = {422: {"description": "an example that cannot be trained on, saying why"},
           503: {"description": "the assistant is not reachable (its entities are needed)"}, **UNREADABLE_BODY}


async def _draft(body: ExampleBody, rt: RuntimeDep) -> tuple[examples.Draft, list[str]]:
    if body.intent == NOT_AN_INTENT:  # as the inbox's annotations: never training data
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{NOT_AN_INTENT} is not an intent to train")
    return examples.Draft(language=body.language, intent=body.intent, text=body.text), await known_entities(rt)


@router.get("")
async def list_examples(session: SessionDep, admin: AdminDep,
                        language: Annotated[str | None, Query(max_length=8)] = None,
                        intent: Annotated[str | None, Query(max_length=64)] = None) -> list[ExamplePublic]:
    return [ExamplePublic.of(e) for e in await examples.listed(session=session, language=language, intent=intent)]


@router.post("", status_code=status.HTTP_201_CREATED, responses=REFUSED)
async def add_example(body: ExampleBody, session: SessionDep, rt: RuntimeDep, admin: AdminDep) -> ExamplePublic:
    """Redacted like the inbox's messages before it is stored; entities in Rasa's inline form."""
    draft, known = await _draft(body, rt)
    try:
        example = await examples.add(session=session, draft=draft, known_entities=known, admin_id=admin.id,
                                     clock=rt.clock)
    except entities.BadSpans as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    return ExamplePublic.of(example)


@router.put("/{example_id}", responses={404: {"description": NO_SUCH}, **REFUSED})
async def edit_example(example_id: ExampleId, body: ExampleBody, session: SessionDep, rt: RuntimeDep,
                       admin: AdminDep) -> ExamplePublic:
    draft, known = await _draft(body, rt)
    try:
        example = await examples.edit(session=session, example_id=example_id, draft=draft, known_entities=known,
                                      admin_id=admin.id, clock=rt.clock)
    except entities.BadSpans as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    if example is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NO_SUCH)
    return ExamplePublic.of(example)


@router.delete("/{example_id}", status_code=status.HTTP_204_NO_CONTENT, responses={404: {"description": NO_SUCH}})
async def delete_example(example_id: ExampleId, session: SessionDep, rt: RuntimeDep, admin: AdminDep) -> None:
    if not await examples.delete(session=session, example_id=example_id, admin_id=admin.id, clock=rt.clock):
        raise HTTPException(status.HTTP_404_NOT_FOUND, NO_SUCH)


@router.get("/{example_id}/history", responses={404: {"description": NO_SUCH}})
async def example_history(example_id: ExampleId, session: SessionDep, admin: AdminDep) -> list[ExampleChangePublic]:
    changes = await examples.history(session=session, example_id=example_id)
    if changes is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NO_SUCH)
    return [ExampleChangePublic.of(c) for c in changes]
