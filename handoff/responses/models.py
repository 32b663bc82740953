from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from handoff.database import Base


class ResponseEdit(Base):
    """An admin's change to one of the bot's responses in one language, kept for ever: the newest
    row per (response, language) is the text the next trained model says; `text` None puts the text
    in bot/domain back. Applied to the training workspace's copy of the domain, never to bot/."""

    __tablename__ = "response_edits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    response: Mapped[str] = mapped_column(String(64), index=True)  # utter_...
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str | None] = mapped_column(Text)
    admin_id: Mapped[str] = mapped_column(ForeignKey("agents.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
