from __future__ import annotations

from enum import StrEnum


class SuggestionOutcome(StrEnum):
    SENT = "sent"  # the suggested reply went out as it was
    EDITED = "edited"  # it went out changed
    TOOL = "tool"  # the suggested tool was opened
    IGNORED = "ignored"  # dismissed, or the agent answered otherwise
