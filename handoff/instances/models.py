from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from handoff.database import Base
from handoff.instances.enums import SocketKind


class AppInstance(Base):
    """An app process, alive while its heartbeat is recent (written at every sweep)."""

    __tablename__ = "app_instances"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # Runtime.instance_id
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class SocketLease(Base):
    """One open socket, counted in its subject's counter (Conversation.customer_sockets,
    Agent.console_sockets) in the same transaction as this row is written, and counted out in the one
    that deletes it: whoever deletes the row (the socket's own close, its process's heartbeat, or
    another process's reaper) is the one that counts it out, exactly once."""

    __tablename__ = "socket_leases"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[SocketKind] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(64))  # the conversation id or the agent id
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
