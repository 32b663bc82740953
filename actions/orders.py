"""Answers about one verified order: status and tracking, cancellation, invoice, charges, refund."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import billing
from actions.formatting import day, money
from actions.handoff import HandoffReason, hand_off
from actions.shop_api import ShopApi, ShopApiError


def describe_status(order: dict[str, Any]) -> str:
    oid, status = order["order_id"], order["status"]
    items = ", ".join(f"{i['name']} x{i['qty']}" for i in order["items"])
    placed = f"Order {oid} ({items}), placed on {day(order['placed_on'])}"
    if status == "pending":
        return f"{placed}, is received and waiting for payment confirmation. It hasn't been prepared yet."
    if status == "processing":
        return f"{placed}, is being prepared in our warehouse and hasn't shipped yet."
    if status == "cancelled":
        return f"{placed}, was cancelled on {day(order.get('cancelled_on'))}."
    tracking = f"{order.get('carrier')}, tracking number {order.get('tracking_number')}"
    if status == "shipped":
        eta = day(order["estimated_delivery"])
        if order.get("late"):
            return (f"{placed}, shipped on {day(order['shipped_on'])} with {tracking}. It was expected by {eta} "
                    "and is running late; the carrier is still showing it in transit.")
        return f"{placed}, shipped on {day(order['shipped_on'])} with {tracking}. Expected delivery: {eta}."
    if status == "delivered":
        return f"{placed}, was delivered on {day(order['delivered_on'])} ({tracking})."
    if status == "returned":
        return f"{placed}, was returned on {day(order['returned_on'])} (return {order['return_id']})."
    return f"{placed}, has status {status}."


class ActionHandleOrderRequest(Action):
    def name(self) -> str:
        return "action_handle_order_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("verification_locked") or not tracker.get_slot("order_verified"):
            # Reset the lock so a later request can try again, once a person has looked at it.
            events = hand_off(dispatcher, HandoffReason.IDENTITY_UNVERIFIED,
                              "The customer could not confirm the e-mail on the order.")
            dispatcher.utter_message(text="I couldn't verify that this order is yours, so a colleague will help.")
            return [*events, SlotSet("verification_locked", False), SlotSet("verification_failures", 0)]
        order_id = tracker.get_slot("order_id")
        request = tracker.get_slot("order_request") or "status"
        api = ShopApi()
        try:
            order = await api.order(order_id)
            if order is None:
                dispatcher.utter_message(text=f"I couldn't find order {order_id}.")
                return [SlotSet("order_id", None)]
            if request == "cancel":
                return self._offer_cancel(dispatcher, order)
            if request in ("invoice", "charge", "refund"):
                invoice = await api.invoice_for_order(order_id)
                if invoice is None:
                    dispatcher.utter_message(text=f"There is no invoice for order {order_id} yet.")
                    return []
                return billing.answer(request, dispatcher, order, invoice)
        except ShopApiError as exc:
            return hand_off(dispatcher, HandoffReason.BACKEND_ERROR, f"Shop API failed: {exc}")
        dispatcher.utter_message(text=describe_status(order))
        return []

    @staticmethod
    def _offer_cancel(dispatcher: CollectingDispatcher, order: dict[str, Any]) -> list[EventType]:
        oid = order["order_id"]
        if order["cancellable"]:
            dispatcher.utter_message(
                text=f"Order {oid} ({money(order['total'], order['currency'])}) hasn't shipped yet, so I can "
                     "cancel it free of charge. Shall I cancel it?",
                buttons=[{"title": "Yes, cancel it", "payload": "/affirm"},
                         {"title": "No, keep it", "payload": "/deny"}],
            )
            return [SlotSet("awaiting_confirmation", "cancel_order")]
        if order["status"] in ("shipped", "delivered"):
            dispatcher.utter_message(
                text=f"Order {oid} has already {order['status']}, so it can't be cancelled any more. "
                     "You can refuse the delivery or start a return once it arrives.")
        else:
            dispatcher.utter_message(text=f"Order {oid} is {order['status']}, so there is nothing to cancel.")
        return []


class ActionConfirmCancel(Action):
    def name(self) -> str:
        return "action_confirm_cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        order_id = tracker.get_slot("order_id")
        try:
            ok, body = await ShopApi().cancel_order(order_id)
        except ShopApiError as exc:
            return [*hand_off(dispatcher, HandoffReason.BACKEND_ERROR, f"Cancelling failed: {exc}"),
                    SlotSet("awaiting_confirmation", None)]
        if ok:
            dispatcher.utter_message(
                text=f"Done: order {order_id} is cancelled. The payment goes back to your original payment method.")
        else:
            dispatcher.utter_message(text=f"I couldn't cancel order {order_id}: {body.get('detail', 'not possible')}.")
        return [SlotSet("awaiting_confirmation", None)]


class ActionDeclineCancel(Action):
    def name(self) -> str:
        return "action_decline_cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_cancel_kept")
        return [SlotSet("awaiting_confirmation", None)]
