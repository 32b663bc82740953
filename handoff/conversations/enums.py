from __future__ import annotations

from enum import StrEnum


class ConversationState(StrEnum):
    BOT = "bot"  # the assistant answers
    QUEUED = "queued"  # handed off, waiting for an agent
    ASSIGNED = "assigned"  # an agent owns it; the bot is out of the loop
    CLOSED = "closed"


class Sender(StrEnum):
    CUSTOMER = "customer"
    BOT = "bot"
    AGENT = "agent"
    SYSTEM = "system"
