"""One verified order: status and tracking, cancel, change items, change address, return."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import EventType, SlotSet

from actions.formatting import day, money
from actions.handoff import HandoffReason, hand_off
from actions.turn import Turn


def items(order: dict[str, Any]) -> str:
    return ", ".join(f"{i['name']} x{i['qty']}" for i in order["items"])


def plausible_address(text: str) -> bool:
    return len(text.strip()) >= 8 and any(ch.isdigit() for ch in text)


def status(turn: Turn, order: dict[str, Any]) -> list[EventType]:
    lang = turn.language
    values: dict[str, Any] = {"order_id": order["order_id"], "items": items(order),
                              "placed": day(order["placed_on"], lang)}
    state = order["status"]
    if state in ("shipped", "delivered"):
        values.update(carrier=order.get("carrier"), tracking=order.get("tracking_number"),
                      shipped=day(order.get("shipped_on"), lang), eta=day(order.get("estimated_delivery"), lang),
                      delivered=day(order.get("delivered_on"), lang))
    if state == "shipped":
        turn.say("utter_status_shipped_late" if order.get("late") else "utter_status_shipped", **values)
    elif state == "returned":
        turn.say("utter_status_returned", returned=day(order.get("returned_on"), lang),
                 return_id=order.get("return_id"), **values)
    elif state == "cancelled":
        turn.say("utter_status_cancelled", cancelled=day(order.get("cancelled_on"), lang), **values)
    else:
        turn.say(f"utter_status_{state}", **values)
    return []


def offer_cancel(turn: Turn, order: dict[str, Any]) -> list[EventType]:
    oid = order["order_id"]
    if order["cancellable"]:
        turn.say("utter_cancel_offer", order_id=oid, total=money(order["total"], order["currency"], turn.language))
        return [SlotSet("awaiting_confirmation", "cancel_order"), *pin(order)]
    if order["status"] in ("shipped", "delivered"):
        turn.say("utter_cancel_refused_shipped", order_id=oid, status=order["status"])
    else:
        turn.say("utter_cancel_nothing", order_id=oid, status=order["status"])
    return []


async def confirm_cancel(turn: Turn, order_id: str) -> list[EventType]:
    await turn.api.cancel_order(order_id)
    turn.say("utter_cancel_done", order_id=order_id)
    return []


def pin(order: dict[str, Any]) -> list[EventType]:
    """Pins the order a pending question is about: a later message can contain a number shaped
    like an order number (a postcode), which refills the order_id slot."""
    return [SlotSet("pending_order_id", order["order_id"])]


def ask_change(turn: Turn, order: dict[str, Any]) -> list[EventType]:
    """change / address: only before shipping; then the details form asks what to change."""
    if not order["changeable"]:
        turn.say("utter_change_refused", order_id=order["order_id"], status=order["status"])
        return []
    # awaiting_details opens the details form (a rule); action_ask_details words its question.
    return [SlotSet("details", None), *pin(order), SlotSet("awaiting_details", True)]


async def submit_change(turn: Turn, order_id: str, kind: str, details: str) -> list[EventType]:
    if kind == "change":
        await turn.api.request_change(order_id, details)
        turn.say("utter_change_noted", order_id=order_id, details=details)
        return []
    updated = await turn.api.change_address(order_id, details.strip())
    turn.say("utter_address_changed", order_id=order_id, address=updated["shipping_address"])
    return []


async def offer_return(turn: Turn, order: dict[str, Any]) -> list[EventType]:
    oid, lang = order["order_id"], turn.language
    if order["status"] != "delivered":
        turn.say("utter_return_not_delivered", order_id=oid, status=order["status"])
        return []
    if not order["returnable"]:
        turn.say("utter_return_outside_window", order_id=oid, window_end=day(order.get("return_window_ends"), lang))
        return hand_off(turn.dispatcher, HandoffReason.RETURN_OUTSIDE_WINDOW,
                        f"Return asked for order {oid} after the window ended on {order.get('return_window_ends')}.")
    policy = await turn.api.policy()
    returns = policy.get("returns", {})
    turn.say("utter_return_offer", order_id=oid, window_end=day(order.get("return_window_ends"), lang),
             condition=returns.get("condition"), return_shipping=returns.get("return_shipping"))
    return [SlotSet("awaiting_confirmation", "return"), *pin(order)]


async def confirm_return(turn: Turn, order_id: str) -> list[EventType]:
    order = await turn.api.start_return(order_id)
    policy = await turn.api.policy()
    turn.say("utter_return_created", order_id=order_id, return_id=order.get("pending_return_id"),
             refund_to=policy.get("refunds", {}).get("to"))
    return []
