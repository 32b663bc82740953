from __future__ import annotations


class ConversationError(Exception):
    code = "conversation_error"


class ConversationNotFound(ConversationError):
    code = "not_found"


class ConversationClosed(ConversationError):
    code = "conversation_closed"


class NotAllowed(ConversationError):
    """The conversation is not in a state (or not owned by the agent) that allows this."""

    code = "not_allowed"


class AlreadyClaimed(ConversationError):
    code = "already_claimed"
