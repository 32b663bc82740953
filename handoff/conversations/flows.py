"""Multi-step conversation processes and their side effects: bot round-trips, handoff, claim,
relay, transfer, hand-back, close. Every state change goes through one conditional UPDATE, then
`notify.after_transition` says (once, in one place) what the participants are told; the waiting
line's own processes are in handoff/routing/flows.py."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handoff.agents import service as agent_service
from handoff.clock import as_utc
from handoff.context import service as context_service
from handoff.conversations import notify, texts
from handoff.conversations import service as conversation_service
from handoff.conversations.batch import Stored
from handoff.conversations.enums import ConversationState, HandoffReason, Resolution, Sender
from handoff.conversations.exceptions import AlreadyClaimed, BotNotInCharge, NotAllowed
from handoff.conversations.models import Conversation, Message
from handoff.language import detect as detect_language
from handoff.realtime import channels
from handoff.review import flows as review_flows
from handoff.routing import assignment, frustration, hours
from handoff.routing import flows as routing_flows
from handoff.runtime import Runtime
from handoff.shop import service as shop_service

log = logging.getLogger(__name__)

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
BOT_UNAVAILABLE = HandoffReason.BOT_UNAVAILABLE
FRUSTRATION = HandoffReason.FRUSTRATION


# --- customer side -------------------------------------------------------------------------------

async def store_customer_message(rt: Runtime, conversation_id: str, text: str, client_msg_id: str) -> Stored:
    """Persists and fans out a customer message (refused once the conversation is closed); a retry
    with the same client id is answered with the original (created False)."""
    stored = await rt.writer.submit(
        conversation_id=conversation_id, sender=Sender.CUSTOMER, text=text, client_msg_id=client_msg_id,
        clock=rt.clock, publish=partial(notify.post_message, rt), turn_lease=rt.turn_lease())
    if stored.created and stored.state == ConversationState.TICKET:
        await _note_contact(rt, await notify.get(rt, conversation_id), text)
    return stored


async def _note_contact(rt: Runtime, conversation: Conversation, text: str) -> None:
    """A ticket's customer leaving an e-mail address: kept on the conversation for the reply."""
    found = _EMAIL.search(text)
    if found is None or found.group(0) == conversation.contact_email:
        return
    async with rt.sessions() as session:
        await conversation_service.set_contact_email(session=session, conversation_id=conversation.id,
                                                     email=found.group(0))
    await notify.say(rt, conversation.id, Sender.SYSTEM,
               texts.system_message("ticket_noted", conversation.language, email=found.group(0)))
    await notify.publish_state(rt, await notify.get(rt, conversation.id))


async def _publish_turn(rt: Runtime, message: Message, state: str) -> None:
    # On the conversation's channel, so "done" reaches each socket after the turn's messages.
    await rt.broker.publish(channels.conversation(message.conversation_id), {
        "type": "turn", "conversation_id": message.conversation_id, "state": state, "seq": message.seq})


async def route_to_bot(rt: Runtime, message: Message) -> None:
    """While the bot owns the conversation, it answers; a handoff marker in its reply queues it.
    The bot's turn is framed by `turn` events (started, done) for typing indicators and tests."""
    conversation = await notify.get(rt, message.conversation_id)
    if conversation.state != ConversationState.BOT:
        return
    await _publish_turn(rt, message, "started")
    started = time.perf_counter()
    try:
        await _bot_turn(rt, conversation, message)
    finally:
        rt.metrics.bot_turn_seconds.observe(time.perf_counter() - started)
        await _publish_turn(rt, message, "done")
    # Beside the conversation: a fallback or an unsure reading goes to the admins' review inbox.
    review_flows.observe_bot_turn(rt, message, detect_language(message.text, hint=conversation.language))


async def _bot_turn(rt: Runtime, conversation: Conversation, message: Message) -> None:
    language = detect_language(message.text, hint=conversation.language)
    if language != conversation.language:
        async with rt.sessions() as session:
            await conversation_service.set_language(session=session, conversation_id=conversation.id,
                                                    language=language)
    upset = frustration.detect(message.text)
    if upset is not None:
        # Straight to a person; the bot's NLU of the message is still recorded for the agent.
        try:
            parsed = [context_service.understood(await rt.bot.parse(message.text), message.seq, message.text)]
        except Exception:
            parsed = []
        await hand_off(rt, conversation.id, FRUSTRATION, f"{upset.signal}: {upset.evidence}", extra_turns=parsed)
        return
    metadata = {"seq": message.seq, "customer_id": conversation.customer_id, "locale": conversation.locale,
                "language": language}
    started = rt.clock.now()
    try:
        replies = await rt.bot.send(conversation.id, message.text, metadata)
    except Exception as exc:
        log.warning("bot unavailable for %s: %s", conversation.id, exc)
        rt.metrics.bot_errors.labels("unavailable").inc()
        if await _still_bots_turn(rt, conversation.id, started):
            await hand_off(rt, conversation.id, BOT_UNAVAILABLE, f"The assistant did not answer: {exc}")
        return
    # Handed off while Rasa was answering (a slow action): the person has the chat now, the turn's
    # replies are dropped. A text reply checks that itself, in the UPDATE that stores it (say's
    # bot_since), so a turn of texts reads the conversation no second time; a handoff is checked here.
    if not replies:
        if await _still_bots_turn(rt, conversation.id, started):
            # Every turn of this assistant answers something; silence means an action failed inside Rasa.
            rt.metrics.bot_errors.labels("no_answer").inc()
            await hand_off(rt, conversation.id, BOT_UNAVAILABLE, "The assistant gave no answer to the last message.")
        return
    for reply in replies:
        handoff = (reply.get("custom") or {}).get("handoff")
        if handoff is not None:
            # Whatever the bot would say after handing off (e.g. a form re-asking) is not shown.
            if await _still_bots_turn(rt, conversation.id, started):
                await hand_off(rt, conversation.id, str(handoff.get("reason") or "unknown"),
                               str(handoff.get("note") or ""))
            return
        if reply.get("text"):
            payload = {"buttons": reply["buttons"]} if reply.get("buttons") else None
            try:
                # Stored only if the bot still owns the conversation, checked in the same UPDATE
                # that numbers the message (a handoff may land between two replies).
                await notify.say(rt, conversation.id, Sender.BOT, reply["text"], payload=payload, bot_since=started)
            except BotNotInCharge:
                log.debug("%s left the bot during its turn; the rest of the turn is dropped", conversation.id)
                return


async def _still_bots_turn(rt: Runtime, conversation_id: str, started: datetime) -> bool:
    """Whether the bot has owned the conversation without a break since its turn started (the
    turn's replies are stale once it was handed off, even if it came back to the bot since)."""
    conversation = await notify.get(rt, conversation_id)
    handed_off = conversation.queued_at is not None and as_utc(conversation.queued_at) >= started
    return conversation.state == ConversationState.BOT and not handed_off


async def hand_off(rt: Runtime, conversation_id: str, reason: str, note: str = "",
                   extra_turns: list[dict[str, Any]] | None = None) -> bool:
    """Queues a bot conversation for a person, with the context captured at this moment."""
    conversation = await notify.get(rt, conversation_id)
    if conversation.state != ConversationState.BOT:
        return False
    try:
        async with asyncio.timeout(rt.settings.handoff_tracker_timeout_s):
            tracker: dict[str, Any] | None = await rt.bot.tracker(conversation_id)
    except Exception as exc:  # TimeoutError included: the person gets the context without Rasa's part
        log.warning("no tracker for %s: %s", conversation_id, exc)
        tracker = None
    async with rt.sessions() as session:
        messages = await conversation_service.messages_after(session=session, conversation_id=conversation_id,
                                                             after_seq=0, with_notes=True)
        data = await context_service.build(session=session, conversation=conversation, messages=messages,
                                           tracker=tracker, reason=reason, note=note, clock=rt.clock,
                                           extra_turns=extra_turns)
        known = HandoffReason(reason) if reason in HandoffReason.__members__.values() else None
        gold = ((data.get("customer") or {}).get("tier") == "gold")
        skill = known.skill if known else None
        back = await _team_away_until(rt, session, conversation.language)
        # In the team's hours but nobody there who could ever take it: no line to wait in either.
        nobody = (back is None and rt.settings.support_hours == "policy"
                  and not await assignment.anyone_online(session=session, skill=skill))
        queued = await conversation_service.queue_for_handoff(
            session=session, conversation_id=conversation_id, reason=reason, context=data, clock=rt.clock,
            required_skill=skill, priority=(known.urgency if known else 0) + int(gold),
            to=ConversationState.TICKET if back or nobody else ConversationState.QUEUED)
    if not queued:
        return False
    rt.metrics.handoffs.labels(reason if known else "other").inc()
    if known is HandoffReason.REPEATED_FALLBACK:
        review_flows.handed_off_not_understood(rt, conversation_id)
    if back or nobody:
        # The customer learns when the team is back (or that nobody is free) and can leave a message.
        told = texts.system_message("ticket", conversation.language, when=f"{back:%Y-%m-%d %H:%M} ({back.tzinfo})") \
            if back else texts.system_message("ticket_nobody", conversation.language)
        await notify.say(rt, conversation_id, Sender.SYSTEM, told)
        await notify.publish_state(rt, await notify.get(rt, conversation_id))
        return True
    await notify.after_transition(rt, ConversationState.BOT, await notify.get(rt, conversation_id))
    await routing_flows.route(rt)
    return True


async def _team_away_until(rt: Runtime, session: AsyncSession, language: str) -> datetime | None:
    """When the language's team is next at work, if it is away now (None: it is there)."""
    if rt.settings.support_hours != "policy":
        return None
    hours_policy = (await shop_service.get_policy(session=session)).get("support_hours") or {}
    now = rt.clock.wall()
    return None if hours.is_open(hours_policy, language, now) else hours.next_opening(hours_policy, language, now)


# --- agent side ----------------------------------------------------------------------------------

async def claim(rt: Runtime, conversation_id: str, agent_id: str) -> Conversation:
    """Assigns a queued conversation to the agent; of concurrent claims exactly one wins."""
    conversation_was_ticket = (await notify.get(rt, conversation_id)).state == ConversationState.TICKET
    async with rt.sessions() as session:
        won = await assignment.assign(session=session, conversation_id=conversation_id, agent_id=agent_id,
                                      now=rt.clock.now(),
                                      from_states=(ConversationState.QUEUED, ConversationState.TICKET))
    previous = ConversationState.TICKET if conversation_was_ticket else ConversationState.QUEUED
    conversation = await notify.get(rt, conversation_id)
    if not won:
        if conversation.state == ConversationState.ASSIGNED:
            raise AlreadyClaimed(conversation_id)
        if conversation.state == ConversationState.QUEUED:
            raise NotAllowed("you already have as many chats as you can take")
        raise NotAllowed(f"conversation is {conversation.state}")
    await notify.after_transition(rt, previous, conversation)
    await routing_flows.announce_places(rt)
    return conversation


def agent_message(rt: Runtime, conversation_id: str, agent_id: str, text: str,
                  client_msg_id: str) -> asyncio.Future[Stored]:
    """Only the assigned agent writes to the customer (checked under the conversation's lock, in the
    transaction that numbers it).
    Queued at once, in the order called (a console's messages keep their order without waiting for
    each other); the future is the outcome (Stored, or the refusal). Overloaded is raised at once."""
    return _store_from_agent(rt, conversation_id, agent_id, Sender.AGENT, text, client_msg_id)


def agent_note(rt: Runtime, conversation_id: str, agent_id: str, text: str,
               client_msg_id: str) -> asyncio.Future[Stored]:
    """A private note: any agent may leave one on any conversation, for the team; notify.py's
    channels keep it from the customer (live, on resume and in the history). Queued as agent_message."""
    return _store_from_agent(rt, conversation_id, agent_id, Sender.NOTE, text, client_msg_id)


def _store_from_agent(rt: Runtime, conversation_id: str, agent_id: str, sender: Sender, text: str,
                      client_msg_id: str) -> asyncio.Future[Stored]:
    """Stores an agent's reply or note once (a retry with the same client id is not stored again)
    and fans it out; notify.py's channels decide who hears it."""
    return rt.writer.submit(
        conversation_id=conversation_id, sender=sender, text=text, client_msg_id=client_msg_id, author_id=agent_id,
        clock=rt.clock, publish=partial(notify.post_message, rt))


async def _release(rt: Runtime, conversation_id: str, agent_id: str, to: ConversationState,
                   before_telling: Callable[[], Awaitable[None]] | None = None, **values: Any) -> Conversation:
    async with rt.sessions() as session:
        ok = await conversation_service.transition(
            session=session, conversation_id=conversation_id, allowed_from=[ConversationState.ASSIGNED],
            to=to, expect_agent=agent_id, **values)
    if not ok:
        raise NotAllowed("only the assigned agent can do this")
    if before_telling is not None:
        await before_telling()
    conversation = await notify.get(rt, conversation_id)
    await notify.after_transition(rt, ConversationState.ASSIGNED, conversation)
    await routing_flows.route(rt)  # the agent has room for the next one
    return conversation


async def close(rt: Runtime, conversation_id: str, agent_id: str,
                resolution: Resolution = Resolution.RESOLVED) -> Conversation:
    return await _release(rt, conversation_id, agent_id, ConversationState.CLOSED, closed_at=rt.clock.now(),
                          resolution=resolution.value)


async def transfer(rt: Runtime, conversation_id: str, agent_id: str, note: str, *, to_agent: str | None = None,
                   skill: str | None = None) -> Conversation:
    """Passes a conversation on, with a private note the customer never sees: to a named agent
    (within their capacity) or back to the line for a skill, keeping its place."""
    async with rt.sessions() as session:
        previous = await conversation_service.latest_context(session=session, conversation_id=conversation_id)
        if to_agent is not None:
            if to_agent == agent_id or await agent_service.get(session=session, agent_id=to_agent) is None:
                raise NotAllowed(f"cannot transfer to {to_agent}")
            moved = await assignment.assign(session=session, conversation_id=conversation_id, agent_id=to_agent,
                                            now=rt.clock.now(), from_states=(ConversationState.ASSIGNED,),
                                            expect_agent=agent_id)
        else:
            moved = await conversation_service.transition(
                session=session, conversation_id=conversation_id, allowed_from=[ConversationState.ASSIGNED],
                to=ConversationState.QUEUED, expect_agent=agent_id, assigned_agent_id=None,
                **({"required_skill": skill} if skill else {}))
        if not moved:
            raise NotAllowed("only the assigned agent can transfer it, to an agent with room")
        data = dict(previous.data) if previous else {}
        data["transfer"] = {"from_agent_id": agent_id, "to_agent_id": to_agent, "skill": skill, "note": note,
                            "at": rt.clock.now().isoformat()}
        await conversation_service.save_context(session=session, conversation_id=conversation_id,
                                                reason=(previous.reason if previous else "transfer"), data=data,
                                                clock=rt.clock)
    conversation = await notify.get(rt, conversation_id)
    await notify.say(rt, conversation_id, Sender.SYSTEM,
               texts.system_message("transferred", conversation.language,
                                    agent=(conversation.assigned_agent_id or "").capitalize()))
    await notify.publish_state(rt, conversation)
    await routing_flows.route(rt)
    return conversation


async def hand_back(rt: Runtime, conversation_id: str, agent_id: str) -> Conversation:
    """Gives the conversation back to the bot. Only once the ownership check (the guarded UPDATE)
    has passed is the bot's dialogue touched: another agent's hand-back changes nothing."""

    async def reset() -> None:
        try:
            await rt.bot.reset_dialogue(conversation_id)
        except Exception as exc:
            log.warning("could not reset dialogue of %s: %s", conversation_id, exc)

    return await _release(rt, conversation_id, agent_id, ConversationState.BOT, before_telling=reset,
                          assigned_agent_id=None, handoff_reason=None)
