"""The handoff context: everything an agent needs so the customer never repeats themselves."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handoff.clock import Clock
from handoff.conversations.models import Conversation, Message
from handoff.shop import service as shop_service

# Slots that are bookkeeping of the dialogue, not facts about the customer.
_INTERNAL_SLOTS = {"requested_slot", "session_started_metadata"}


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
    by_seq = {t["seq"]: t for t in turns if t["seq"] is not None}
    transcript = []
    for m in messages:
        entry: dict[str, Any] = {"seq": m.seq, "sender": m.sender, "text": m.text,
                                 "created_at": m.created_at.isoformat()}
        if m.seq in by_seq:
            turn = by_seq[m.seq]
            entry["nlu"] = {k: turn[k] for k in ("intent", "confidence", "ranking", "entities")}
        transcript.append(entry)
    slots = filled_slots(tracker)
    customer_id = conversation.customer_id or slots.get("verified_customer_id")
    customer = orders = None
    if customer_id:
        customer = await shop_service.get_customer(session=session, customer_id=customer_id)
        orders = await shop_service.orders_for_customer(session=session, customer_id=customer_id, clock=clock)
    return {
        "conversation_id": conversation.id,
        "reason": reason,
        "note": note,
        "language": conversation.language,
        "widget_locale": conversation.locale,
        "customer": customer,
        "customer_verified": customer is not None,
        "orders": orders or [],
        "slots": slots,
        "transcript": transcript,
        # Turns the bot saw that have no stored message (should be none; kept for diagnosis).
        "unmatched_turns": [t for t in turns if t["seq"] is None],
    }
