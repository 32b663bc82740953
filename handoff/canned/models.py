"""A canned response: one reply an agent picks by its shortcut, in one language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from handoff.database import Base


class CannedResponse(Base):
    __tablename__ = "canned_responses"
    # The same shortcut once per language: "/where-is-order" means the same reply in each.
    __table_args__ = (UniqueConstraint("shortcut", "language"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    shortcut: Mapped[str] = mapped_column(String(40), index=True)
    language: Mapped[str] = mapped_column(String(8), index=True)
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)  # with placeholders, handoff/canned/placeholders.py
    updated_by: Mapped[str | None] = mapped_column(String(64))  # an agent id; null for the demo seed
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
