"""Ordered, gap-free, duplicate-free delivery of one conversation's messages to one socket.

Live events arrive through the broker; the database is the truth. A socket remembers the last
sequence number it sent: an event at or below it is a duplicate and dropped, an event beyond the
next number means something was missed (another process, a reconnect) and the gap is read from
the database first. So a client always sees 1, 2, 3, ... in order, whatever the broker does.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import WebSocket

from handoff.conversations import service as conversation_service
from handoff.conversations.schemas import MessagePublic
from handoff.realtime import channels, wire
from handoff.runtime import Runtime


class SocketSender:
    """Serialises sends from the receive loop and the broker pump onto one socket."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self._lock = asyncio.Lock()

    async def send(self, frame: dict[str, Any]) -> None:
        async with self._lock:
            await self.websocket.send_text(wire.dumps(frame))


class MessageStream:
    def __init__(self, rt: Runtime, sender: SocketSender, conversation_id: str, last_seq: int,
                 with_conversation_id: bool = False, with_notes: bool = False) -> None:
        """with_notes: an agent's stream (private notes included); a customer's never has them."""
        self.rt = rt
        self.sender = sender
        self.conversation_id = conversation_id
        self.last_seq = last_seq
        self.with_conversation_id = with_conversation_id
        self.with_notes = with_notes
        self._lock = asyncio.Lock()

    async def _send(self, message: dict[str, Any]) -> None:
        frame: dict[str, Any] = {"type": "message", "message": message}
        if self.with_conversation_id:
            frame["conversation_id"] = self.conversation_id
        await self.sender.send(frame)
        self.last_seq = message["seq"]

    async def catch_up(self, until_seq: int | None = None) -> None:
        """Sends everything after last_seq (up to until_seq), a page at a time: no cap, and never
        more than one page in memory however far behind the client is."""
        page_size = conversation_service.PAGE_SIZE
        while until_seq is None or self.last_seq < until_seq:
            async with self.rt.sessions() as session:
                page = await conversation_service.messages_after(
                    session=session, conversation_id=self.conversation_id, after_seq=self.last_seq,
                    until_seq=until_seq, limit=page_size, with_notes=self.with_notes)
            for message in page:
                await self._send(MessagePublic.of(message).model_dump(mode="json"))
            if len(page) < page_size:
                return

    async def deliver(self, message: dict[str, Any]) -> None:
        async with self._lock:
            if not self.with_notes and not channels.customer_may_see(message["sender"]):
                return  # never reaches a customer's socket, whatever channel it came on
            seq = int(message["seq"])
            if seq <= self.last_seq:
                return
            if seq > self.last_seq + 1:
                await self.catch_up(until_seq=seq - 1)
            await self._send(message)

    async def resume(self, last_seq: int) -> None:
        """The client says what it has; send everything after it (it may go back in time)."""
        async with self._lock:
            self.last_seq = last_seq
            await self.catch_up()


async def receive_frames(websocket: WebSocket, sender: SocketSender) -> Any:
    """Yields each text frame; a binary frame gets an error frame and the connection stays open."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is None:
            await sender.send({"type": "error", "code": "binary_frame", "detail": "send JSON text frames"})
            continue
        yield text
