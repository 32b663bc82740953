"""Subscriptions (cancel with one retention offer first, pause) and account details."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk.events import EventType, SlotSet

from actions.formatting import day
from actions.turn import Turn
from actions.verification import EMAIL_RE

PHONE_RE = re.compile(r"\+?\d[\d\s().-]{6,}\d")


async def _subscription(turn: Turn, customer_id: str) -> dict[str, Any] | None:
    """The subscription the customer named (verified with it), else their live one (active first,
    then paused)."""
    subs = [s for s in await turn.api.subscriptions(customer_id) if s["status"] != "cancelled"]
    named = str(turn.slot("order_id") or "").upper()
    subs.sort(key=lambda s: (s["subscription_id"] != named, s["status"] != "active"))
    return subs[0] if subs else None


async def cancel(turn: Turn, customer_id: str) -> list[EventType]:
    sub = await _subscription(turn, customer_id)
    if sub is None:
        turn.say("utter_no_subscription")
        return []
    if turn.slot("awaiting_confirmation") == "retention":
        # Asked again after the offer: the customer insists.
        return await confirm_cancel(turn, customer_id)
    offers = (await turn.api.policy()).get("subscriptions", {}).get("retention_offers", [])
    pause = next((o for o in offers if "pause" in o), "pause it")
    discount = next((o for o in offers if "%" in o), "a discount")
    turn.say("utter_retention_offer", plan=sub["plan"], discount=discount, pause=pause)
    return [SlotSet("awaiting_confirmation", "retention")]


async def confirm_cancel(turn: Turn, customer_id: str) -> list[EventType]:
    sub = await _subscription(turn, customer_id)
    if sub is None:
        turn.say("utter_no_subscription")
        return [SlotSet("awaiting_confirmation", None)]
    done = await turn.api.change_subscription(sub["subscription_id"], "cancel")
    turn.say("utter_subscription_cancelled", plan=sub["plan"], ends=day(done.get("ends_on"), turn.language))
    return [SlotSet("awaiting_confirmation", None)]


async def accept_discount(turn: Turn, customer_id: str) -> list[EventType]:
    sub = await _subscription(turn, customer_id)
    if sub is None:
        turn.say("utter_no_subscription")
        return []
    await turn.api.change_subscription(sub["subscription_id"], "discount")
    offers = (await turn.api.policy()).get("subscriptions", {}).get("retention_offers", [])
    turn.say("utter_subscription_discounted", plan=sub["plan"],
             discount=next((o for o in offers if "%" in o), "the discount"))
    return []


async def pause(turn: Turn, customer_id: str) -> list[EventType]:
    sub = await _subscription(turn, customer_id)
    if sub is None:
        turn.say("utter_no_subscription")
        return [SlotSet("awaiting_confirmation", None)]
    done = await turn.api.change_subscription(sub["subscription_id"], "pause", months=1)
    turn.say("utter_subscription_paused", plan=sub["plan"], until=day(done.get("paused_until"), turn.language))
    return [SlotSet("awaiting_confirmation", None)]


def ask_account_change() -> list[EventType]:
    return [SlotSet("details", None), SlotSet("awaiting_details", True)]


def parse_account_change(text: str) -> dict[str, str]:
    """Which account field the customer gave a new value for: e-mail, phone, or else address."""
    if email := EMAIL_RE.search(text):
        return {"email": email.group(0)}
    lowered = text.lower()
    if (phone := PHONE_RE.search(text)) and not any(w in lowered for w in ("street", "st.", "jl.", "road", "rd")):
        return {"phone": re.sub(r"[\s().-]", "", phone.group(0))}
    address = re.sub(r"^\s*(my\s+)?(new\s+)?(address|alamat|כתובת)\s*(is|:|adalah)?\s*", "", text, flags=re.I)
    return {"address": address.strip()} if len(address.strip()) >= 8 else {}


async def submit_account_change(turn: Turn, customer_id: str, details: str) -> list[EventType]:
    changes = parse_account_change(details)  # validate_details_form made sure there is one
    if not changes:
        turn.say("utter_account_not_understood")
        return []
    await turn.api.update_customer(customer_id, changes)
    ((field, value),) = changes.items()
    turn.say(f"utter_account_{field}_updated", value=value)
    return []
