from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from handoff.agents.enums import AgentRole, Presence
from handoff.database import Base


class Agent(Base):
    __tablename__ = "agents"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the login name
    display_name: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    role: Mapped[AgentRole] = mapped_column(String(16), default=AgentRole.AGENT)
    skills: Mapped[list[Any]] = mapped_column(default=list)  # Skill values
    languages: Mapped[list[Any]] = mapped_column(default=list)  # language codes
    max_chats: Mapped[int] = mapped_column(Integer, default=3)
    # Set by the agent (and by the server when their console goes away); only online agents are
    # offered new conversations.
    presence: Mapped[Presence] = mapped_column(String(16), default=Presence.OFFLINE)
    # The agent's open console sockets in every app process (one atomic UPDATE per open and close):
    # the last one closing, wherever it was, makes an online agent away.
    console_sockets: Mapped[int] = mapped_column(Integer, default=0)
    last_assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
