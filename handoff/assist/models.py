from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from handoff.database import Base


class Suggestion(Base):
    """What the assistant suggested to the agent for one customer turn, and what the agent did with
    it (for evaluating the assistant later: a rejected suggestion is a turn it got wrong)."""

    __tablename__ = "assist_suggestions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # the customer message it is for
    agent_id: Mapped[str | None] = mapped_column(String(64))  # who had the chat
    intent: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    language: Mapped[str] = mapped_column(String(8))
    data: Mapped[dict[str, Any]]  # the suggestion as shown: canned reply, tool, entities
    outcome: Mapped[str | None] = mapped_column(String(16))  # SuggestionOutcome, once the agent acted
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
