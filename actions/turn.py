"""What every handler needs for one bot turn, in one object."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import language_of
from actions.shop_api import ShopApi


@dataclass
class Turn:
    dispatcher: CollectingDispatcher
    tracker: Tracker
    api: ShopApi = field(default_factory=ShopApi)

    @property
    def language(self) -> str:
        return language_of(self.tracker)

    def say(self, response: str, **values: Any) -> None:
        self.dispatcher.utter_message(response=response, **values)

    def slot(self, name: str) -> Any:
        return self.tracker.get_slot(name)
