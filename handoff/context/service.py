"""The handoff context: everything an agent needs so the customer never repeats themselves."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handoff.clock import Clock
from handoff.context import history
from handoff.conversations.enums import HandoffReason, Sender
from handoff.conversations.models import Conversation, Message
from handoff.shop import service as shop_service

# Slots that are bookkeeping of the dialogue, not facts about the customer.
_INTERNAL_SLOTS = {"requested_slot", "session_started_metadata"}

# Order numbers and invoice ids as customers write them (the bot's entities, bot/data/regex.yml).
_REFERENCE_RE = re.compile(r"\bINV-\d{9}\b|(?<!\d)1\d{4}(?!\d)", re.IGNORECASE)


def understood(parse: dict[str, Any], seq: int | None, text: str | None) -> dict[str, Any]:
    """One user turn as the bot understood it: intent, confidence, runner-up intents, entities."""
    intent = parse.get("intent") or {}
    return {
        "seq": seq,
        "text": text,
        "intent": intent.get("name"),
        "confidence": round(float(intent.get("confidence") or 0.0), 4),
        "ranking": [{"intent": r.get("name"), "confidence": round(float(r.get("confidence") or 0.0), 4)}
                    for r in (parse.get("intent_ranking") or [])[:3]],
        "entities": [{"entity": e.get("entity"), "value": e.get("value")} for e in parse.get("entities") or []],
    }


def understood_turns(tracker: dict[str, Any]) -> list[dict[str, Any]]:
    return [understood(e.get("parse_data") or {}, (e.get("metadata") or {}).get("seq"), e.get("text"))
            for e in tracker.get("events", []) if e.get("event") == "user"]


def filled_slots(tracker: dict[str, Any]) -> dict[str, Any]:
    slots = tracker.get("slots") or {}
    return {k: v for k, v in slots.items() if v not in (None, [], "") and k not in _INTERNAL_SLOTS}


async def _referenced(session: AsyncSession, slots: dict[str, Any]) -> tuple[str | None, str | None]:
    """(order_id, invoice_id) the bot understood: slot values that name a real order or invoice (the
    order slot holds an invoice id until the order form has resolved it)."""
    order_id: str | None = None
    invoice_id: str | None = None
    for slot in ("invoice_id", "order_id"):
        value = slots.get(slot)
        found = await shop_service.resolve_reference(session=session, reference=value) \
            if isinstance(value, str) and value.strip() else None
        if found is None or found["kind"] == "subscription":
            continue
        if found["kind"] == "invoice":
            invoice_id = invoice_id or found["reference"]
        order_id = order_id or found["order_id"]
    return order_id, invoice_id


def _mentioned(messages: list[Message], orders: list[dict[str, Any]],
               invoices: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """(order_id, invoice_id) of the customer's own records named in their messages, the latest first."""
    order_ids = {str(o["order_id"]) for o in orders}
    invoice_orders = {str(i["invoice_id"]): i.get("order_id") for i in invoices}
    for m in reversed(messages):
        if m.sender != Sender.CUSTOMER:
            continue
        for ref in _REFERENCE_RE.findall(m.text):
            ref = ref.upper()
            if ref in order_ids:
                return ref, None
            if ref in invoice_orders:
                return invoice_orders[ref], ref
    return None, None


async def problem(
    *, session: AsyncSession, reason: str, slots: dict[str, Any], messages: list[Message],
    orders: list[dict[str, Any]], invoices: list[dict[str, Any]],
) -> dict[str, Any] | None:
    """For a problem reason: its kind and the order (and invoice) it concerns, when known."""
    # A problem with an order or a charge: the context says which (the sub-reason) and what it
    # concerns, so the agent starts from the right record.
    if reason not in HandoffReason.__members__.values() or not HandoffReason(reason).is_problem:
        return None
    order_id, invoice_id = await _referenced(session, slots)
    if order_id is None and invoice_id is None:
        order_id, invoice_id = _mentioned(messages, orders, invoices)
    if order_id and invoice_id is None:
        invoice = await shop_service.invoice_for_order(session=session, order_id=order_id)
        invoice_id = invoice["invoice_id"] if invoice else None
    return {"kind": reason, "order_id": order_id, "invoice_id": invoice_id}


def transcript_of(messages: list[Message], turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored messages, each customer turn with what the bot understood of it."""
    by_seq = {t["seq"]: t for t in turns if t["seq"] is not None}
    transcript = []
    for m in messages:
        entry: dict[str, Any] = {"seq": m.seq, "sender": m.sender, "text": m.text,
                                 "created_at": m.created_at.isoformat()}
        if m.seq in by_seq:
            turn = by_seq[m.seq]
            entry["nlu"] = {k: turn[k] for k in ("intent", "confidence", "ranking", "entities")}
        transcript.append(entry)
    return transcript


async def customer_records(*, session: AsyncSession, customer_id: str | None, conversation_id: str,
                           clock: Clock) -> dict[str, Any]:
    """The customer, their orders, invoices, subscriptions and earlier conversations (empty if unknown)."""
    if not customer_id:
        return {"customer": None, "orders": [], "invoices": [], "subscriptions": [], "earlier_conversations": []}
    return {
        "customer": await shop_service.get_customer(session=session, customer_id=customer_id),
        "orders": await shop_service.orders_for_customer(session=session, customer_id=customer_id, clock=clock),
        "invoices": await shop_service.invoices_for_customer(session=session, customer_id=customer_id),
        "subscriptions": await shop_service.subscriptions_for_customer(session=session, customer_id=customer_id),
        "earlier_conversations": await history.earlier_conversations(
            session=session, customer_id=customer_id, current_id=conversation_id),
    }


async def build(
    *,
    session: AsyncSession,
    conversation: Conversation,
    messages: list[Message],
    tracker: dict[str, Any] | None,
    reason: str,
    note: str,
    clock: Clock,
    extra_turns: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """`extra_turns`: turns the dialogue never saw (a message that went straight to a person)."""
    tracker = tracker or {}
    turns = [*understood_turns(tracker), *(extra_turns or [])]
    slots = filled_slots(tracker)
    records = await customer_records(session=session, clock=clock, conversation_id=conversation.id,
                                     customer_id=conversation.customer_id or slots.get("verified_customer_id"))
    return {
        "conversation_id": conversation.id,
        "reason": reason,
        "note": note,
        "language": conversation.language,
        "widget_locale": conversation.locale,
        **records,
        "customer_verified": records["customer"] is not None,
        "problem": await problem(session=session, reason=reason, slots=slots, messages=messages,
                                 orders=records["orders"], invoices=records["invoices"]),
        "slots": slots,
        "transcript": transcript_of(messages, turns),
        # Turns the bot saw that have no stored message (should be none; kept for diagnosis).
        "unmatched_turns": [t for t in turns if t["seq"] is None],
    }
