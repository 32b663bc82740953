"""The agent console's live socket: /ws/agent?token=... (queue updates, claims, relay, close)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from api import frames, origins
from api.deps import ws_runtime
from api.ratelimit import RateLimits, rate_limits
from api.socket_auth import CLOSE_OVERFLOW, CLOSE_UNAUTHORIZED, authenticate
from api.socket_outages import CLOSE_TRY_AGAIN, failure_name, outages_close
from api.streams import MessageStream, SocketSender, receive_frames
from api.throttle import Throttle
from handoff.agents import service as agent_service
from handoff.agents.schemas import AgentPublic
from handoff.assist import flows as assist_flows
from handoff.conversations import flows, signals
from handoff.conversations import service as conversation_service
from handoff.conversations.batch import Stored
from handoff.conversations.enums import HandoffReason
from handoff.conversations.exceptions import ConversationError, ConversationNotFound
from handoff.conversations.schemas import ConversationSummary
from handoff.instances import flows as instance_flows
from handoff.instances.enums import SocketKind
from handoff.realtime import channels
from handoff.realtime.broker import Subscriber, SubscriberOverflow
from handoff.routing import flows as routing_flows
from handoff.runtime import Runtime
from handoff.security import TokenPurpose

router = APIRouter()
log = logging.getLogger(__name__)


class AgentSession:
    """One console connection: the conversations it has open and their message streams."""

    def __init__(self, rt: Runtime, agent_id: str, sender: SocketSender, sub: Subscriber,
                 limits: RateLimits) -> None:
        self.rt = rt
        self.agent_id = agent_id
        self.sender = sender
        self.sub = sub
        self.streams: dict[str, MessageStream] = {}
        self.typing = Throttle(rt.settings.typing_interval_s)
        # Claims on their way from this socket: the claim opens the chat itself, so the "assigned
        # to you" update it causes must not open it a second time (everything sent twice).
        self.claiming: set[str] = set()
        self.limits = limits
        # Acknowledgements of this console's messages on their way to the database.
        self.writes: set[asyncio.Task[None]] = set()

    async def send_queue(self) -> None:
        async with self.rt.sessions() as session:
            rows = await conversation_service.open_conversations(session=session)
        await self.sender.send({"type": "queue",
                                "conversations": [ConversationSummary.of(c).model_dump(mode="json") for c in rows]})

    async def open(self, conversation_id: str, last_seq: int = 0, unasked: bool = False) -> None:
        """Starts following a conversation: its context, the messages after last_seq, then live ones.
        unasked: the server opens it (an assignment); if the console opened it itself meanwhile (a
        resume while the database was read), that stands and nothing is sent again."""
        async with self.rt.sessions() as session:
            conversation = await conversation_service.get(session=session, conversation_id=conversation_id)
            if conversation is None:
                raise ConversationNotFound(conversation_id)
            context = await conversation_service.latest_context(session=session, conversation_id=conversation_id)
        if unasked and conversation_id in self.streams:
            return
        await self.rt.broker.add_channels(self.sub, channels.conversation(conversation_id),
                                          channels.team(conversation_id))
        stream = self.streams.get(conversation_id)
        if stream is None:
            stream = self.streams[conversation_id] = MessageStream(
                self.rt, self.sender, conversation_id, last_seq, with_conversation_id=True, with_notes=True)
        await self.sender.send({
            "type": "conversation", "conversation": ConversationSummary.of(conversation).model_dump(mode="json"),
            "context": context.data if context else None,
        })
        await stream.resume(last_seq)

    async def on_event(self, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind == "message":
            stream = self.streams.get(event["conversation_id"])
            if stream is not None:
                await stream.deliver(event["message"])
        elif kind == "suggestion":  # agent assist for a customer turn (team channel)
            await self.sender.send({k: v for k, v in event.items() if k != "channel"})
        elif kind in ("typing", "read"):
            if not (event.get("who") == "agent" and event.get("agent_id") == self.agent_id):  # not my own echo
                await self.sender.send({k: v for k, v in event.items() if k != "channel"})
        elif kind in ("state", "queue_update"):
            await self.sender.send({k: v for k, v in event.items() if k != "channel"})
            summary = event.get("conversation") or {}
            if (kind == "queue_update" and event.get("cause") == "state"
                    and summary.get("assigned_agent_id") == self.agent_id
                    and summary.get("state") == "assigned" and summary.get("id") not in self.streams
                    and summary.get("id") not in self.claiming):
                # Routed to this agent: their console follows it at once (context, messages, live).
                # Only on the assignment itself: an update of the customer's presence would reopen
                # it, from its first message, on a console that has just reconnected and resumes it.
                await self.open(str(summary["id"]), unasked=True)
        elif kind == "approval":  # a tool request waiting for, or decided by, a supervisor (handoff/tools)
            await self.sender.send({k: v for k, v in event.items() if k != "channel"})

    async def handle(self, raw: str) -> None:
        try:
            frame = frames.parse(frames.agent_frames, raw, self.rt.settings.max_frame_bytes)
        except frames.FrameError as exc:
            await self.sender.send(frames.error_frame(exc.code, exc.detail))
            return
        conversation_id = getattr(frame, "conversation_id", None)
        try:
            await self._dispatch(frame)
        except ConversationError as exc:  # overloaded among them: not stored, the client sends it again
            await self.sender.send(frames.refusal_frame(
                exc, conversation_id=conversation_id, client_msg_id=getattr(frame, "client_msg_id", None)))

    async def _acknowledge(self, outcome: asyncio.Future[Stored], cid: str, client_msg_id: str) -> None:
        try:
            stored = await outcome
        except ConversationError as exc:  # overloaded among them: not stored, the client sends it again
            await self.sender.send(frames.refusal_frame(exc, conversation_id=cid, client_msg_id=client_msg_id))
            return
        except Exception as exc:  # the database or the broker failed under it: as outages_close does
            log.warning("agent socket closed: a backing service failed (%s)", failure_name(exc))
            with contextlib.suppress(Exception):
                await self.sender.websocket.close(code=CLOSE_TRY_AGAIN, reason="service briefly unavailable; reconnect")
            return
        await self.sender.send({"type": "ack", "conversation_id": cid, "client_msg_id": client_msg_id,
                                "seq": stored.message.seq, "duplicate": not stored.created})

    async def settled(self) -> None:
        """Until this console's messages on their way are stored (or refused): a frame after them
        (a close, a transfer) acts after them, as it was sent."""
        if self.writes:
            await asyncio.wait(list(self.writes))

    def stop(self) -> None:
        for task in self.writes:
            task.cancel()  # their writes go on (shielded); only the acks are not sent

    async def _dispatch(self, frame: Any) -> None:
        rt = self.rt
        if not isinstance(frame, frames.Ping | frames.AgentTyping | frames.SendMessage | frames.Note):
            await self.settled()
        match frame:
            case frames.Ping():
                await self.sender.send({"type": "pong"})
            case frames.Claim(conversation_id=cid):
                self.claiming.add(cid)
                try:
                    await flows.claim(rt, cid, self.agent_id)
                    # Listening before "claimed" goes out: whatever is said once the agent knows the
                    # chat is theirs (typing, a note) reaches this console; messages are caught up.
                    await rt.broker.add_channels(self.sub, channels.conversation(cid), channels.team(cid))
                    await self.sender.send({"type": "claimed", "conversation_id": cid})
                    await self.open(cid)
                finally:
                    self.claiming.discard(cid)
            case frames.Resume(conversation_id=str() as cid, last_seq=last_seq):
                await self.open(cid, last_seq)
            case frames.Resume():
                await self.send_queue()
            case frames.SendMessage(conversation_id=str() as cid, text=text, client_msg_id=client_msg_id) | \
                    frames.Note(conversation_id=cid, text=text, client_msg_id=client_msg_id):
                if len(text) > rt.settings.max_message_chars:
                    await self.sender.send(frames.error_frame(
                        "message_too_long", f"messages are limited to {rt.settings.max_message_chars} characters",
                        client_msg_id=client_msg_id, conversation_id=cid))
                    return
                wait = await self.limits.agent_message(self.agent_id)
                if wait:  # not stored: the client may send it again (same client_msg_id) after retry_after_s
                    await self.sender.send(frames.error_frame(
                        "rate_limited", f"too many messages; retry in {wait} s", client_msg_id=client_msg_id,
                        conversation_id=cid, retry_after_s=wait))
                    return
                write = flows.agent_note if isinstance(frame, frames.Note) else flows.agent_message
                # Queued now, acknowledged when committed: the console's next frames are read meanwhile
                # (one console writes in up to 20 chats; waiting for each commit would serialise them).
                outcome = write(rt, cid, self.agent_id, text, client_msg_id)
                task = asyncio.create_task(self._acknowledge(outcome, cid, client_msg_id))
                self.writes.add(task)
                task.add_done_callback(self.writes.discard)
            case frames.SendMessage():
                await self.sender.send(frames.error_frame("invalid_frame", "conversation_id: Field required"))
            case frames.Close(conversation_id=cid, resolution=resolution):
                await flows.close(rt, cid, self.agent_id, resolution)
            case frames.Transfer(conversation_id=cid, note=note, to_agent_id=to_agent, skill=skill):
                await flows.transfer(rt, cid, self.agent_id, note, to_agent=to_agent,
                                     skill=skill.value if skill else None)
                await self.sender.send({"type": "transferred", "conversation_id": cid})
            case frames.SetPresence(status=status):
                await routing_flows.set_presence(rt, self.agent_id, status)
                await self.sender.send({"type": "presence", "status": status.value})
            case frames.AgentTyping(conversation_id=cid):
                if self.typing.ready(cid):
                    await signals.agent_typing(rt, cid, self.agent_id)
            case frames.AgentRead(conversation_id=cid, seq=seq):
                await signals.agent_read(rt, cid, self.agent_id, seq)
            case frames.DecideSuggestion(conversation_id=cid, suggestion_id=sid, outcome=outcome):
                recorded = await assist_flows.decide(rt, cid, self.agent_id, sid, outcome)
                await self.sender.send({"type": "suggestion_decided", "conversation_id": cid, "suggestion_id": sid,
                                        "outcome": outcome.value, "recorded": recorded})
            case frames.HandBack(conversation_id=cid):
                await flows.hand_back(rt, cid, self.agent_id)


async def _pump(agent: AgentSession, websocket: WebSocket) -> None:
    try:
        async for event in agent.sub:
            await agent.on_event(event)
    except SubscriberOverflow:
        await websocket.close(code=CLOSE_OVERFLOW, reason="too far behind; reconnect")


@router.websocket("/ws/agent")
async def agent_socket(websocket: WebSocket) -> None:
    async with outages_close(websocket, "agent"):
        await _agent_socket(websocket)


async def _agent_socket(websocket: WebSocket) -> None:
    rt = ws_runtime(websocket)
    await websocket.accept()
    sender = SocketSender(websocket)
    # The console is served by the app itself: no other origin may open an agent's socket.
    if await origins.refuse_foreign_origin(websocket, sender):
        return
    agent_id = await authenticate(websocket, sender, rt, TokenPurpose.AGENT)
    if agent_id is None:
        return
    async with rt.sessions() as session:
        account = await agent_service.get(session=session, agent_id=agent_id)
    if account is None:  # a token for an agent who does not exist (any more)
        await sender.send(frames.error_frame("unauthorized", "unknown agent"))
        await websocket.close(code=CLOSE_UNAUTHORIZED)
        return
    async with rt.broker.subscribe(channels.QUEUE) as sub:
        agent = AgentSession(rt, agent_id, sender, sub, rate_limits(websocket))
        await sender.send({"type": "hello", "agent_id": agent_id,
                           "agent": AgentPublic.of(account).model_dump(mode="json"),
                           "reasons": {reason.value: reason.label for reason in HandoffReason}})
        await agent.send_queue()
        pump = asyncio.create_task(_pump(agent, websocket))
        lease_id = await routing_flows.console_opened(rt, agent_id)
        try:
            async for raw in receive_frames(websocket, sender):
                await agent.handle(raw)
        except WebSocketDisconnect:
            pass
        finally:
            pump.cancel()
            agent.stop()
            # Shielded: a server shutting down still counts the console out (as the customer's).
            await asyncio.shield(instance_flows.socket_closed(rt, SocketKind.CONSOLE, agent_id, lease_id))
