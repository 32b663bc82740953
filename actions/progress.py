"""The one rule for "the bot cannot help": count the customer's turns in a row that did not move
their request forward, as the customer experienced them.

A turn did not move forward when the bot fell back ("could you rephrase?", "I can't help with
that") or a form asked again for the same slot without anything else useful happening in that
turn (no digression answered). The count is read from the tracker's events each time, so no
action has to remember to reset a counter; `action_fallback` and every form's ask action check it
before speaking, and at `LIMIT` a person takes over instead (`repeated_fallback`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # plain Python at run time, so the app's test environment can test it
    from rasa_sdk import Tracker

LIMIT = 2  # at the second turn in a row that goes nowhere, hand off

FALLBACK_ACTIONS = {"action_fallback", "action_default_fallback"}
# Bookkeeping actions: running them does not help the customer by itself.
NEUTRAL_ACTIONS = {
    "action_listen", "action_session_start", "action_extract_slots", "action_set_language",
    "action_deactivate_loop", "order_form", "details_form", "validate_order_form", "validate_details_form",
    # Small talk answered in the middle of a request does not move it forward either.
    "utter_greet", "utter_you_are_welcome", "utter_how_can_i_help",
}


@dataclass
class _Turn:
    question: str | None = None  # the slot a form is waiting for after this turn
    asked: bool = False  # a form (re-)asked its question in this turn
    fell_back: bool = False
    helped: bool = False  # some other action ran (a digression answered, a request handled)
    handed_off: bool = False
    form_rejected: bool = False  # a form could not use the message (then Rasa's core fallback runs)


def _turns(events: Iterable[dict[str, Any]]) -> list[_Turn]:
    """One entry per user message, oldest first, with what the bot did in answer to it."""
    turns: list[_Turn] = []
    current: _Turn | None = None
    question: str | None = None
    for event in events:
        kind, name = event.get("event"), str(event.get("name") or "")
        if kind == "user":
            current = _Turn(question=question)
            turns.append(current)
        elif kind == "slot" and name == "requested_slot":
            question = str(event["value"]) if event.get("value") else None
            if current is not None and question:
                current.asked = True
        elif kind == "active_loop" and not event.get("name"):
            question = None
        if current is None:
            continue
        current.question = question
        if kind == "slot" and name == "handoff_reason" and event.get("value"):
            current.handed_off = True
        elif kind == "action_execution_rejected":
            current.form_rejected = True
        elif kind == "action":
            if name in FALLBACK_ACTIONS:
                current.fell_back = True
            elif name not in NEUTRAL_ACTIONS and not name.startswith(("action_ask_", "utter_ask_")):
                current.helped = True
    return turns


def _stuck(turn: _Turn, previous: _Turn | None) -> bool:
    if turn.fell_back:
        return True
    # The same question again, with nothing else done for the customer in between.
    waiting_for = previous.question if previous is not None else None
    return turn.asked and waiting_for is not None and turn.question == waiting_for and not turn.helped


def stuck_turns(tracker: Tracker, *, falling_back: bool = False, asking: str | None = None) -> int:
    """How many customer turns in a row, up to and including the current one, went nowhere.

    The current turn is still running: the caller says what it is about to do (`falling_back`, or
    `asking` for a slot), since its own event is not in the tracker yet.
    """
    turns = _turns(tracker.events)
    if not turns:
        return 0
    current = turns[-1]
    if falling_back:
        current.fell_back = True
    if asking is not None:
        current.asked, current.question = True, asking
    count = 0
    for index in range(len(turns) - 1, -1, -1):
        previous = turns[index - 1] if index > 0 else None
        if not _stuck(turns[index], previous):
            break
        count += 1
    return count


def handed_off_this_turn(tracker: Tracker) -> bool:
    """A handoff already happened in answer to the latest message (then nothing more is said)."""
    turns = _turns(tracker.events)
    return bool(turns) and turns[-1].handed_off


def form_rejected_this_turn(tracker: Tracker) -> bool:
    """A form could not use the latest message and no rule took it: the fallback is Rasa's core
    fallback, and must end the turn (revert the message) or Rasa predicts it again."""
    turns = _turns(tracker.events)
    return bool(turns) and turns[-1].form_rejected
