"""Public shapes of conversations and messages (what HTTP responses and websocket frames carry)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from handoff.conversations.enums import ConversationState, CustomerPresence, Sender
from handoff.conversations.models import Conversation, Message


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
    def of(cls, message: Message) -> MessagePublic:
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
        )


class ConversationCreated(BaseModel):
    conversation_id: str
    token: str
    state: ConversationState
