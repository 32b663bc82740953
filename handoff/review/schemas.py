from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from handoff.review.models import ReviewChange, ReviewItem

# An intent an admin names: an existing one or a new one, in Rasa's usual spelling.
IntentName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,63}$")]


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
