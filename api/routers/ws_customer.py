"""The customer's live chat socket: /ws/customer/{conversation_id}?token=...&last_seq=N"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect

from api import frames, origins
from api.deps import ws_runtime
from api.log_format import CONVERSATION
from api.ratelimit import RateLimits, rate_limits
from api.socket_auth import (
    CLOSE_FORBIDDEN,
    CLOSE_INVALID,
    CLOSE_NOT_FOUND,
    CLOSE_OVERFLOW,
    authenticate,
)
from api.socket_outages import outages_close
from api.streams import MessageStream, SocketSender, receive_frames
from api.throttle import Throttle
from handoff.conversations import flows, outbox, presence, signals
from handoff.conversations import service as conversation_service
from handoff.conversations.enums import ConversationState, CustomerPresence
from handoff.conversations.exceptions import ConversationError
from handoff.instances import flows as instance_flows
from handoff.instances.enums import SocketKind
from handoff.realtime import channels
from handoff.realtime.broker import Subscriber, SubscriberOverflow
from handoff.routing import flows as routing_flows
from handoff.runtime import Runtime
from handoff.security import TokenPurpose

router = APIRouter()
log = logging.getLogger(__name__)



async def _pump(sub: Subscriber, stream: MessageStream, sender: SocketSender, websocket: WebSocket) -> None:
    try:
        async for event in sub:
            if event["type"] == "message":
                await stream.deliver(event["message"])
            elif event["type"] == "state":
                await sender.send({"type": "state", "state": event["state"], "reason": event.get("reason"),
                                   "assigned_agent_id": event.get("assigned_agent_id")})
            elif event["type"] == "turn":
                await sender.send({"type": "turn", "state": event["state"], "seq": event["seq"]})
            elif event["type"] in ("typing", "read"):  # the agent's, on the conversation's channel
                await sender.send({k: v for k, v in event.items() if k in ("type", "who", "agent_id", "seq")})
            elif event["type"] == "queue_position":
                await sender.send({k: event[k] for k in ("type", "position", "ahead", "estimated_wait_s")})
    except SubscriberOverflow:
        await websocket.close(code=CLOSE_OVERFLOW, reason="too far behind; reconnect with last_seq")


async def _handle(rt: Runtime, raw: str, conversation_id: str, stream: MessageStream, sender: SocketSender,
                  typing: Throttle, limits: RateLimits) -> None:
    try:
        frame = frames.parse(frames.customer_frames, raw, rt.settings.max_frame_bytes)
    except frames.FrameError as exc:
        await sender.send(frames.error_frame(exc.code, exc.detail))
        return
    if isinstance(frame, frames.Ping):
        await sender.send({"type": "pong"})
    elif isinstance(frame, frames.Resume):
        await stream.resume(frame.last_seq)
    elif isinstance(frame, frames.CustomerPresenceFrame):
        await presence.widget_says(rt, conversation_id, CustomerPresence(frame.status))
    elif isinstance(frame, frames.CustomerTyping):
        if typing.ready():
            await signals.customer_typing(rt, conversation_id)
    elif isinstance(frame, frames.CustomerRead):
        await signals.customer_read(rt, conversation_id, frame.seq)
    elif isinstance(frame, frames.SendMessage):
        if len(frame.text) > rt.settings.max_message_chars:
            await sender.send(frames.error_frame(
                "message_too_long", f"messages are limited to {rt.settings.max_message_chars} characters",
                client_msg_id=frame.client_msg_id))
            return
        wait = await limits.customer_message(conversation_id)
        if wait:  # not stored: the client may send it again (same client_msg_id) after retry_after_s
            await sender.send(frames.error_frame(
                "rate_limited", f"too many messages; retry in {wait} s", client_msg_id=frame.client_msg_id,
                retry_after_s=wait))
            return
        try:
            stored = await flows.store_customer_message(rt, conversation_id, frame.text, frame.client_msg_id)
        except ConversationError as exc:  # overloaded among them: not stored, the client sends it again
            await sender.send(frames.refusal_frame(exc, client_msg_id=frame.client_msg_id))
            return
        await sender.send({"type": "ack", "client_msg_id": frame.client_msg_id, "seq": stored.message.seq,
                           "duplicate": not stored.created})
        if stored.created:
            # Beside the receive loop: pings, resumes and the next messages go on while Rasa answers.
            outbox.after_customer_message(rt, stored)


@router.websocket("/ws/customer/{conversation_id}")
async def customer_socket(
    websocket: WebSocket,
    conversation_id: str,
    # Checked below rather than by FastAPI, which would refuse the handshake without an error frame.
    last_seq: Annotated[str, Query()] = "0",
) -> None:
    CONVERSATION.set(conversation_id)  # on every log line this socket (and the tasks it starts) writes
    async with outages_close(websocket, "customer"):
        await _customer_socket(websocket, conversation_id, last_seq)


async def _customer_socket(websocket: WebSocket, conversation_id: str, last_seq: str) -> None:
    rt = ws_runtime(websocket)
    await websocket.accept()
    sender = SocketSender(websocket)
    # Browsers on the app's own pages and on the shops that embed the widget (api/origins.py).
    if await origins.refuse_foreign_origin(websocket, sender, rt.settings.widget_origins):
        return
    try:
        after_seq = frames.query_seq("last_seq", last_seq)
    except frames.FrameError as exc:
        await sender.send(frames.error_frame(exc.code, exc.detail))
        await websocket.close(code=CLOSE_INVALID)
        return
    owner = await authenticate(websocket, sender, rt, TokenPurpose.CONVERSATION)
    if owner is None:
        return
    if owner != conversation_id:
        await sender.send(frames.error_frame("forbidden", "this token belongs to another conversation"))
        await websocket.close(code=CLOSE_FORBIDDEN)
        return
    async with rt.sessions() as session:
        conversation = await conversation_service.get(session=session, conversation_id=conversation_id)
    if conversation is None:
        await sender.send(frames.error_frame("not_found", "unknown conversation"))
        await websocket.close(code=CLOSE_NOT_FOUND)
        return

    async with rt.broker.subscribe(channels.conversation(conversation_id)) as sub:
        stream = MessageStream(rt, sender, conversation_id, after_seq)
        await sender.send({"type": "hello", "conversation_id": conversation_id, "state": conversation.state,
                           "last_seq": conversation.last_seq, "assigned_agent_id": conversation.assigned_agent_id,
                           "reason": conversation.handoff_reason, "agent_read_seq": conversation.agent_read_seq or 0})
        await stream.catch_up()
        if conversation.state == ConversationState.QUEUED:  # a customer back while waiting sees their place
            place = await routing_flows.place_of(rt, conversation_id)
            if place is not None:
                await sender.send({k: v for k, v in place.items() if k != "conversation_id"})
        pump = asyncio.create_task(_pump(sub, stream, sender, websocket))
        lease_id = await presence.socket_opened(rt, conversation_id)
        typing = Throttle(rt.settings.typing_interval_s)
        limits = rate_limits(websocket)
        try:
            async for raw in receive_frames(websocket, sender):
                await _handle(rt, raw, conversation_id, stream, sender, typing, limits)
        except WebSocketDisconnect:
            pass
        finally:
            pump.cancel()
            # Shielded: a server shutting down still counts the socket out, or the agent would see
            # a customer who is not there.
            await asyncio.shield(instance_flows.socket_closed(rt, SocketKind.CUSTOMER, conversation_id, lease_id))
