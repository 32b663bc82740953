"""Invoices, charges, refunds, overdue invoices and payment methods, from the shop's records and policy."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import EventType, SlotSet

from actions.formatting import day, join, money
from actions.handoff import HandoffReason, hand_off
from actions.turn import Turn

_METHOD_NAMES = {"card_visa_4242": "Visa ending 4242", "card_mastercard_4444": "Mastercard ending 4444",
                 "bank_transfer": "bank transfer", "paypal": "PayPal", "gopay": "GoPay", "ovo": "OVO", "bit": "Bit"}


def method_name(method: str) -> str:
    return _METHOD_NAMES.get(method, method)


def invoice_lines(invoice: dict[str, Any], language: str) -> str:
    cur = invoice["currency"]
    lines = [f"- {line['description']}: {money(line['amount'], cur, language)}" for line in invoice["lines"]]
    return "\n".join([*lines, f"= {money(invoice['total'], cur, language)}"])


def _days(invoice_or_policy: dict[str, Any]) -> str:
    low, high = invoice_or_policy.get("refund_processing_business_days") or \
        invoice_or_policy.get("processing_business_days") or (5, 10)
    return f"{low}-{high}"


def answer(turn: Turn, request: str, order: dict[str, Any], invoice: dict[str, Any]) -> list[EventType]:
    """invoice / charge / refund_status for one order."""
    lang = turn.language
    inv, cur, oid = invoice["invoice_id"], invoice["currency"], order["order_id"]
    if invoice.get("anomaly") == "duplicate_charge":
        # Never explain a duplicate charge away: a person must look at it.
        turn.say("utter_billing_anomaly", invoice_id=inv)
        return hand_off(turn.dispatcher, HandoffReason.BILLING_ANOMALY,
                        f"Invoice {inv} is flagged duplicate_charge: the customer was charged twice.")
    if request == "invoice":
        turn.say("utter_invoice", invoice_id=inv, order_id=oid, issued=day(invoice["issued_on"], lang),
                 status=invoice["status"], lines=invoice_lines(invoice, lang))
        return []
    if request == "charge":
        paid = "; ".join(f"{money(p['amount'], cur, lang)}, {day(p['paid_on'], lang)}, {method_name(p['method'])}"
                         for p in invoice["payments"]) or "-"
        turn.say("utter_charge", invoice_id=inv, order_id=oid, lines=invoice_lines(invoice, lang), payments=paid)
        return []
    refund = invoice.get("refund")
    if not refund:
        turn.say("utter_refund_none", order_id=oid, invoice_id=inv, status=invoice["status"])
        return []
    amount = money(refund["amount"], cur, lang)
    method = method_name(invoice["payment_method"])
    if refund["status"] == "completed":
        turn.say("utter_refund_completed", amount=amount, order_id=oid, completed=day(refund.get("completed_on"), lang),
                 method=method)
    else:
        turn.say("utter_refund_pending", amount=amount, order_id=oid, requested=day(refund["requested_on"], lang),
                 method=method, days=_days(invoice))
    return []


async def offer_refund(turn: Turn, order: dict[str, Any], invoice: dict[str, Any] | None) -> list[EventType]:
    """A new refund: within policy the bot files it (after a yes); beyond policy a person decides."""
    oid, lang = order["order_id"], turn.language
    if invoice is not None and (invoice.get("refund") or invoice.get("anomaly")):
        return answer(turn, "refund_status", order, invoice)
    check = await turn.api.refund_eligibility(oid)
    amount = money(check["amount"], check["currency"], lang)
    reason = check["reason"]
    if check["eligible"]:
        method = method_name(invoice["payment_method"]) if invoice else check.get("to")
        turn.say("utter_refund_offer", amount=amount, order_id=oid, method=method)
        return [SlotSet("awaiting_confirmation", "refund"), SlotSet("pending_order_id", oid)]
    if reason == "not_delivered":
        turn.say("utter_refund_not_delivered", order_id=oid, status=order["status"])
        return []
    if reason == "outside_return_window":
        turn.say("utter_return_outside_window", order_id=oid, window_end=day(order.get("return_window_ends"), lang))
        return hand_off(turn.dispatcher, HandoffReason.RETURN_OUTSIDE_WINDOW,
                        f"Refund asked for order {oid} outside the return window.")
    turn.say("utter_refund_needs_person", amount=amount, order_id=oid)
    return hand_off(turn.dispatcher, HandoffReason.REFUND_BEYOND_POLICY,
                    f"Refund of {amount} ({check['amount_usd']} USD) for order {oid} is above the bot's "
                    f"{check['limit_usd']} USD limit.")


async def confirm_refund(turn: Turn, order_id: str) -> list[EventType]:
    filed = await turn.api.request_refund(order_id)
    turn.say("utter_refund_filed", amount=money(filed["amount"], filed["currency"], turn.language), order_id=order_id,
             days=_days(filed))
    return []


async def usable_methods(turn: Turn, customer_id: str | None) -> list[str]:
    methods = (await turn.api.policy())["payment_methods"]
    customer = await turn.api.customer(customer_id) if customer_id else None
    if customer:
        return [*methods["all"], *methods.get(customer["currency"], [])]
    return [*methods["all"], *[m for k, v in methods.items() if k != "all" for m in v]]


async def payment_methods(turn: Turn, customer_id: str | None) -> list[EventType]:
    lang = turn.language
    methods = (await turn.api.policy())["payment_methods"]
    if customer_id:
        turn.say("utter_payment_methods_customer", methods=join(await usable_methods(turn, customer_id), lang))
    else:
        local = "; ".join(f"{join(v, lang)} ({k})" for k, v in methods.items() if k != "all")
        turn.say("utter_payment_methods_all", methods=join(methods["all"], lang), local=local)
    return []


async def payment_failed(turn: Turn, customer_id: str | None) -> list[EventType]:
    turn.say("utter_payment_failed", methods=join(await usable_methods(turn, customer_id), turn.language))
    return []


async def overdue(turn: Turn, customer_id: str) -> list[EventType]:
    lang = turn.language
    unpaid = [i for i in await turn.api.invoices(customer_id) if i["status"] in ("overdue", "open")]
    if not unpaid:
        turn.say("utter_overdue_none")
        return []
    listed = "; ".join(f"{i['invoice_id']} ({i['status']}, {money(i['total'], i['currency'], lang)}, "
                       f"{day(i['due_on'], lang)})" for i in unpaid)
    policy = await turn.api.policy()
    turn.say("utter_overdue_list", invoices=listed, methods=join(await usable_methods(turn, customer_id), lang),
             late_fee=policy.get("invoices", {}).get("late_fee", ""))
    return []
