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
    action: Mapped[str] = mapped_column(String(16))  # annotate, dismiss, reopen
    intent: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
