"""Handing the conversation to a person: the bot says so and emits a machine-readable marker
that the app turns into a queued conversation (see docs/protocol.md, "handoff marker")."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher


class HandoffReason:
    """The reasons the bot hands off. The app's `HandoffReason` enum is the source of truth; a test
    checks that every value here is one of its values."""

    CUSTOMER_REQUEST = "customer_request"
    COMPLAINT = "complaint"
    DAMAGED_ITEM = "damaged_item"
    MISSING_ITEM = "missing_item"
    WRONG_ITEM = "wrong_item"
    NOT_RECEIVED = "not_received"
    CHARGE_DISPUTE = "charge_dispute"
    REPEATED_FALLBACK = "repeated_fallback"
    BILLING_ANOMALY = "billing_anomaly"
    REFUND_BEYOND_POLICY = "refund_beyond_policy"
    RETURN_OUTSIDE_WINDOW = "return_outside_window"
    IDENTITY_UNVERIFIED = "identity_unverified"
    BACKEND_ERROR = "backend_error"


# Problems a person must resolve, whatever routine words the message also has: intent -> reason.
PROBLEM_INTENTS = {
    "complaint": HandoffReason.COMPLAINT,
    "damaged_item": HandoffReason.DAMAGED_ITEM,
    "missing_item": HandoffReason.MISSING_ITEM,
    "wrong_item": HandoffReason.WRONG_ITEM,
    "not_received": HandoffReason.NOT_RECEIVED,
    "charge_dispute": HandoffReason.CHARGE_DISPUTE,
}
_PROBLEM_NOTES = {
    "complaint": "Complaint",
    "damaged_item": "Item arrived damaged",
    "missing_item": "Item missing from the delivery",
    "wrong_item": "Wrong item delivered",
    "not_received": "Order not received",
    "charge_dispute": "Disputes a charge",
}


def hand_off(dispatcher: CollectingDispatcher, reason: str, note: str = "") -> list[EventType]:
    dispatcher.utter_message(response="utter_handoff")
    dispatcher.utter_message(json_message={"handoff": {"reason": reason, "note": note}})
    # A pending yes/no question dies with the handoff: a later "yes" must not act on it.
    return [SlotSet("handoff_reason", reason), SlotSet("awaiting_confirmation", None)]


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        if intent in PROBLEM_INTENTS:
            order_id = tracker.get_slot("order_id")
            about = f" (order {order_id})" if order_id else ""
            return hand_off(dispatcher, PROBLEM_INTENTS[intent],
                            f"{_PROBLEM_NOTES[intent]}{about}: {tracker.latest_message.get('text')}")
        return hand_off(dispatcher, HandoffReason.CUSTOMER_REQUEST, "The customer asked for a person.")


def stuck_hand_off(dispatcher: CollectingDispatcher) -> list[EventType]:
    return hand_off(dispatcher, HandoffReason.REPEATED_FALLBACK,
                    "Two messages in a row the assistant could not understand or help with.")
