"""The waiting line as processes: auto-assignment, telling waiting customers their place, agents'
presence, and offering unanswered conversations again. Safe to run in any number of processes:
every move is one conditional UPDATE."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import Any

from handoff.agents import service as agent_service
from handoff.agents.enums import Presence
from handoff.clock import as_utc
from handoff.conversations import notify, texts
from handoff.conversations import service as conversation_service
from handoff.conversations.enums import ConversationState, Sender
from handoff.conversations.models import Conversation
from handoff.instances.enums import SocketKind
from handoff.instances.service import Lease
from handoff.realtime import channels
from handoff.routing import assignment
from handoff.routing import queue as queue_service
from handoff.runtime import Runtime


async def route(rt: Runtime) -> None:
    """Auto-assignment: each waiting conversation, next first, to the best agent who can take it;
    then every customer still waiting is told their place. Safe to run concurrently anywhere; in one
    process, the callers during a run share the next one (each pass reads the whole line)."""
    await rt.coalesced.run("route", partial(_route, rt))


async def _route(rt: Runtime) -> None:
    if rt.settings.routing == "auto":
        async with rt.sessions() as session:
            line = await queue_service.waiting(session=session)
        now = rt.clock.now()
        for conversation in line:
            any_language = _waited_s(conversation, now) >= rt.settings.language_fallback_s
            async with rt.sessions() as session:
                for agent_id in await assignment.candidates(session=session, conversation=conversation,
                                                            any_language=any_language):
                    if await assignment.assign(session=session, conversation_id=conversation.id,
                                               agent_id=agent_id, now=rt.clock.now()):
                        break
                else:
                    continue
            await notify.after_transition(rt, ConversationState.QUEUED, await notify.get(rt, conversation.id))
    await announce_places(rt)


def _waited_s(conversation: Conversation, now: datetime) -> float:
    return (now - as_utc(conversation.queued_at or conversation.created_at)).total_seconds()


def _place_frame(conversation_id: str, place: queue_service.Place) -> dict[str, Any]:
    return {"type": "queue_position", "conversation_id": conversation_id, "position": place.position,
            "ahead": place.ahead, "estimated_wait_s": place.estimated_wait_s}


async def announce_places(rt: Runtime) -> None:
    """Every waiting customer's place and estimate, on their conversation's channel; the callers
    during an announcement share the next one (a frame per waiting customer each time)."""
    await rt.coalesced.run("places", partial(_announce_places, rt))


async def _announce_places(rt: Runtime) -> None:
    async with rt.sessions() as session:
        line = await queue_service.places(session=session, default_handling_s=rt.settings.default_handling_s)
    for conversation_id, place in line.items():
        await rt.broker.publish(channels.conversation(conversation_id), _place_frame(conversation_id, place))


async def place_of(rt: Runtime, conversation_id: str) -> dict[str, Any] | None:
    """The `queue_position` frame of one waiting conversation (None unless it is queued)."""
    async with rt.sessions() as session:
        place = (await queue_service.places(session=session,
                                            default_handling_s=rt.settings.default_handling_s)).get(conversation_id)
    return _place_frame(conversation_id, place) if place else None


async def reoffer_unanswered(rt: Runtime) -> int:
    """Conversations whose agent has not answered in time (or is not online any more, after a
    grace period) go back to the line with their place kept; the customer is told. Then, if anyone
    has waited past the language fallback, routing runs again (it may now take any language). Run
    by every process's sweeper; each move is one conditional UPDATE, so two sweepers never double it."""
    now = rt.clock.now()
    async with rt.sessions() as session:
        stale = await conversation_service.unanswered(
            session=session, assigned_before=now - timedelta(seconds=rt.settings.presence_grace_s))
        online = {a.id for a in await agent_service.all_agents(session=session) if a.presence == Presence.ONLINE}
    moved = 0
    for conversation in stale:
        assigned_at = as_utc(conversation.assigned_at or now)
        patience = rt.settings.answer_timeout_s if conversation.assigned_agent_id in online \
            else rt.settings.presence_grace_s
        if (now - assigned_at).total_seconds() < patience:
            continue
        async with rt.sessions() as session:
            ok = await conversation_service.transition(
                session=session, conversation_id=conversation.id, allowed_from=[ConversationState.ASSIGNED],
                to=ConversationState.QUEUED, expect_agent=conversation.assigned_agent_id, assigned_agent_id=None)
        if not ok:
            continue
        moved += 1
        await notify.say(rt, conversation.id, Sender.SYSTEM, texts.system_message("reoffered", conversation.language))
        await notify.publish_state(rt, await notify.get(rt, conversation.id))
    async with rt.sessions() as session:
        line = await queue_service.waiting(session=session)
    if moved or any(_waited_s(c, now) >= rt.settings.language_fallback_s for c in line):
        await route(rt)
    return moved


async def console_opened(rt: Runtime, agent_id: str, lease: Lease | None = None) -> str:
    """Counts a console socket in; its lease id (see conversations/presence.py, the same for widgets)."""
    lease = lease or rt.new_lease()
    with rt.sockets.opening(lease.id, SocketKind.CONSOLE, agent_id):
        async with rt.sessions() as session:
            await agent_service.console_opened(session=session, agent_id=agent_id, lease=lease)
    return lease.id


async def console_closed(rt: Runtime, agent_id: str, lease_id: str) -> None:
    """Counts a console out, once; the agent's last one, in any app process, makes them away."""
    async with rt.sessions() as session:
        left = await agent_service.console_closed(session=session, agent_id=agent_id, lease_id=lease_id)
    if left == 0:
        await console_gone(rt, agent_id)


async def console_gone(rt: Runtime, agent_id: str) -> None:
    """The agent's last console closed: no new chats go to them (their open ones stay theirs)."""
    async with rt.sessions() as session:
        agent = await agent_service.get(session=session, agent_id=agent_id)
    if agent is not None and agent.presence == Presence.ONLINE:
        await set_presence(rt, agent_id, Presence.AWAY)


async def set_presence(rt: Runtime, agent_id: str, presence: Presence) -> None:
    async with rt.sessions() as session:
        await agent_service.set_presence(session=session, agent_id=agent_id, presence=presence)
    await route(rt)  # an agent coming online takes waiting conversations; going away changes estimates
