from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from handoff.review.entities import MAX_SPANS, marked
from handoff.review.models import ExampleChange, ReviewChange, ReviewItem, TrainingExample

# An intent an admin names: an existing one or a new one, in Rasa's usual spelling.
IntentName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,63}$")]
EntityName = IntentName  # the same spelling


class EntitySpan(BaseModel):
    """An entity in a review item's redacted text: its offsets there and the entity's name."""

    start: Annotated[int, Field(ge=0, le=10_000)]
    end: Annotated[int, Field(ge=1, le=10_000)]
    entity: EntityName


class EntitiesBody(BaseModel):
    entities: list[EntitySpan] = Field(max_length=MAX_SPANS)


class ReviewItemPublic(BaseModel):
    id: int
    conversation_id: str
    seq: int
    text: str  # redacted
    language: str
    reasons: list[str]
    intent: str | None
    confidence: float
    runner_up: str | None
    runner_up_confidence: float
    neighbourhood: str | None
    entities: list[EntitySpan]
    created_at: datetime
    status: str
    annotated_intent: str | None
    annotated_by: str | None
    annotated_at: datetime | None

    @classmethod
    def of(cls, item: ReviewItem) -> ReviewItemPublic:
        return cls.model_validate(item, from_attributes=True)


class ReviewGroup(BaseModel):
    """Messages in one e5 neighbourhood and language (nearest to the same training example), handled
    together; a message with no neighbourhood is a group of its own."""

    key: str
    language: str
    intent: str | None  # the live model's reading of the group's first message
    items: list[ReviewItemPublic]


class ReviewInbox(BaseModel):
    count: int  # the items in `groups`
    total: int  # the items matching the filter (more than `count` when the list was cut)
    groups: list[ReviewGroup]


class ReviewDecision(BaseModel):
    item_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(min_length=1, max_length=500)
    action: Literal["annotate", "dismiss", "reopen"]
    intent: IntentName | None = None  # required to annotate: an existing intent, a new one, or out_of_scope


class ReviewChangePublic(BaseModel):
    admin_id: str
    action: str
    intent: str | None
    entities: list[EntitySpan] | None
    at: datetime

    @classmethod
    def of(cls, change: ReviewChange) -> ReviewChangePublic:
        return cls.model_validate(change, from_attributes=True)


class ExportedFile(BaseModel):
    path: str
    language: str
    examples: int


def grouped(items: list[ReviewItem]) -> list[ReviewGroup]:
    groups: dict[str, ReviewGroup] = {}
    for item in items:
        key = f"{item.language}:n{item.neighbourhood}" if item.neighbourhood is not None else f"item:{item.id}"
        if key not in groups:
            groups[key] = ReviewGroup(key=key, language=item.language, intent=item.intent, items=[])
        groups[key].items.append(ReviewItemPublic.of(item))
    return list(groups.values())


class ExampleBody(BaseModel):
    """An example as an admin writes it: entities in Rasa's inline form, "cancel [10007](order_id)"."""

    language: Annotated[str, StringConstraints(max_length=8)]
    intent: IntentName
    text: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class ExamplePublic(BaseModel):
    id: int
    language: str
    intent: str
    text: str  # redacted
    entities: list[EntitySpan]
    marked: str  # the text with its entities in Rasa's inline form, as it is trained on
    created_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, example: TrainingExample) -> ExamplePublic:
        return cls(id=example.id, language=example.language, intent=example.intent, text=example.text,
                   entities=[EntitySpan.model_validate(e) for e in example.entities],
                   marked=marked(example.text, example.entities), created_by=example.created_by,
                   created_at=example.created_at, updated_at=example.updated_at)


class ExampleChangePublic(BaseModel):
    admin_id: str
    action: str
    intent: str
    text: str
    at: datetime

    @classmethod
    def of(cls, change: ExampleChange) -> ExampleChangePublic:
        return cls.model_validate(change, from_attributes=True)
