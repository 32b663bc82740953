from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from handoff.database import Base


class ReviewItem(Base):
    """A customer message the bot failed on or was unsure about, as the admins review it: redacted
    before it is stored (handoff/review/redaction.py), never the customer's own words with their
    e-mail, phone or order number in them. One per message; each reason that put it here is kept."""

    __tablename__ = "review_items"
    __table_args__ = (UniqueConstraint("conversation_id", "seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # the customer message's
    text: Mapped[str] = mapped_column(Text)  # redacted
    language: Mapped[str] = mapped_column(String(8), index=True)
    reasons: Mapped[list[Any]]  # ReviewReason values
    # What the live model understood: its intent, confidence and runner-up, and its e5 neighbourhood
    # (the training example it is nearest to: messages sharing one are reviewed together).
    intent: Mapped[str | None] = mapped_column(String(64), index=True)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    runner_up: Mapped[str | None] = mapped_column(String(64))
    runner_up_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    neighbourhood: Mapped[str | None] = mapped_column(String(32), index=True)
    # Entity spans in `text` ({"start", "end", "entity"}, offsets in the redacted text): as the live
    # model read the redacted text, then as an admin corrected them. Exported as Rasa's [value](entity).
    entities: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # ReviewStatus
    # The admin's answer: the right intent (an existing or a new one), or out of scope.
    annotated_intent: Mapped[str | None] = mapped_column(String(64))
    annotated_by: Mapped[str | None] = mapped_column(ForeignKey("agents.id"))
    annotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReviewChange(Base):
    """Every admin action on a review item, attributed and kept (the items keep only the latest)."""

    __tablename__ = "review_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id", ondelete="CASCADE"), index=True)
    admin_id: Mapped[str] = mapped_column(ForeignKey("agents.id"))
    action: Mapped[str] = mapped_column(String(16))  # annotate, dismiss, reopen, entities
    intent: Mapped[str | None] = mapped_column(String(64))
    entities: Mapped[list[Any] | None]  # the spans an "entities" change set
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TrainingExample(Base):
    """An example an admin wrote for an intent, outside the inbox: redacted like the inbox's texts,
    with its entity spans. Deleting keeps the row (`deleted_at`) so its history stays whole; the
    export and training use the live ones."""

    __tablename__ = "training_examples"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    language: Mapped[str] = mapped_column(String(8), index=True)
    intent: Mapped[str] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)  # redacted
    entities: Mapped[list[Any]] = mapped_column(default=list)  # spans in `text`, as on review items
    created_by: Mapped[str] = mapped_column(ForeignKey("agents.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ExampleChange(Base):
    """Every admin change to a training example (add, edit, delete) with what it then said."""

    __tablename__ = "example_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    example_id: Mapped[int] = mapped_column(ForeignKey("training_examples.id", ondelete="CASCADE"), index=True)
    admin_id: Mapped[str] = mapped_column(ForeignKey("agents.id"))
    action: Mapped[str] = mapped_column(String(16))  # add, edit, delete
    intent: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    entities: Mapped[list[Any]] = mapped_column(default=list)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
