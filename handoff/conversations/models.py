from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from handoff.conversations.enums import ConversationState, CustomerPresence, Sender
from handoff.database import Base


def new_id() -> str:
    return uuid.uuid4().hex


class Conversation(Base):
    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    state: Mapped[ConversationState] = mapped_column(String(16), default=ConversationState.BOT, index=True)
    # The signed-in customer the widget was opened with, if any.
    customer_id: Mapped[str | None] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(16), default="en")  # the widget's language
    # The language the customer last wrote in (detected per message; the widget's locale at first).
    language: Mapped[str] = mapped_column(String(8), default="en")
    # Highest sequence number handed out; incremented atomically for every stored message.
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    assigned_agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id"))
    handoff_reason: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    queued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Routing: what the conversation needs and how urgent it is (set when it is queued).
    required_skill: Mapped[str | None] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(String(32))  # Resolution, when closed by an agent
    contact_email: Mapped[str | None] = mapped_column(String(254))  # left with a ticket
    # The customer's open widget sockets, in every process (one atomic UPDATE per connect and
    # disconnect), and what the agent is shown: gone at zero, else what the widget last said.
    customer_sockets: Mapped[int] = mapped_column(Integer, default=0)
    customer_presence: Mapped[CustomerPresence] = mapped_column(String(8), default=CustomerPresence.GONE)
    # Read receipts: the highest seq each side has seen on screen (only ever goes up).
    customer_read_seq: Mapped[int] = mapped_column(Integer, default=0)
    agent_read_seq: Mapped[int] = mapped_column(Integer, default=0)
    # The customer's rating once it is closed (CSAT, 1-5) and what they wrote with it.
    csat_score: Mapped[int | None] = mapped_column(Integer)
    csat_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        # A retried send carries the same client id and is stored once.
        UniqueConstraint("conversation_id", "client_msg_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # No index of its own: the unique (conversation_id, seq) one serves every look-up by conversation.
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    seq: Mapped[int] = mapped_column(Integer)
    sender: Mapped[Sender] = mapped_column(String(16))
    author_id: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    client_msg_id: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HandoffContext(Base):
    """What the agent sees when taking over: captured once per handoff."""

    __tablename__ = "handoff_contexts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    reason: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict[str, Any]]


class PendingTurn(Base):
    """A customer message the bot has not answered yet (the outbox of bot turns), written in the same
    transaction as the message, deleted when its turn is over. A process holds it by its lease while
    the turn runs; a turn whose process died (lease run out) is taken up by any process's sweep, so
    an acknowledged message is answered or queued for a person even across a crash
    (handoff/conversations/pending.py)."""

    __tablename__ = "pending_turns"
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(64))  # the process running it (its instance id)
    lease_until: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
