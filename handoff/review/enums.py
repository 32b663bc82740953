from __future__ import annotations

from enum import StrEnum


class ReviewReason(StrEnum):
    """Why a customer message is in the admins' review inbox: the bot failed on it or was unsure."""

    FALLBACK = "fallback"  # the bot fell back or judged it out of scope
    LOW_CONFIDENCE = "low_confidence"  # its intent's confidence was under the review threshold
    NOT_UNDERSTOOD = "not_understood"  # the conversation went to a person because the bot kept not understanding
    ASSIST_REJECTED = "assist_rejected"  # an agent ignored the assistant's suggestion for it
    LOW_CSAT = "low_csat"  # the customer rated the conversation 1 or 2

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]


_REASON_LABELS = {ReviewReason.FALLBACK: "fallback", ReviewReason.LOW_CONFIDENCE: "low confidence",
                  ReviewReason.NOT_UNDERSTOOD: "not understood", ReviewReason.ASSIST_REJECTED: "suggestion ignored",
                  ReviewReason.LOW_CSAT: "low rating"}


class ReviewStatus(StrEnum):
    OPEN = "open"
    ANNOTATED = "annotated"  # an admin said which intent it is (or that it is out of scope)
    DISMISSED = "dismissed"  # nothing to learn from it (noise, a test, personal data only)
