"""An agent's use of a tool (and its approval), and the audit log of money moved by the team."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from handoff.database import Base
from handoff.tools.enums import RequestStatus, ToolKind


def new_id() -> str:
    return uuid.uuid4().hex


class ToolRequest(Base):
    __tablename__ = "tool_requests"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id"))
    kind: Mapped[ToolKind] = mapped_column(String(32))
    params: Mapped[dict[str, Any]]  # the record it is about, the amount, the address, the note, ...
    customer_id: Mapped[str] = mapped_column(String(16), index=True)
    # Refunds and credits: in the customer's currency, and in the base currency the limits are in.
    amount: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(8))
    amount_usd: Mapped[float | None] = mapped_column(Float)
    status: Mapped[RequestStatus] = mapped_column(String(24), index=True)
    # Set once, by the one supervisor whose decision won (a conditional UPDATE).
    approver_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None]  # what the shop answered when it was applied
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """A refund or credit at or above the audit threshold, as applied. No foreign keys: the log
    outlives the records it names."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    agent_id: Mapped[str] = mapped_column(String(64), index=True)
    approver_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[ToolKind] = mapped_column(String(32))
    customer_id: Mapped[str] = mapped_column(String(16), index=True)
    conversation_id: Mapped[str] = mapped_column(String(32))
    order_id: Mapped[str | None] = mapped_column(String(16))
    invoice_id: Mapped[str | None] = mapped_column(String(32))
    amount: Mapped[float] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(8))
    amount_usd: Mapped[float] = mapped_column(Float)
    request_id: Mapped[str] = mapped_column(String(32), unique=True)
