"""The order form: which order, and proof the customer may see it.

An order's details are shown only to the customer it belongs to: either the signed-in customer
the widget was opened with (the app passes it as message metadata) or someone who gives the
e-mail on the order. Account-level requests (subscriptions, account details, overdue invoices)
are verified the same way with any of the customer's orders. Three wrong e-mails lock the check
and a person takes over.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.shop_api import ShopApi, ShopApiError

ORDER_ID_RE = re.compile(r"(?<!\d)(1\d{4})(?!\d)")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
MAX_EMAIL_ATTEMPTS = 3
# Requests about the customer rather than one order: any verified order of theirs will do.
ACCOUNT_REQUESTS = {"sub_cancel", "sub_pause", "account", "overdue"}


def signed_in_customer(tracker: Tracker) -> str | None:
    metadata = tracker.latest_message.get("metadata") or {}
    return metadata.get("customer_id") or None


def verified_customer(tracker: Tracker) -> str | None:
    return signed_in_customer(tracker) or tracker.get_slot("verified_customer_id")


def is_account_request(tracker: Tracker) -> bool:
    return tracker.get_slot("order_request") in ACCOUNT_REQUESTS


class ActionAskOrderId(Action):
    """Asks for an order number, worded for the request (an order, or a check of the account)."""

    def name(self) -> str:
        return "action_ask_order_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        account = is_account_request(tracker)
        dispatcher.utter_message(response="utter_ask_order_id_account" if account else "utter_ask_order_id")
        return []


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

    # Entities can be missed (a typo around the number); when we asked for a value, take it from text.
    async def extract_order_id(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "order_id":
            return {}
        match = ORDER_ID_RE.search(tracker.latest_message.get("text") or "")
        return {"order_id": match.group(1)} if match else {}

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
        match = ORDER_ID_RE.search(str(slot_value or ""))
        if not match:
            dispatcher.utter_message(response="utter_bad_order_id")
            return {"order_id": None}
        order_id = match.group(1)
        try:
            order = await ShopApi().order(order_id)
        except ShopApiError:
            dispatcher.utter_message(response="utter_backend_down")
            return {"order_id": None, "verification_locked": True}
        if order is None:
            dispatcher.utter_message(response="utter_order_not_found", order_id=order_id)
            return {"order_id": None}
        owner = order["customer_id"]
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
