"""Real websocket clients speaking docs/protocol.md to a running app (used by tests and benchmarks)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import websockets

Frame = dict[str, Any]


class Socket:
    """A websocket that records every frame it receives, so tests can wait for one."""

    def __init__(self, ws: websockets.ClientConnection) -> None:
        self.ws = ws
        self.frames: list[Frame] = []
        self._new = asyncio.Event()
        self._reader = asyncio.create_task(self._read())
        self.closed_code: int | None = None

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                self.frames.append(json.loads(raw))
                self._new.set()
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closed_code = self.ws.close_code
            self._new.set()

    @classmethod
    async def open(cls, url: str, token: str, **connect: Any) -> Socket:
        """Connects and authenticates: the token goes in the first frame, never in the URL."""
        socket = cls(await websockets.connect(url, **connect))
        with contextlib.suppress(websockets.ConnectionClosed):  # refused at once (the Origin): see frames
            await socket.send({"type": "auth", "token": token})
        return socket

    async def send(self, frame: Frame | str) -> None:
        await self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def wait_for(self, predicate: Callable[[Frame], bool], timeout: float = 30.0, start: int = 0) -> Frame:
        """The first frame (from index `start`) matching `predicate`."""
        async def scan() -> Frame:
            i = start
            while True:
                while i < len(self.frames):
                    if predicate(self.frames[i]):
                        return self.frames[i]
                    i += 1
                if self._reader.done():
                    raise AssertionError(f"socket closed ({self.closed_code}) while waiting; frames: {self.frames}")
                self._new.clear()
                await self._new.wait()
        try:
            return await asyncio.wait_for(scan(), timeout)
        except TimeoutError:
            raise AssertionError(f"no matching frame in {timeout}s; frames: {self.frames[start:]}") from None

    def messages(self) -> list[Frame]:
        return [f["message"] for f in self.frames if f["type"] == "message"]

    async def close(self) -> None:
        await self.ws.close()
        await asyncio.wait_for(self._reader, 5)


class Customer:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.ws_url = base_url.replace("http", "ws", 1)
        self.conversation_id = ""
        self.token = ""
        self.socket: Socket | None = None

    async def start(self, locale: str = "en", customer_token: str | None = None) -> Customer:
        async with httpx.AsyncClient(base_url=self.base_url) as http:
            resp = await http.post("/api/widget/conversations",
                                   json={"locale": locale, "customer_token": customer_token})
            resp.raise_for_status()
            body = resp.json()
        self.conversation_id, self.token = body["conversation_id"], body["token"]
        await self.connect()
        return self

    async def connect(self, last_seq: int = 0) -> Socket:
        url = f"{self.ws_url}/ws/customer/{self.conversation_id}?last_seq={last_seq}"
        self.socket = await Socket.open(url, self.token)
        await self.socket.wait_for(lambda f: f["type"] == "hello")
        return self.socket

    @property
    def ws(self) -> Socket:
        assert self.socket is not None
        return self.socket

    async def say(self, text: str, client_msg_id: str | None = None) -> Frame:
        """Sends a message and waits for its ack (or the error frame refusing it)."""
        cid = client_msg_id or uuid.uuid4().hex
        start = len(self.ws.frames)
        await self.ws.send({"type": "message", "client_msg_id": cid, "text": text})
        return await self.ws.wait_for(lambda f: f["type"] in ("ack", "error") and f.get("client_msg_id") == cid,
                                      start=start)

    async def ask(self, text: str, timeout: float = 30.0) -> list[str]:
        """Sends a message and returns the bot's replies to it: every bot/system message up to the
        `turn` frame that says the bot's turn for this message is done."""
        start = len(self.ws.frames)
        ack = await self.say(text)
        assert ack["type"] == "ack", ack
        seq = ack["seq"]
        if (state := self.state()) != "bot":  # no turn will come: say so now, not after the timeout
            raise AssertionError(f"message {seq} went to no bot turn: the conversation is {state} "
                                 f"(reason {self.last_reason()})")
        await self.ws.wait_for(lambda f: f["type"] == "turn" and f["state"] == "done" and f["seq"] == seq,
                               timeout, start=start)
        return [m["text"] for m in self.ws.messages() if m["seq"] > seq and m["sender"] in ("bot", "system")]

    def state(self) -> str | None:
        """The conversation's state as this socket last heard it (hello, then state frames)."""
        said = [f["state"] for f in self.ws.frames if f["type"] in ("hello", "state") and "state" in f]
        return said[-1] if said else None

    def last_reason(self) -> str | None:
        reasons = [f.get("reason") for f in self.ws.frames if f["type"] in ("hello", "state")]
        return reasons[-1] if reasons else None

    async def history(self, after_seq: int = 0) -> list[Frame]:
        async with httpx.AsyncClient(base_url=self.base_url) as http:
            resp = await http.get(f"/api/widget/conversations/{self.conversation_id}/messages",
                                  params={"after_seq": after_seq}, headers={"X-Conversation-Token": self.token})
            resp.raise_for_status()
            return list(resp.json())


class Agent:
    def __init__(self, base_url: str, agent_id: str, password: str) -> None:
        self.base_url = base_url
        self.agent_id = agent_id
        self.password = password
        self.token = ""
        self.socket: Socket | None = None

    async def login(self) -> Agent:
        async with httpx.AsyncClient(base_url=self.base_url) as http:
            resp = await http.post("/api/agent/login", json={"agent_id": self.agent_id, "password": self.password})
            resp.raise_for_status()
            self.token = resp.json()["token"]
        ws_url = self.base_url.replace("http", "ws", 1)
        self.socket = await Socket.open(f"{ws_url}/ws/agent", self.token)
        await self.socket.wait_for(lambda f: f["type"] == "queue")
        return self

    @property
    def ws(self) -> Socket:
        assert self.socket is not None
        return self.socket

    async def claim(self, conversation_id: str) -> Frame:
        start = len(self.ws.frames)
        await self.ws.send({"type": "claim", "conversation_id": conversation_id})
        return await self.ws.wait_for(
            lambda f: f.get("conversation_id") == conversation_id and f["type"] in ("claimed", "error"), start=start)

    async def presence(self, status: str) -> Frame:
        """Sets the agent's presence (online: takes new chats) and waits for the server's answer."""
        start = len(self.ws.frames)
        await self.ws.send({"type": "presence", "status": status})
        return await self.ws.wait_for(lambda f: f["type"] in ("presence", "error"), start=start)

    async def close_conversation(self, conversation_id: str, resolution: str = "resolved") -> Frame:
        start = len(self.ws.frames)
        await self.ws.send({"type": "close", "conversation_id": conversation_id, "resolution": resolution})
        return await self.ws.wait_for(lambda f: f["type"] == "error" or (
            f["type"] == "state" and f["state"] == "closed" and f.get("conversation_id") == conversation_id),
            start=start)

    async def say(self, conversation_id: str, text: str) -> Frame:
        cid = uuid.uuid4().hex
        start = len(self.ws.frames)
        await self.ws.send({"type": "message", "conversation_id": conversation_id, "client_msg_id": cid,
                            "text": text})
        return await self.ws.wait_for(lambda f: f.get("client_msg_id") == cid and f["type"] in ("ack", "error"),
                                      start=start)

    def messages(self, conversation_id: str) -> list[Frame]:
        return [f["message"] for f in self.ws.frames
                if f["type"] == "message" and f.get("conversation_id") == conversation_id]
