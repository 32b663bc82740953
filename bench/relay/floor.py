"""The relay's floor: the same stack as the app (FastAPI, uvicorn, its websockets) and nothing else, no
database, no broker. It speaks just enough of docs/protocol.md for the relay's client to drive it as it
drives the app: the `auth` frame answered with `hello` (and `queue` on the console), `resume` opening a
conversation on a console, and each `message` given the conversation's next seq in memory, then the
same frames the app sends for it: `ack` to the sender, `message` to the sender's own socket and to the
other side's.

    uvicorn bench.relay.floor:create_app --factory
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from devstack.stack import UVICORN_WS_ARGS, Service
from handoff.realtime import wire


class Sender:
    """One socket's sends, one at a time (its own receive loop and the other side's both write to it)."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        self._lock = asyncio.Lock()

    async def send(self, frame: dict[str, Any]) -> None:
        async with self._lock:
            await self.websocket.send_text(wire.dumps(frame))  # as the app encodes (api/streams.py)


@dataclass
class Pair:
    last_seq: int = 0
    customer: Sender | None = None
    agents: set[Sender] = field(default_factory=set)


class Relay:
    def __init__(self) -> None:
        self.pairs: dict[str, Pair] = {}

    def pair(self, conversation_id: str) -> Pair:
        return self.pairs.setdefault(conversation_id, Pair())

    async def relay(self, conversation_id: str, sender: Sender, side: str, frame: dict[str, Any]) -> None:
        pair = self.pair(conversation_id)
        pair.last_seq += 1
        message = {"seq": pair.last_seq, "sender": side, "author_id": None, "text": frame["text"],
                   "client_msg_id": frame["client_msg_id"], "created_at": datetime.now(UTC).isoformat()}
        ack = {"type": "ack", "client_msg_id": frame["client_msg_id"], "seq": pair.last_seq, "duplicate": False}
        if side == "agent":
            ack["conversation_id"] = conversation_id
        await sender.send(ack)
        if pair.customer is not None:
            await pair.customer.send({"type": "message", "message": message})
        for agent in list(pair.agents):
            await agent.send({"type": "message", "message": message, "conversation_id": conversation_id})


def create_app() -> FastAPI:
    app = FastAPI()
    relay = Relay()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.websocket("/ws/customer/{conversation_id}")
    async def customer(websocket: WebSocket, conversation_id: str) -> None:
        await websocket.accept()
        sender = Sender(websocket)
        await websocket.receive_text()  # the auth frame: any token will do
        pair = relay.pair(conversation_id)
        pair.customer = sender
        await sender.send({"type": "hello", "conversation_id": conversation_id, "state": "assigned",
                           "last_seq": pair.last_seq})
        try:
            while True:
                frame = json.loads(await websocket.receive_text())
                if frame.get("type") == "message":
                    await relay.relay(conversation_id, sender, "customer", frame)
        except WebSocketDisconnect:
            pass
        finally:
            if pair.customer is sender:
                pair.customer = None

    @app.websocket("/ws/agent")
    async def agent(websocket: WebSocket) -> None:
        await websocket.accept()
        sender = Sender(websocket)
        await websocket.receive_text()
        await sender.send({"type": "hello", "agent_id": "floor"})
        await sender.send({"type": "queue", "conversations": []})
        opened: list[Pair] = []
        try:
            while True:
                frame = json.loads(await websocket.receive_text())
                if frame.get("type") == "message":
                    await relay.relay(frame["conversation_id"], sender, "agent", frame)
                elif frame.get("type") == "resume":
                    pair = relay.pair(frame["conversation_id"])
                    pair.agents.add(sender)
                    opened.append(pair)
                    await sender.send({"type": "conversation", "conversation": {"id": frame["conversation_id"]},
                                       "context": None})
        except WebSocketDisconnect:
            pass
        finally:
            for pair in opened:
                pair.agents.discard(sender)

    return app


def floor_service(python: Path, port: int, log_dir: Path) -> Service:
    """The floor as its own uvicorn process, started as devstack starts the app (devstack/stack.py)."""
    return Service(
        "floor",
        [str(python), "-m", "uvicorn", "bench.relay.floor:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), *UVICORN_WS_ARGS, "--no-access-log"],
        {**os.environ, "PYTHONUNBUFFERED": "1"},
        f"http://127.0.0.1:{port}/healthz", log_dir / "floor.log")
