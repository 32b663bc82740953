"""Which canned reply and which one-click tool fit what the customer asked (by the intent the
assistant's NLU reads in the message). Tool kinds are the console's tools (handoff/tools) plus two
cards that only show a record (`order`, `invoice`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fit:
    canned: str | None = None  # a canned response's shortcut
    tool: str | None = None


FITS: dict[str, Fit] = {
    "greet": Fit(canned="greeting"),
    "thanks": Fit(canned="closing"),
    "goodbye": Fit(canned="closing"),
    "order_status": Fit(canned="where-is-order", tool="order"),
    "not_received": Fit(canned="wait-a-moment", tool="order"),
    "damaged_item": Fit(canned="damaged-apology", tool="refund"),
    "wrong_item": Fit(canned="need-photo", tool="refund"),
    "missing_item": Fit(canned="missing-item", tool="refund"),
    "request_refund": Fit(canned="wait-a-moment", tool="refund"),
    "refund_status": Fit(tool="invoice"),
    "request_invoice": Fit(tool="resend_invoice"),
    "explain_charge": Fit(tool="invoice"),
    "overdue_invoice": Fit(tool="invoice"),
    "charge_dispute": Fit(canned="wait-a-moment", tool="invoice"),
    "cancel_order": Fit(tool="cancel_order"),
    "change_shipping_address": Fit(tool="change_address"),
    "cancel_subscription": Fit(tool="cancel_subscription"),
    "pause_subscription": Fit(tool="pause_subscription"),
}
