from __future__ import annotations


class ToolError(Exception):
    """A tool could not be used; `code` says why (clients branch on it)."""

    code = "tool_error"


class RequestNotFound(ToolError):
    code = "not_found"


class ToolNotAllowed(ToolError):
    """Not the assigned agent; not a supervisor; one's own request."""

    code = "not_allowed"


class NotThisCustomer(ToolError):
    """The record belongs to someone other than the conversation's customer."""

    code = "not_this_customer"


class UnknownRecord(ToolError):
    """No such order, invoice or subscription, or no known customer in the conversation."""

    code = "unknown_record"


class AlreadyDecided(ToolError):
    code = "already_decided"
