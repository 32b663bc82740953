"""Training examples admins write themselves (beside the inbox's annotated messages): added, edited
and deleted, each change kept with its admin. An example is given in Rasa's inline form ("cancel
[10007](order_id) please"); it is redacted like every review text before it is stored, its entity
spans moved onto the redacted text and checked against the assistant's entities."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.clock import Clock
from handoff.language import LANGUAGES
from handoff.review import entities
from handoff.review.models import ExampleChange, TrainingExample
from handoff.review.redaction import redact

MAX_CHARS = 500


@dataclass(frozen=True)
class Draft:
    """What an admin wrote: its language, intent and text in Rasa's inline form."""

    language: str
    intent: str
    text: str


def prepared(draft: Draft, known_entities: Collection[str]) -> tuple[str, list[entities.Span]]:
    """The redacted text and its checked spans; BadSpans (a ValueError) says what is wrong."""
    if draft.language not in LANGUAGES:
        raise entities.BadSpans(f"{draft.language} is not one of the assistant's languages")
    plain, spans = entities.unmarked(" ".join(draft.text.split()))
    if not plain or len(plain) > MAX_CHARS:
        raise entities.BadSpans(f"an example is 1 to {MAX_CHARS} characters")
    redacted = redact(plain, draft.language)
    return redacted.text, entities.check(redacted.text, entities.through_redaction(spans, redacted), known_entities)


async def add(*, session: AsyncSession, draft: Draft, known_entities: Collection[str], admin_id: str,
              clock: Clock) -> TrainingExample:
    text, spans = prepared(draft, known_entities)
    now = clock.now()
    example = TrainingExample(language=draft.language, intent=draft.intent, text=text, entities=spans,
                              created_by=admin_id, created_at=now, updated_at=now)
    session.add(example)
    await session.flush()
    _changed(session, example, admin_id, "add")
    await session.commit()
    return example


async def edit(*, session: AsyncSession, example_id: int, draft: Draft, known_entities: Collection[str],
               admin_id: str, clock: Clock) -> TrainingExample | None:
    """None for an unknown or deleted example."""
    example = await _live(session, example_id)
    if example is None:
        return None
    example.text, example.entities = prepared(draft, known_entities)
    example.language, example.intent, example.updated_at = draft.language, draft.intent, clock.now()
    _changed(session, example, admin_id, "edit")
    await session.commit()
    return example


async def delete(*, session: AsyncSession, example_id: int, admin_id: str, clock: Clock) -> bool:
    example = await _live(session, example_id)
    if example is None:
        return False
    example.deleted_at = example.updated_at = clock.now()
    _changed(session, example, admin_id, "delete")
    await session.commit()
    return True


async def listed(*, session: AsyncSession, language: str | None = None,
                 intent: str | None = None) -> list[TrainingExample]:
    """The live examples, in the export's order (language, intent, id)."""
    query = select(TrainingExample).where(TrainingExample.deleted_at.is_(None))
    if language:
        query = query.where(TrainingExample.language == language)
    if intent:
        query = query.where(TrainingExample.intent == intent)
    return list(await session.scalars(query.order_by(TrainingExample.language, TrainingExample.intent,
                                                     TrainingExample.id)))


async def history(*, session: AsyncSession, example_id: int) -> list[ExampleChange] | None:
    if await session.get(TrainingExample, example_id) is None:
        return None
    return list(await session.scalars(select(ExampleChange).where(ExampleChange.example_id == example_id)
                                      .order_by(ExampleChange.id)))


async def _live(session: AsyncSession, example_id: int) -> TrainingExample | None:
    example = await session.get(TrainingExample, example_id)
    return example if example is not None and example.deleted_at is None else None


def _changed(session: AsyncSession, example: TrainingExample, admin_id: str, action: str) -> None:
    session.add(ExampleChange(example_id=example.id, admin_id=admin_id, action=action, intent=example.intent,
                              text=example.text, entities=list(example.entities), at=example.updated_at))
