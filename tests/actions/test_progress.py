"""The "bot cannot help" count (actions/progress.py) on event sequences shaped like Rasa's."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from actions.progress import LIMIT, handed_off_this_turn, stuck_turns


@dataclass
class FakeTracker:
    events: list[dict[str, Any]] = field(default_factory=list)

    def user(self, text: str, intent: str) -> FakeTracker:
        self.events += [{"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}},
                        {"event": "action", "name": "action_extract_slots"}]
        return self

    def action(self, name: str) -> FakeTracker:
        self.events.append({"event": "action", "name": name})
        return self

    def asks(self, slot: str) -> FakeTracker:
        self.events += [{"event": "action", "name": "order_form"},
                        {"event": "slot", "name": "requested_slot", "value": slot}]
        return self

    def listen(self) -> FakeTracker:
        return self.action("action_listen")


def test_a_fresh_conversation_is_not_stuck() -> None:
    tracker = FakeTracker().user("hi", "greet")
    assert stuck_turns(tracker) == 0
    assert stuck_turns(tracker, falling_back=True) == 1


def test_two_fallbacks_in_a_row_reach_the_limit() -> None:
    tracker = FakeTracker().user("qwerty", "nlu_fallback").action("action_fallback").listen()
    tracker.user("asdf", "nlu_fallback")
    assert stuck_turns(tracker, falling_back=True) == LIMIT


def test_a_turn_that_helped_resets_the_count() -> None:
    tracker = FakeTracker().user("qwerty", "nlu_fallback").action("action_fallback").listen()
    tracker.user("payment methods?", "payment_methods").action("action_payment_methods").listen()
    tracker.user("asdf", "nlu_fallback")
    assert stuck_turns(tracker, falling_back=True) == 1


def test_a_form_asking_the_same_slot_again_counts() -> None:
    tracker = FakeTracker().user("cancel my subscription", "cancel_subscription").asks("order_id").listen()
    tracker.user("ya", "affirm")  # the form could not use it and asks again
    assert stuck_turns(tracker, asking="order_id") == 1
    tracker.asks("order_id").listen().user("ya", "affirm")
    assert stuck_turns(tracker, asking="order_id") == LIMIT


def test_a_form_moving_to_the_next_slot_is_progress() -> None:
    tracker = FakeTracker().user("where is my order", "order_status").asks("order_id").listen()
    tracker.user("10042", "provide_order_id")
    assert stuck_turns(tracker, asking="customer_email") == 0


def test_a_digression_inside_a_form_is_not_stuck() -> None:
    tracker = FakeTracker().user("where is my order", "order_status").asks("order_id").listen()
    tracker.user("do you take paypal", "payment_methods").action("action_payment_methods")
    assert stuck_turns(tracker, asking="order_id") == 0


def test_a_fallback_inside_a_form_then_the_re_ask_is_one_stuck_turn() -> None:
    tracker = FakeTracker().user("where is my order", "order_status").asks("order_id").listen()
    tracker.user("hmm", "nlu_fallback").action("action_fallback")
    assert stuck_turns(tracker, asking="order_id") == 1
    tracker.asks("order_id").listen().user("hmmm", "nlu_fallback")
    assert stuck_turns(tracker, falling_back=True) == LIMIT


def test_a_handoff_in_this_turn_is_seen() -> None:
    tracker = FakeTracker().user("qwerty", "nlu_fallback").action("action_fallback")
    assert not handed_off_this_turn(tracker)
    tracker.events.append({"event": "slot", "name": "handoff_reason", "value": "repeated_fallback"})
    assert handed_off_this_turn(tracker)
    tracker.listen().user("hello?", "greet")
    assert not handed_off_this_turn(tracker)


def test_a_fallback_then_a_failed_answer_to_the_same_question_counts_twice() -> None:
    tracker = FakeTracker().user("cancel my subscription", "cancel_subscription").asks("order_id").listen()
    # The form rejects "ya"; the core fallback reverts it (no new question is asked).
    tracker.user("ya", "affirm").action("order_form")
    tracker.events.append({"event": "action_execution_rejected", "name": "order_form"})
    tracker.action("action_fallback").events.append({"event": "rewind"})
    tracker.listen().user("12345", "provide_order_id")  # not an order: the form asks again
    assert stuck_turns(tracker, asking="order_id") == LIMIT


def test_leaving_the_form_closes_the_question() -> None:
    tracker = FakeTracker().user("where is my order", "order_status").asks("order_id").listen()
    tracker.user("agent please", "human_handoff").action("action_deactivate_loop")
    tracker.events.append({"event": "active_loop", "name": None})
    tracker.action("action_handoff").listen().user("where is my order", "order_status")
    assert stuck_turns(tracker, asking="order_id") == 0
