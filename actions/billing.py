"""Invoices, charges, refunds and payment methods, answered from the shop's records and policy."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import day, money
from actions.handoff import HandoffReason, hand_off
from actions.shop_api import ShopApi, ShopApiError
from actions.verification import verified_customer

_METHOD_NAMES = {"card_visa_4242": "Visa ending 4242", "card_mastercard_4444": "Mastercard ending 4444",
                 "bank_transfer": "bank transfer", "paypal": "PayPal", "gopay": "GoPay", "ovo": "OVO", "bit": "Bit"}


def method_name(method: str) -> str:
    return _METHOD_NAMES.get(method, method)


def invoice_lines(invoice: dict[str, Any]) -> str:
    cur = invoice["currency"]
    lines = [f"- {line['description']}: {money(line['amount'], cur)}" for line in invoice["lines"]]
    return "\n".join([*lines, f"Total: {money(invoice['total'], cur)}"])


def answer(request: str, dispatcher: CollectingDispatcher, order: dict[str, Any],
           invoice: dict[str, Any]) -> list[EventType]:
    inv, cur = invoice["invoice_id"], invoice["currency"]
    if invoice.get("anomaly") == "duplicate_charge" and request in ("charge", "refund", "invoice"):
        # Never explain a duplicate charge away: a person must look at it.
        dispatcher.utter_message(text=f"I can see something unusual with the payments on invoice {inv}.")
        return hand_off(dispatcher, HandoffReason.BILLING_ANOMALY,
                        f"Invoice {inv} is flagged duplicate_charge: the customer was charged twice.")
    if request == "invoice":
        dispatcher.utter_message(
            text=f"Invoice {inv} for order {order['order_id']}, issued {day(invoice['issued_on'])}, "
                 f"status {invoice['status']}:\n{invoice_lines(invoice)}")
        return []
    if request == "charge":
        paid = "; ".join(f"{money(p['amount'], cur)} on {day(p['paid_on'])} by {method_name(p['method'])}"
                         for p in invoice["payments"]) or "no payment yet"
        dispatcher.utter_message(
            text=f"Here is how the total of invoice {inv} (order {order['order_id']}) adds up:\n"
                 f"{invoice_lines(invoice)}\nPayments: {paid}.")
        return []
    refund = invoice.get("refund")
    if not refund:
        dispatcher.utter_message(
            text=f"There is no refund on order {order['order_id']}. Its invoice {inv} is {invoice['status']}.")
        return []
    amount = money(refund["amount"], cur)
    if refund["status"] == "completed":
        dispatcher.utter_message(
            text=f"Your refund of {amount} for order {order['order_id']} was completed on "
                 f"{day(refund.get('completed_on'))}, to {method_name(invoice['payment_method'])}.")
    else:
        dispatcher.utter_message(
            text=f"Your refund of {amount} for order {order['order_id']} was requested on "
                 f"{day(refund['requested_on'])} and is being processed. "
                 f"Refunds reach {method_name(invoice['payment_method'])} within {refund_days(invoice)} business days.")
    return []


def refund_days(invoice: dict[str, Any]) -> str:
    low, high = invoice.get("refund_processing_business_days") or (5, 10)
    return f"{low}-{high}"


class ActionPaymentMethods(Action):
    def name(self) -> str:
        return "action_payment_methods"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        api = ShopApi()
        try:
            policy = await api.policy()
            customer_id = verified_customer(tracker)
            customer = await api.customer(customer_id) if customer_id else None
        except ShopApiError as exc:
            return hand_off(dispatcher, HandoffReason.BACKEND_ERROR, f"Shop API failed: {exc}")
        methods = policy["payment_methods"]
        if customer:
            usable = methods["all"] + methods.get(customer["currency"], [])
            dispatcher.utter_message(text=f"You can pay with {', '.join(usable)}.")
        else:
            local = "; ".join(f"{', '.join(v)} for {k}" for k, v in methods.items() if k != "all")
            dispatcher.utter_message(
                text=f"We accept {', '.join(methods['all'])} everywhere, plus local wallets: {local}.")
        return []
