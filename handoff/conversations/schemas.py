"""Public shapes of conversations and messages (what HTTP responses and websocket frames carry)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from handoff.conversations.enums import ConversationState, CustomerPresence, Sender
from handoff.conversations.models import Conversation, Message


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A stored message as the relay's write path returns it: plain values, no ORM instance (building
    and tracking one per relayed message cost more than the INSERT; handoff/conversations/writes.py)."""

    conversation_id: str
    seq: int
    sender: Sender
    text: str
    client_msg_id: str | None
    author_id: str | None
    created_at: datetime
    payload: dict[str, Any] | None = None

    def orm(self) -> Message:
        """A detached ORM copy, for the flows that take one (the bot's turn, agent assist)."""
        return Message(conversation_id=self.conversation_id, seq=self.seq, sender=self.sender, text=self.text,
                       client_msg_id=self.client_msg_id, author_id=self.author_id, payload=self.payload,
                       created_at=self.created_at)


class MessagePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    sender: Sender
    author_id: str | None
    text: str
    client_msg_id: str | None
    created_at: datetime
    buttons: list[dict[str, Any]] | None = None

    @classmethod
    def of(cls, message: Message | StoredMessage) -> MessagePublic:
        buttons = (message.payload or {}).get("buttons")
        return cls(
            seq=message.seq,
            sender=message.sender,
            author_id=message.author_id,
            text=message.text,
            client_msg_id=message.client_msg_id,
            created_at=message.created_at,
            buttons=buttons,
        )


class ConversationSummary(BaseModel):
    """A row of the agents' queue."""

    id: str
    state: ConversationState
    locale: str
    language: str
    customer_id: str | None
    assigned_agent_id: str | None
    handoff_reason: str | None
    queued_at: datetime | None
    last_seq: int
    required_skill: str | None = None
    priority: int = 0
    resolution: str | None = None
    contact_email: str | None = None
    customer_presence: CustomerPresence = CustomerPresence.GONE
    customer_read_seq: int = 0  # read receipts: what the customer has seen of the agent's messages
    agent_read_seq: int = 0
    # The customer's rating once the conversation is closed (CSAT, 1-5), and their comment.
    csat_score: int | None = None
    csat_comment: str | None = None

    @classmethod
    def of(cls, conversation: Conversation) -> ConversationSummary:
        return cls(
            id=conversation.id,
            state=conversation.state,
            locale=conversation.locale,
            language=conversation.language,
            customer_id=conversation.customer_id,
            assigned_agent_id=conversation.assigned_agent_id,
            handoff_reason=conversation.handoff_reason,
            queued_at=conversation.queued_at,
            last_seq=conversation.last_seq,
            required_skill=conversation.required_skill,
            priority=conversation.priority or 0,
            resolution=conversation.resolution,
            contact_email=conversation.contact_email,
            customer_presence=conversation.customer_presence or CustomerPresence.GONE,
            customer_read_seq=conversation.customer_read_seq or 0,
            agent_read_seq=conversation.agent_read_seq or 0,
            csat_score=conversation.csat_score,
            csat_comment=conversation.csat_comment,
        )


class ConversationCreated(BaseModel):
    conversation_id: str
    token: str
    state: ConversationState


class RatingPublic(BaseModel):
    """The customer's rating of a closed conversation, as stored."""

    conversation_id: str
    score: int
    comment: str | None
    rated_at: datetime

    @classmethod
    def of(cls, conversation: Conversation) -> RatingPublic:
        assert conversation.csat_score is not None and conversation.rated_at is not None
        return cls(conversation_id=conversation.id, score=conversation.csat_score,
                   comment=conversation.csat_comment, rated_at=conversation.rated_at)
