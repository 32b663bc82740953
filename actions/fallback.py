"""The fallback: the bot could not use the message. It asks to rephrase (inside a form: asks its
question again), unless that would be the second turn in a row going nowhere; then a person
takes over (actions/progress.py has the count)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import stuck_hand_off
from actions.progress import LIMIT, form_rejected_this_turn, handed_off_this_turn, stuck_turns
from actions.verification import ASKS


class ActionFallback(Action):
    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if handed_off_this_turn(tracker):
            return []
        # As Rasa's core fallback (a form could not use the message), the message is reverted so
        # the form keeps waiting for its answer; the count reads the raw events and still sees it.
        end_turn = [UserUtteranceReverted()] if form_rejected_this_turn(tracker) else []
        if stuck_turns(tracker, falling_back=True) >= LIMIT:
            return [*stuck_hand_off(dispatcher), *end_turn]
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        asked = tracker.get_slot("requested_slot")
        if end_turn and asked in ASKS:
            dispatcher.utter_message(response="utter_not_an_answer")
            dispatcher.utter_message(response=ASKS[asked].response(tracker), order_id=tracker.get_slot("order_id"))
        else:
            dispatcher.utter_message(response="utter_out_of_scope" if intent == "out_of_scope" else "utter_default")
        return end_turn
