from __future__ import annotations


class ConversationError(Exception):
    code = "conversation_error"
    retry_after_s: int | None = None  # set: nothing was done, the same request may be sent again then


class ConversationNotFound(ConversationError):
    code = "not_found"


class ConversationClosed(ConversationError):
    code = "conversation_closed"


class NotAllowed(ConversationError):
    """The conversation is not in a state (or not owned by the agent) that allows this."""

    code = "not_allowed"


class AlreadyClaimed(ConversationError):
    code = "already_claimed"


class RatingRefused(ConversationError):
    """The conversation cannot take this rating (a conflict with its state, not a bad value)."""

    code = "rating_refused"


class AlreadyRated(RatingRefused):
    """A conversation is rated once: the first rating stands."""

    code = "already_rated"


class NotClosed(RatingRefused):
    """Only a closed conversation can be rated."""

    code = "not_closed"


class InvalidRating(ConversationError, ValueError):
    """A score outside 1-5, or a comment that is too long."""

    code = "invalid_rating"


class BotNotInCharge(ConversationError):
    """A bot message for a conversation the bot no longer owns (handed off during its turn): not stored."""

    code = "bot_not_in_charge"


class Overloaded(ConversationError):
    """This process has as many messages waiting to be stored as it takes: this one was not stored.
    Sent again (the same client id) after retry_after_s, it is."""

    code = "overloaded"
    retry_after_s = 1
