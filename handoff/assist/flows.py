"""Agent assist: while a person has the chat, every customer turn still goes through the
assistant's NLU only (the bot never speaks). The team sees what it read, the fitting canned reply
in the customer's language and the fitting one-click tool, prefilled from the context; what the
agent did with each suggestion is kept for evaluating the assistant."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handoff.agents import service as agent_service
from handoff.assist import service as assist_service
from handoff.assist.enums import SuggestionOutcome
from handoff.assist.mapping import FITS
from handoff.assist.models import Suggestion
from handoff.assist.schemas import SuggestionPublic
from handoff.canned import placeholders
from handoff.canned import service as canned_service
from handoff.clock import as_utc
from handoff.context import service as context_service
from handoff.conversations import notify
from handoff.conversations import service as conversation_service
from handoff.conversations.enums import ConversationState
from handoff.conversations.exceptions import NotAllowed
from handoff.conversations.models import Message
from handoff.realtime import channels
from handoff.review import flows as review_flows
from handoff.runtime import Runtime

log = logging.getLogger(__name__)

# Suggestions run beside the socket's receive loop; kept here so they are not collected mid-way.
_running: set[asyncio.Task[None]] = set()


def schedule(rt: Runtime, message: Message) -> bool:
    """After a customer message is stored: suggest in the background if a person has the chat.
    At most `assist_max_pending` at a time per process: under relay traffic every customer message
    would otherwise queue an NLU call, and a Rasa that falls behind would fall further behind with
    each (measured: minutes behind at 40 messages a second on 2 cores). Beyond it the message gets no
    suggestion (an agent reading a busy chat needs the latest one, not a backlog). False if skipped."""
    if len(_running) >= rt.settings.assist_max_pending:
        log.debug("assist busy: no suggestion for message %s of %s", message.seq, message.conversation_id)
        return False
    task = asyncio.create_task(_suggest_safely(rt, message))
    _running.add(task)
    task.add_done_callback(_running.discard)
    return True


async def _suggest_safely(rt: Runtime, message: Message) -> None:
    try:
        await suggest(rt, message)
    except Exception as exc:  # a suggestion is a help, never a reason to disturb the chat
        # Rasa away or its breaker open is expected under load: one line, the traceback for debugging.
        log.warning("no suggestion for message %s of %s: %s", message.seq, message.conversation_id, exc)
        log.debug("suggestion failure", exc_info=True)


async def suggest(rt: Runtime, message: Message) -> SuggestionPublic | None:
    conversation = await notify.get(rt, message.conversation_id)
    if conversation.state != ConversationState.ASSIGNED or not _after(message.created_at, conversation.assigned_at):
        return None  # the bot had it when this was written (a claim may have come in since)
    turn = context_service.understood(await rt.bot.parse(message.text), message.seq, message.text)
    async with rt.sessions() as session:
        stored = await conversation_service.latest_context(session=session, conversation_id=conversation.id)
        context = stored.data if stored else {}
        fit = FITS.get(turn["intent"] or "")
        agent = await agent_service.get(session=session, agent_id=conversation.assigned_agent_id or "")
        # The order this turn is about fills {order_id} and its tracking, over the one at handoff.
        about = _order_id(turn["entities"], context)
        filled = {**context, "problem": {**(context.get("problem") or {}), "order_id": about}} if about else context
        canned = await canned_for(session=session, shortcut=fit.canned if fit else None,
                                  language=conversation.language, context=filled,
                                  agent=agent.display_name if agent else None)
        tool = {"kind": fit.tool, "prefill": prefill(fit.tool, turn["entities"], context)} \
            if fit and fit.tool else None
        row = await assist_service.add(
            session=session, conversation_id=conversation.id, seq=message.seq,
            agent_id=conversation.assigned_agent_id, intent=turn["intent"], confidence=turn["confidence"],
            language=conversation.language, clock=rt.clock,
            data={"canned": canned, "tool": tool, "entities": turn["entities"], "ranking": turn["ranking"]})
    public = SuggestionPublic.of(row)
    await rt.broker.publish(channels.team(conversation.id), {
        "type": "suggestion", "conversation_id": conversation.id, "suggestion": public.model_dump(mode="json")})
    return public


async def decide(rt: Runtime, conversation_id: str, agent_id: str, suggestion_id: int,
                 outcome: SuggestionOutcome) -> bool:
    """What the assigned agent did with a suggestion; the first answer stands."""
    conversation = await notify.get(rt, conversation_id)
    if conversation.assigned_agent_id != agent_id:
        raise NotAllowed("only the assigned agent decides on suggestions")
    async with rt.sessions() as session:
        recorded = await assist_service.decide(session=session, suggestion_id=suggestion_id,
                                               conversation_id=conversation_id, outcome=outcome, clock=rt.clock)
        suggestion = await session.get(Suggestion, suggestion_id) if recorded else None
    if suggestion is not None and outcome == SuggestionOutcome.IGNORED:
        # The assistant read that message wrong, or the agent would have used its suggestion.
        review_flows.suggestion_ignored(rt, conversation_id, suggestion.seq, suggestion.language)
    return recorded


async def canned_for(*, session: AsyncSession, shortcut: str | None, language: str, context: dict[str, Any],
                     agent: str | None) -> dict[str, Any] | None:
    """The fitting canned response in the customer's language, filled in for this conversation."""
    if shortcut is None:
        return None
    row = await canned_service.by_shortcut(session=session, shortcut=shortcut, language=language)
    if row is None:  # an admin removed it, or it was never written in this language
        return None
    return {"id": row.id, "shortcut": row.shortcut, "title": row.title,
            "text": placeholders.render(row.text, context, language=language, agent=agent)}


def _after(written: datetime, assigned: datetime | None) -> bool:
    """Whether the message was written once the agent had the chat."""
    return assigned is not None and as_utc(written) >= as_utc(assigned)


def _order_id(entities: list[dict[str, Any]], context: dict[str, Any]) -> str | None:
    """The order the turn is about: named in it, else the problem's, else the dialogue's, else the only one."""
    for entity in entities:
        if entity.get("entity") == "order_id" and entity.get("value"):
            return str(entity["value"])
    invoices = {i.get("invoice_id"): i for i in context.get("invoices") or []}
    for entity in entities:
        if entity.get("entity") == "invoice_id" and entity.get("value") in invoices:
            return str(invoices[entity["value"]].get("order_id"))
    problem = context.get("problem") or {}
    slots = context.get("slots") or {}
    orders = context.get("orders") or []
    only = orders[0].get("order_id") if len(orders) == 1 else None
    found = problem.get("order_id") or slots.get("order_id") or only
    return str(found) if found else None


def prefill(kind: str | None, entities: list[dict[str, Any]], context: dict[str, Any]) -> dict[str, Any]:
    """The tool's fields, from the turn and the context (the agent checks and may change them)."""
    order_id = _order_id(entities, context)
    invoice = next((i for i in context.get("invoices") or [] if order_id and i.get("order_id") == order_id), None)
    subscriptions = context.get("subscriptions") or []
    match kind:
        case "refund":
            return {"order_id": order_id, "invoice_id": invoice and invoice.get("invoice_id"),
                    "amount": invoice and invoice.get("total"), "currency": invoice and invoice.get("currency")}
        case "invoice" | "resend_invoice":
            return {"order_id": order_id, "invoice_id": invoice and invoice.get("invoice_id")}
        case "pause_subscription" | "cancel_subscription":
            named = next((e["value"] for e in entities if e.get("entity") == "subscription_id"), None)
            only = subscriptions[0].get("subscription_id") if len(subscriptions) == 1 else None
            return {"subscription_id": named or only}
        case _:
            return {"order_id": order_id}


