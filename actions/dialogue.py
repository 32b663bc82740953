"""The Rasa actions: thin adapters from a dialogue step to the handlers in orders, billing,
account and catalog. Every shop failure becomes a handoff, never a silent turn."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import account, billing, catalog, orders
from actions.handoff import HandoffReason, hand_off
from actions.shop_api import Refused, ShopApiError
from actions.turn import Turn
from actions.verification import AskAction, verified_customer

log = logging.getLogger(__name__)


async def _guarded(turn: Turn, handler: Callable[[], Awaitable[list[EventType]]]) -> list[EventType]:
    try:
        return await handler()
    except ShopApiError as exc:
        log.warning("shop API failed: %s", exc)
        return hand_off(turn.dispatcher, HandoffReason.BACKEND_ERROR, f"The shop system failed: {exc}")
    except Refused as exc:  # checked before offering, so only a race gets here
        return hand_off(turn.dispatcher, HandoffReason.BACKEND_ERROR, f"The shop refused: {exc.code} {exc}")


class _TurnAction:
    """Mixin: runs `handle` with a Turn, shop failures handled. (Not an Action itself: rasa_sdk
    registers every Action subclass, and this one has no name.)"""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        return await _guarded(turn, lambda: self.handle(turn))

    async def handle(self, turn: Turn) -> list[EventType]:
        raise NotImplementedError


class ActionHandleOrderRequest(_TurnAction, Action):
    """After the order form: do what the customer asked (the order_request slot)."""

    def name(self) -> str:
        return "action_handle_order_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        events = await _TurnAction.run(self, dispatcher, tracker, domain)
        # Whatever happened, the verification lock is spent; awaiting_details is always set so the
        # rules can tell "done" (listen) from "a change needs details" (the details form).
        if not any(isinstance(e, dict) and e.get("name") == "awaiting_details" for e in events):
            events.append(SlotSet("awaiting_details", False))
        return [*events, SlotSet("verification_locked", False)]

    async def handle(self, turn: Turn) -> list[EventType]:
        request = turn.slot("order_request") or "status"
        customer_id = verified_customer(turn.tracker)
        if turn.slot("verification_locked") or not customer_id:
            turn.say("utter_identity_unverified")
            events = hand_off(turn.dispatcher, HandoffReason.IDENTITY_UNVERIFIED,
                              "The customer could not confirm the e-mail on the order.")
            return [*events, SlotSet("verification_failures", 0)]
        if turn.slot("awaiting_confirmation") == "retention" and request in ("cancel", "sub_cancel"):
            # "just cancel it" after the retention offer: the subscription, whatever intent it parsed as.
            return [SlotSet("awaiting_confirmation", None), *await account.confirm_cancel(turn, customer_id)]
        if request in ("sub_cancel", "sub_pause", "account", "overdue"):
            return await self._account(turn, request, customer_id)
        order_id = turn.slot("order_id")
        order = await turn.api.order(order_id)
        if order is None or order["customer_id"] != customer_id:
            turn.say("utter_order_not_found", order_id=order_id)
            return [SlotSet("order_id", None)]
        reset = [SlotSet("awaiting_confirmation", None)]
        if request == "cancel":
            return [*reset, *orders.offer_cancel(turn, order)]
        if request in ("change", "address"):
            return [*reset, *orders.ask_change(turn, order)]
        if request == "return":
            return [*reset, *await orders.offer_return(turn, order)]
        if request in ("invoice", "charge", "refund_status", "refund_request"):
            invoice = await turn.api.invoice_for_order(order_id)
            if request != "invoice" and order["status"] == "cancelled":
                # Money asked about on a cancelled order: the records show nothing to refund or
                # explain, the customer says they paid. That is a dispute for a person.
                status = (invoice or {}).get("status", "none")
                return [*reset, *hand_off(turn.dispatcher, HandoffReason.CHARGE_DISPUTE,
                                          f"Asks about a charge on cancelled order {order_id} (invoice {status}).")]
            if request == "refund_request" or (request == "refund_status" and invoice and not invoice.get("refund")
                                               and not invoice.get("anomaly") and order["status"] == "delivered"):
                # Asking where a refund is when there is none yet usually means wanting one.
                return [*reset, *await billing.offer_refund(turn, order, invoice)]
            if invoice is None:
                turn.say("utter_no_invoice", order_id=order_id)
                return reset
            return [*reset, *billing.answer(turn, request, order, invoice)]
        return [*reset, *orders.status(turn, order)]

    @staticmethod
    async def _account(turn: Turn, request: str, customer_id: str) -> list[EventType]:
        if request == "sub_cancel":
            return await account.cancel(turn, customer_id)
        if request == "sub_pause":
            return await account.pause(turn, customer_id)
        if request == "overdue":
            return await billing.overdue(turn, customer_id)
        return account.ask_account_change()


async def _owned_order(turn: Turn) -> str | None:
    """The order a pending question is about, if it belongs to the verified customer (checked
    again right before any change: the shop API trusts the bot)."""
    order_id = turn.slot("pending_order_id") or turn.slot("order_id")
    customer_id = verified_customer(turn.tracker)
    order = await turn.api.order(order_id) if order_id and customer_id else None
    return order_id if order is not None and order["customer_id"] == customer_id else None


class ActionConfirm(_TurnAction, Action):
    """The customer said yes to the pending question (awaiting_confirmation)."""

    def name(self) -> str:
        return "action_confirm"

    async def handle(self, turn: Turn) -> list[EventType]:
        pending = turn.slot("awaiting_confirmation")
        customer_id = verified_customer(turn.tracker) or ""
        done = [SlotSet("awaiting_confirmation", None)]
        order_id = await _owned_order(turn) if pending in ("cancel_order", "return", "refund") else None
        if pending in ("cancel_order", "return", "refund") and order_id is None:
            turn.say("utter_order_not_found", order_id=turn.slot("pending_order_id") or turn.slot("order_id"))
            return done
        if pending == "cancel_order":
            return [*done, *await orders.confirm_cancel(turn, order_id)]
        if pending == "return":
            return [*done, *await orders.confirm_return(turn, order_id)]
        if pending == "refund":
            return [*done, *await billing.confirm_refund(turn, order_id)]
        if pending == "retention":
            return [*done, *await account.accept_discount(turn, customer_id)]
        return done


class ActionDecline(_TurnAction, Action):
    def name(self) -> str:
        return "action_decline"

    async def handle(self, turn: Turn) -> list[EventType]:
        pending = turn.slot("awaiting_confirmation")
        order_id = turn.slot("pending_order_id") or turn.slot("order_id")
        done = [SlotSet("awaiting_confirmation", None)]
        if pending == "retention":  # no to the offer: cancel as asked
            return [*done, *await account.confirm_cancel(turn, verified_customer(turn.tracker) or "")]
        turn.say({"cancel_order": "utter_cancel_kept", "return": "utter_return_kept",
                  "refund": "utter_refund_kept"}.get(pending or "", "utter_anything_else"), order_id=order_id)
        return done


class ActionAskDetails(AskAction, Action):
    """The details form's question, worded for what is being changed."""

    slot = "details"

    def response(self, tracker: Tracker) -> str:
        return {"change": "utter_ask_details_change", "address": "utter_ask_details_address"}.get(
            tracker.get_slot("order_request") or "", "utter_ask_details_account")


class ActionSubmitDetails(_TurnAction, Action):
    def name(self) -> str:
        return "action_submit_details"

    async def handle(self, turn: Turn) -> list[EventType]:
        request, details = turn.slot("order_request"), str(turn.slot("details") or "")
        done = [SlotSet("awaiting_details", False)]
        if request in ("change", "address"):
            order_id = await _owned_order(turn)
            if order_id is None:
                turn.say("utter_order_not_found", order_id=turn.slot("pending_order_id"))
                return done
            events = await orders.submit_change(turn, order_id, request, details)
            return [*done, *events, SlotSet("order_id", order_id)]
        return [*done, *await account.submit_account_change(turn, verified_customer(turn.tracker) or "", details)]


# Replies that cannot describe a change of items (addresses and account fields have validators of
# their own; "I don't know" is never an answer).
NOT_DETAILS = {"affirm", "deny", "greet", "thanks", "goodbye"}


class ValidateDetailsForm(FormValidationAction):
    """Re-asks when the answer cannot be what was asked (an address without a number, an account
    change naming no field)."""

    def name(self) -> str:
        return "validate_details_form"

    async def validate_details(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text, request = str(slot_value or ""), tracker.get_slot("order_request")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "dont_know" or (intent in NOT_DETAILS and request == "change"):
            # "I don't know", "yes", small talk: nothing to record as the change; ask again (the
            # ask counts toward a handoff if the customer stays stuck).
            dispatcher.utter_message(response="utter_not_an_answer")
            return {"details": None}
        if request == "address" and not orders.plausible_address(text):
            dispatcher.utter_message(response="utter_address_too_short")
            return {"details": None}
        if request == "account" and not account.parse_account_change(text):
            dispatcher.utter_message(response="utter_account_not_understood")
            return {"details": None}
        return {"details": text.strip() or None}


class ActionPaymentMethods(_TurnAction, Action):
    def name(self) -> str:
        return "action_payment_methods"

    async def handle(self, turn: Turn) -> list[EventType]:
        return await billing.payment_methods(turn, verified_customer(turn.tracker))


class ActionPaymentFailed(_TurnAction, Action):
    def name(self) -> str:
        return "action_payment_failed"

    async def handle(self, turn: Turn) -> list[EventType]:
        return await billing.payment_failed(turn, verified_customer(turn.tracker))


class ActionDeliveryOptions(_TurnAction, Action):
    def name(self) -> str:
        return "action_delivery_options"

    async def handle(self, turn: Turn) -> list[EventType]:
        return await catalog.delivery_options(turn)


class ActionCheckStock(_TurnAction, Action):
    def name(self) -> str:
        return "action_check_stock"

    async def handle(self, turn: Turn) -> list[EventType]:
        return await catalog.check_stock(turn)


class ActionStorePolicy(_TurnAction, Action):
    def name(self) -> str:
        return "action_store_policy"

    async def handle(self, turn: Turn) -> list[EventType]:
        return await catalog.store_policy(turn)
