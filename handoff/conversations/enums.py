from __future__ import annotations

from enum import StrEnum


class ConversationState(StrEnum):
    BOT = "bot"  # the assistant answers
    QUEUED = "queued"  # handed off, waiting for an agent
    ASSIGNED = "assigned"  # an agent owns it; the bot is out of the loop
    TICKET = "ticket"  # handed off outside the team's hours: kept for an agent to answer later
    CLOSED = "closed"


class CustomerPresence(StrEnum):
    """Whether the customer is there, as the agent sees it: a widget socket open and on screen
    (online), open but hidden or the panel closed (away), or no socket at all (gone)."""

    ONLINE = "online"
    AWAY = "away"
    GONE = "gone"


class Sender(StrEnum):
    CUSTOMER = "customer"
    BOT = "bot"
    AGENT = "agent"
    SYSTEM = "system"
    NOTE = "note"  # an agent's private note: the team's only, never sent to the customer


class HandoffReason(StrEnum):
    """Why a conversation went to a person. The one list: the bot's actions send these values (a
    test checks actions/handoff.py against it) and the console reads the labels from the API."""

    CUSTOMER_REQUEST = "customer_request"
    COMPLAINT = "complaint"
    DAMAGED_ITEM = "damaged_item"
    MISSING_ITEM = "missing_item"
    WRONG_ITEM = "wrong_item"
    NOT_RECEIVED = "not_received"
    CHARGE_DISPUTE = "charge_dispute"
    FRUSTRATION = "frustration"
    REPEATED_FALLBACK = "repeated_fallback"
    BILLING_ANOMALY = "billing_anomaly"
    REFUND_BEYOND_POLICY = "refund_beyond_policy"
    RETURN_OUTSIDE_WINDOW = "return_outside_window"
    IDENTITY_UNVERIFIED = "identity_unverified"
    BACKEND_ERROR = "backend_error"
    BOT_UNAVAILABLE = "bot_unavailable"

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]

    @property
    def skill(self) -> str:
        """The skill an agent needs to take it (a Skill value)."""
        return "billing" if self in _BILLING else "orders"

    @property
    def is_problem(self) -> bool:
        """A problem with an order or a charge (not a question): the context says what it concerns."""
        return self in _PROBLEMS

    @property
    def urgency(self) -> int:
        """Added to the queue priority: an upset customer or a problem goes ahead of a question."""
        return 2 if self is HandoffReason.FRUSTRATION else 1 if self in _PROBLEMS else 0


class Resolution(StrEnum):
    """How an agent closed a conversation."""

    RESOLVED = "resolved"
    CUSTOMER_GONE = "customer_gone"
    DUPLICATE = "duplicate"
    SPAM = "spam"


_REASON_LABELS: dict[HandoffReason, str] = {
    HandoffReason.CUSTOMER_REQUEST: "Customer asked for a person",
    HandoffReason.COMPLAINT: "Complaint",
    HandoffReason.DAMAGED_ITEM: "Item arrived damaged",
    HandoffReason.MISSING_ITEM: "Item missing from the delivery",
    HandoffReason.WRONG_ITEM: "Wrong item delivered",
    HandoffReason.NOT_RECEIVED: "Order not received",
    HandoffReason.CHARGE_DISPUTE: "Disputed charge",
    HandoffReason.FRUSTRATION: "Customer is upset",
    HandoffReason.REPEATED_FALLBACK: "Bot could not help (repeatedly)",
    HandoffReason.BILLING_ANOMALY: "Billing anomaly",
    HandoffReason.REFUND_BEYOND_POLICY: "Refund beyond the bot's policy",
    HandoffReason.RETURN_OUTSIDE_WINDOW: "Return outside the window",
    HandoffReason.IDENTITY_UNVERIFIED: "Identity could not be verified",
    HandoffReason.BACKEND_ERROR: "Shop system error",
    HandoffReason.BOT_UNAVAILABLE: "Bot unavailable",
}

_BILLING = frozenset({HandoffReason.BILLING_ANOMALY, HandoffReason.CHARGE_DISPUTE, HandoffReason.REFUND_BEYOND_POLICY})
_PROBLEMS = frozenset({HandoffReason.COMPLAINT, HandoffReason.DAMAGED_ITEM, HandoffReason.MISSING_ITEM,
                       HandoffReason.WRONG_ITEM, HandoffReason.NOT_RECEIVED, HandoffReason.CHARGE_DISPUTE,
                       HandoffReason.BILLING_ANOMALY})
