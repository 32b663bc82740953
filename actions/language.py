"""Keeps the `language` slot on the language of the customer's latest message.

The app detects it (handoff/language.py, with the widget's locale as a hint) and sends it as
message metadata; this runs on every user turn as the slot's custom mapping, so responses switch
language the moment the customer does.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

LANGUAGES = ("en", "id", "he")


class ActionSetLanguage(Action):
    def name(self) -> str:
        return "action_set_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        language = (tracker.latest_message.get("metadata") or {}).get("language")
        if language in LANGUAGES and language != tracker.get_slot("language"):
            return [SlotSet("language", language)]
        return []
