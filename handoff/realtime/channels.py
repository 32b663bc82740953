"""Who hears what: the one place that maps an event to the channels (and so the sockets) it reaches."""

from __future__ import annotations

QUEUE = "queue"  # every connected agent console


def conversation(conversation_id: str) -> str:
    """The customer's widget and any agent console that opened this conversation."""
    return f"conversation.{conversation_id}"
