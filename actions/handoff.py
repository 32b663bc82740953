"""Handing the conversation to a person: the bot says so and emits a machine-readable marker
that the app turns into a queued conversation (see docs/protocol.md, "handoff marker")."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher


class HandoffReason:
    CUSTOMER_REQUEST = "customer_request"
    COMPLAINT = "complaint"
    REPEATED_FALLBACK = "repeated_fallback"
    BILLING_ANOMALY = "billing_anomaly"
    REFUND_BEYOND_POLICY = "refund_beyond_policy"
    RETURN_OUTSIDE_WINDOW = "return_outside_window"
    IDENTITY_UNVERIFIED = "identity_unverified"
    BACKEND_ERROR = "backend_error"


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
        if (tracker.latest_message.get("intent") or {}).get("name") == "complaint":
            return hand_off(dispatcher, HandoffReason.COMPLAINT, f"Complaint: {tracker.latest_message.get('text')}")
        return hand_off(dispatcher, HandoffReason.CUSTOMER_REQUEST, "The customer asked for a person.")


# Turns the bot could not do anything with: too unsure to act, or outside what it handles.
NOT_UNDERSTOOD = {"nlu_fallback", "out_of_scope"}


def consecutive_misses(tracker: Tracker) -> int:
    """How many of the latest user turns in a row the bot could not help with."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        if intent.get("name") not in NOT_UNDERSTOOD:
            break
        count += 1
    return count


class ActionFallback(Action):
    """First miss: ask to rephrase (or say what the bot can do). Second miss in a row: a person takes over."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if consecutive_misses(tracker) >= 2:
            return hand_off(dispatcher, HandoffReason.REPEATED_FALLBACK,
                            "Two messages in a row the assistant could not understand or help with.")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        dispatcher.utter_message(response="utter_out_of_scope" if intent == "out_of_scope" else "utter_default")
        return []
