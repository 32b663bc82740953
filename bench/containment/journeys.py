"""What each scripted journey needs from the demo shop, how the simulated customer answers the
bot's questions, and what counts as success. Checks read the shop's records and the responses the
bot chose (their names, so the same checks hold in every language)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from devstack import demo_shop as shop

ROUTINE, MUST_ESCALATE = "routine", "must_escalate"
AS_OF = date.fromisoformat(shop.load("policy")["as_of"])
RATES = shop.load("policy")["rates_per_usd"]


@dataclass
class Case:
    """One conversation's data: the order (and so customer) it is about, and extra placeholders."""

    order: dict[str, Any]
    values: dict[str, str] = field(default_factory=dict)

    @property
    def email(self) -> str:
        return shop.email_for(self.order)


@dataclass
class Outcome:
    escalated: bool
    reason: str | None
    responses: list[str]  # utter_* names the bot used, in order
    texts: list[str]
    shop: dict[str, Any]  # records re-read after the conversation (order, invoice, customer, subscription)
    language: str = "en"


@dataclass
class Journey:
    kind: str
    pick: Callable[[set[str]], Case]
    check: Callable[[Case, Outcome], bool] = lambda case, out: True
    confirm: str = "yes"  # the answer to the bot's yes/no question
    details: str = ""  # the answer when the bot asks what to change
    answers: bool = True  # False: the customer ignores the bot's questions
    reason: str | None = None  # the expected handoff reason (must-escalate journeys)


def _delivered(o: dict[str, Any]) -> int:
    return (AS_OF - date.fromisoformat(o["delivered_on"])).days


def _usd(o: dict[str, Any]) -> float:
    return (o["total"] - o["shipping"]) / RATES[o["currency"]]


def _order(
    predicate: Callable[[dict[str, Any]], bool], exclusive: bool = False, per_customer: bool = False
) -> Callable[[set[str]], Case]:
    """Picks the next matching order; exclusive ones (the conversation changes them) are used once,
    per_customer ones once per customer (the conversation changes the customer's account)."""

    def pick(used: set[str]) -> Case:
        for order in shop.load("orders"):
            key = f"customer:{order['customer_id']}" if per_customer else order["order_id"]
            if predicate(order) and not ((exclusive or per_customer) and key in used):
                if exclusive or per_customer:
                    used.add(key)
                return Case(order)
        raise LookupError("the demo shop has no order for this journey")

    return pick


def _invoice(o: dict[str, Any]) -> dict[str, Any]:
    return shop.invoice_for(o["order_id"])


def _customers_with(status: str) -> set[str]:
    return {s["customer_id"] for s in shop.load("subscriptions") if s["status"] == status}


def _clean(o: dict[str, Any]) -> bool:
    inv = _invoice(o)
    return not inv.get("refund") and not inv.get("anomaly")


def _said(*names: str) -> Callable[[Case, Outcome], bool]:
    return lambda case, out: any(n in out.responses for n in names)


def _stock_case(used: set[str]) -> Case:
    products = shop.load("products")
    product = products[len(used) % len(products)]
    used.add(f"product:{len(used)}")
    return Case(shop.load("orders")[0], {"product": product["name"]})


# What a price looks like in each language's local currency (the bot must not quote US$ to all).
_CURRENCY_MARK = {"en": "$", "id": "Rp", "he": "₪"}
# Responses that mean the bot did not help.
_NOT_HELPED = {"utter_default", "utter_out_of_scope"}


def _delivery_check(case: Case, out: Outcome) -> bool:
    return "utter_delivery_options" in out.responses and any(_CURRENCY_MARK[out.language] in t for t in out.texts)


def _answered(case: Case, out: Outcome) -> bool:
    """A short request: the bot did something with it (answered, or asked what it needs)."""
    return bool(out.responses) and not (set(out.responses) & _NOT_HELPED)


def _status_check(case: Case, out: Outcome) -> bool:
    tracking = case.order.get("tracking_number")
    return any(r.startswith("utter_status_") for r in out.responses) and (
        not tracking or any(tracking in t for t in out.texts)
    )


JOURNEYS: dict[str, Journey] = {
    "order_status": Journey(
        ROUTINE, _order(lambda o: o["status"] in ("shipped", "delivered", "processing")), _status_check
    ),
    "cancel_order_ok": Journey(
        ROUTINE,
        _order(lambda o: o["status"] in ("pending", "processing"), exclusive=True),
        lambda c, out: out.shop["order"]["status"] == "cancelled",
    ),
    "cancel_order_shipped": Journey(
        ROUTINE, _order(lambda o: o["status"] == "shipped"), _said("utter_cancel_refused_shipped")
    ),
    "change_order": Journey(
        ROUTINE,
        _order(lambda o: o["status"] in ("pending", "processing"), exclusive=True),
        lambda c, out: bool(out.shop["order"].get("change_requests")),
        details="please add one more Phone Case",
    ),
    "change_address": Journey(
        ROUTINE,
        _order(lambda o: o["status"] in ("pending", "processing"), exclusive=True),
        lambda c, out: out.shop["order"]["shipping_address"] == "221 Baker Street, Springfield 12345",
        details="221 Baker Street, Springfield 12345",
    ),
    "return_ok": Journey(
        ROUTINE,
        _order(lambda o: o["status"] == "delivered" and _delivered(o) <= 30 and _clean(o), exclusive=True),
        lambda c, out: bool(out.shop["order"].get("pending_return_id")),
    ),
    "delivery_options": Journey(ROUTINE, _order(lambda o: True), _delivery_check),
    "check_stock": Journey(ROUTINE, _stock_case, _said("utter_stock_in", "utter_stock_low", "utter_stock_out")),
    "place_order": Journey(ROUTINE, _order(lambda o: True), _said("utter_place_order")),
    "request_invoice": Journey(
        ROUTINE,
        _order(lambda o: o["status"] != "cancelled" and _clean(o)),
        lambda c, out: (
            "utter_invoice" in out.responses and any(_invoice(c.order)["invoice_id"] in t for t in out.texts)
        ),
    ),
    "explain_charge": Journey(
        ROUTINE, _order(lambda o: o["status"] == "delivered" and _clean(o)), _said("utter_charge")
    ),
    "refund_status": Journey(
        ROUTINE,
        _order(lambda o: bool(_invoice(o).get("refund")) and not _invoice(o).get("anomaly")),
        _said("utter_refund_completed", "utter_refund_pending"),
    ),
    "request_refund_ok": Journey(
        ROUTINE,
        _order(
            lambda o: o["status"] == "delivered" and _delivered(o) <= 30 and _clean(o) and _usd(o) <= 250,
            exclusive=True,
        ),
        lambda c, out: (out.shop["invoice"].get("refund") or {}).get("status") == "pending",
    ),
    "payment_methods": Journey(
        ROUTINE, _order(lambda o: True), _said("utter_payment_methods_all", "utter_payment_methods_customer")
    ),
    "payment_failed": Journey(ROUTINE, _order(lambda o: True), _said("utter_payment_failed")),
    "update_payment_method": Journey(ROUTINE, _order(lambda o: True), _said("utter_update_payment_method")),
    "overdue_invoice": Journey(
        ROUTINE, _order(lambda o: _invoice(o)["status"] == "overdue"), _said("utter_overdue_list")
    ),
    "store_policy": Journey(ROUTINE, _order(lambda o: True), _said("utter_store_policy")),
    "cancel_subscription": Journey(
        ROUTINE,
        _order(lambda o: o["customer_id"] in _customers_with("active"), per_customer=True),
        lambda c, out: out.shop["subscription"]["status"] == "cancelled",
        confirm="no",
    ),
    "pause_subscription": Journey(
        ROUTINE,
        _order(lambda o: o["customer_id"] in _customers_with("active"), per_customer=True),
        lambda c, out: out.shop["subscription"]["status"] == "paused",
    ),
    "change_account_details": Journey(
        ROUTINE,
        _order(lambda o: o["status"] == "delivered", exclusive=True),
        lambda c, out: out.shop["customer"]["phone"] == "+15125550199",
        details="phone +1 512 555 0199",
    ),
    "bot_challenge": Journey(ROUTINE, _order(lambda o: True), _said("utter_bot_challenge")),
    "human_handoff": Journey(MUST_ESCALATE, _order(lambda o: True), reason="customer_request"),
    "complaint": Journey(MUST_ESCALATE, _order(lambda o: o["status"] == "delivered"), reason="complaint"),
    "frustration": Journey(MUST_ESCALATE, _order(lambda o: o["status"] == "shipped"), reason="frustration"),
    "duplicate_charge": Journey(
        MUST_ESCALATE, _order(lambda o: _invoice(o).get("anomaly") == "duplicate_charge"),
        reason="billing_anomaly|charge_dispute",
    ),
    "refund_beyond_policy": Journey(
        MUST_ESCALATE,
        _order(lambda o: o["status"] == "delivered" and _clean(o) and (_usd(o) > 250 or _delivered(o) > 30)),
        reason="refund_beyond_policy|return_outside_window",
    ),
    "gibberish": Journey(MUST_ESCALATE, _order(lambda o: True), reason="repeated_fallback", answers=False),
    # Problems only a person can resolve, whatever order words they contain.
    "damaged_item": Journey(MUST_ESCALATE, _order(lambda o: o["status"] == "delivered"), reason="damaged_item"),
    "missing_item": Journey(MUST_ESCALATE, _order(lambda o: o["status"] == "delivered"), reason="missing_item"),
    "wrong_item": Journey(MUST_ESCALATE, _order(lambda o: o["status"] == "delivered"), reason="wrong_item"),
    "not_received": Journey(MUST_ESCALATE, _order(lambda o: o["status"] in ("delivered", "shipped")),
                            reason="not_received"),
    "charge_dispute_cancelled": Journey(MUST_ESCALATE, _order(lambda o: o["status"] == "cancelled"),
                                        reason="charge_dispute"),
    "account_unsupported": Journey(ROUTINE, _order(lambda o: True), _said("utter_account_unsupported")),
    "refund_status_promised": Journey(
        ROUTINE,
        _order(lambda o: bool(_invoice(o).get("refund")) and not _invoice(o).get("anomaly")),
        _said("utter_refund_completed", "utter_refund_pending"),
    ),
    "short_requests": Journey(ROUTINE, _order(lambda o: o["status"] == "shipped"), _answered, answers=False),
}
