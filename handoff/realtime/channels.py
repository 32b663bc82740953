"""Who hears what: the one place that maps an event to the channels (and so the sockets) it reaches."""

from __future__ import annotations

from handoff.conversations.enums import Sender

QUEUE = "queue"  # every connected agent console
TRAINING = "training"  # training jobs' progress, for the admins


def conversation(conversation_id: str) -> str:
    """The customer's widget and any agent console that opened this conversation."""
    return f"conversation.{conversation_id}"


def team(conversation_id: str) -> str:
    """Only the agent consoles that opened this conversation: never a customer's socket."""
    return f"conversation.{conversation_id}.team"


def for_message(conversation_id: str, sender: Sender | str) -> str:
    """A private note goes to the team only; every other message to everyone in the conversation."""
    return team(conversation_id) if sender == Sender.NOTE else conversation(conversation_id)


def customer_may_see(sender: Sender | str) -> bool:
    """The same rule for what is read back from the database (catch-up, history)."""
    return sender != Sender.NOTE
