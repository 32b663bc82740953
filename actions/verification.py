"""The order form: which order, and proof the customer may see it.

An order's details are shown only to the customer it belongs to: either the signed-in customer
the widget was opened with (the app passes it as message metadata) or someone who gives the
e-mail on the order. An invoice id (INV-...) stands for its order. Account-level requests
(subscriptions, account details, overdue invoices) are verified the same way with any of the
customer's orders, invoices or subscriptions (SUB-...). Two wrong e-mails lock the check, and a
customer who does not know any reference is handed to a person at once.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.handoff import HandoffReason, hand_off, stuck_hand_off
from actions.products import match_product
from actions.progress import LIMIT, handed_off_this_turn, stuck_turns
from actions.shop_api import ShopApi, ShopApiError

ORDER_ID_RE = re.compile(r"(?<!\d)(1\d{4})(?!\d)")
# What identifies the customer's records: an order number, an invoice id or a subscription id.
REFERENCE_RE = re.compile(r"\b(INV-\d{9}|SUB-\d{4})\b|(?<!\d)(1\d{4})(?!\d)", re.IGNORECASE)
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
MAX_EMAIL_ATTEMPTS = 2
# Requests about the customer rather than one order: any verified order of theirs will do.
ACCOUNT_REQUESTS = {"sub_cancel", "sub_pause", "account", "overdue"}


def signed_in_customer(tracker: Tracker) -> str | None:
    metadata = tracker.latest_message.get("metadata") or {}
    return metadata.get("customer_id") or None


def verified_customer(tracker: Tracker) -> str | None:
    return signed_in_customer(tracker) or tracker.get_slot("verified_customer_id")


def is_account_request(tracker: Tracker) -> bool:
    return tracker.get_slot("order_request") in ACCOUNT_REQUESTS


def find_reference(text: str) -> str | None:
    match = REFERENCE_RE.search(text)
    return (match.group(1) or match.group(2)).upper() if match else None


async def order_holding_product(tracker: Tracker, text: str) -> str | None:
    """For a signed-in customer, the newest of their orders holding the product the text names
    ("where are the keyboards I ordered")."""
    customer_id = signed_in_customer(tracker)
    if not customer_id:
        return None
    try:
        api = ShopApi()
        product = match_product(text, await api.products())
        if product is None:
            return None
        orders = await api.orders(customer_id)
    except ShopApiError:
        return None
    holding = [o for o in orders if any(i.get("sku") == product["sku"] for i in o.get("items", []))]
    return str(holding[0]["order_id"]) if holding else None


class AskAction:
    """Mixin for a form's question. Asked again with nothing else done for the customer in
    between, it counts as a turn that went nowhere; at the limit a person takes over instead of
    asking once more. (Not an Action itself: rasa_sdk registers every Action subclass.)"""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    def response(self, tracker: Tracker) -> str:
        return f"utter_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if handed_off_this_turn(tracker):
            return []
        if stuck_turns(tracker, asking=self.slot) >= LIMIT:
            return stuck_hand_off(dispatcher)
        dispatcher.utter_message(response=self.response(tracker), order_id=tracker.get_slot("order_id"))
        return []


class ActionAskOrderId(AskAction, Action):
    """Asks for an order number (or invoice/subscription id), worded for the request."""

    slot = "order_id"

    def response(self, tracker: Tracker) -> str:
        return "utter_ask_order_id_account" if is_account_request(tracker) else "utter_ask_order_id"


class ActionAskCustomerEmail(AskAction, Action):
    slot = "customer_email"

    def response(self, tracker: Tracker) -> str:
        account = str(tracker.get_slot("order_id") or "").upper().startswith("SUB-")
        return "utter_ask_customer_email_account" if account else "utter_ask_customer_email"


class ActionCannotVerify(Action):
    """The customer does not know an order number, invoice or subscription id (or the e-mail):
    the bot cannot verify them, a person can."""

    def name(self) -> str:
        return "action_cannot_verify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        asked = tracker.get_slot("requested_slot") or "order_id"
        return hand_off(dispatcher, HandoffReason.IDENTITY_UNVERIFIED,
                        f"The customer does not know the {asked.replace('_', ' ')} needed to verify them.")


class ValidateOrderForm(FormValidationAction):
    def name(self) -> str:
        return "validate_order_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot("verification_locked"):
            return []
        if is_account_request(tracker) and verified_customer(tracker):
            return []
        if tracker.get_slot("order_verified"):
            return ["order_id"]
        return domain_slots

    # Only what can be an answer is extracted. For anything else the form rejects the turn, so a
    # rule can take it (a digression, "I don't know", a request for a person), or else our
    # fallback, which counts the turn toward a handoff (actions/progress.py).
    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        asked = tracker.get_slot("requested_slot")
        text = tracker.latest_message.get("text") or ""
        if asked is None and not tracker.get_slot("order_id"):
            # Starting the form: the request may already name an invoice or subscription, or (a
            # signed-in customer) the order by what is in it.
            found = find_reference(text) or await order_holding_product(tracker, text)
            return {"order_id": found} if found else {}
        if asked != "order_id":
            return {}
        found = find_reference(text) or await order_holding_product(tracker, text)
        return {"order_id": found} if found else {}

    async def extract_customer_email(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "customer_email":
            return {}
        match = EMAIL_RE.search(tracker.latest_message.get("text") or "")
        return {"customer_email": match.group(0)} if match else {}

    async def validate_order_id(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        reference = find_reference(str(slot_value or ""))
        if not reference:
            dispatcher.utter_message(response="utter_bad_order_id")
            return {"order_id": None}
        try:
            found = await ShopApi().reference(reference)
        except ShopApiError:
            dispatcher.utter_message(response="utter_backend_down")
            return {"order_id": None, "verification_locked": True}
        if found is None:
            dispatcher.utter_message(response="utter_order_not_found", order_id=reference)
            return {"order_id": None}
        if found["kind"] == "subscription" and not is_account_request(tracker):
            dispatcher.utter_message(response="utter_need_order_not_subscription", subscription_id=reference)
            return {"order_id": None}
        # An invoice stands for its order; a subscription (account requests only) for itself.
        order_id, owner = found["order_id"] or reference, found["customer_id"]
        if verified_customer(tracker) == owner:
            return {"order_id": order_id, "order_verified": True, "verified_customer_id": owner}
        # A different order than the one verified before: the e-mail has to be checked again.
        return {"order_id": order_id, "order_verified": False, "customer_email": None}

    async def validate_customer_email(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        order_id = tracker.get_slot("order_id")
        email = str(slot_value or "").strip()
        if not order_id:
            return {"customer_email": None}
        try:
            customer_id = await ShopApi().verify(order_id, email) if EMAIL_RE.fullmatch(email) else None
        except ShopApiError:
            dispatcher.utter_message(response="utter_backend_down")
            return {"customer_email": None, "verification_locked": True}
        if customer_id:
            return {"customer_email": email, "order_verified": True, "verified_customer_id": customer_id,
                    "verification_failures": 0}
        failures = int(tracker.get_slot("verification_failures") or 0) + 1
        if failures >= MAX_EMAIL_ATTEMPTS:
            return {"customer_email": None, "verification_failures": failures, "verification_locked": True}
        dispatcher.utter_message(response="utter_email_mismatch", order_id=order_id)
        return {"customer_email": None, "verification_failures": failures}


# The order form's questions by slot (the fallback repeats them when an answer was unusable).
ASKS: dict[str, AskAction] = {"order_id": ActionAskOrderId(), "customer_email": ActionAskCustomerEmail()}
