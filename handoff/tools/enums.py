from __future__ import annotations

from enum import StrEnum


class ToolKind(StrEnum):
    REFUND = "refund"  # part or all of what was paid on an invoice, back to the payment method
    CREDIT = "credit"  # account credit in the customer's currency
    CANCEL_ORDER = "cancel_order"
    CHANGE_ADDRESS = "change_address"
    RESEND_INVOICE = "resend_invoice"
    PAUSE_SUBSCRIPTION = "pause_subscription"
    CANCEL_SUBSCRIPTION = "cancel_subscription"

    @property
    def moves_money(self) -> bool:
        """Refunds and credits are bounded by the agents' authority and audited."""
        return self in (ToolKind.REFUND, ToolKind.CREDIT)


class RequestStatus(StrEnum):
    DONE = "done"  # applied to the customer's records
    PENDING_APPROVAL = "pending_approval"  # above the agent's authority: waits for a supervisor
    DECLINED = "declined"  # a supervisor said no (with a reason); nothing was applied
    FAILED = "failed"  # the shop's rules refused it when it was applied
