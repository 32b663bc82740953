"""The two sides of a scenario's conversations, run as a real client runs them (docs/protocol.md):
every message has a client_msg_id; a socket that drops is opened again through the same address
(with backoff, as the widget and the console do), with `last_seq` (the customer) or a `resume` per
conversation (the agent), and every message not yet acknowledged is sent again, same client_msg_id,
in the order first sent, before anything new."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import websockets

from devstack.faults.ledger import Ledger, Outgoing, Side

Frame = dict[str, Any]

RETRY_FIRST_S = 0.05
RETRY_MAX_S = 1.0
# The app waits up to 10 s for Redis to confirm a socket's subscription before its hello.
HELLO_TIMEOUT_S = 15.0
# A sender that has this many messages unacknowledged skips its next turns (the far side is stuck).
MAX_UNACKED = 200
_CONNECT_FAILED = (OSError, TimeoutError, websockets.WebSocketException)


class LinkClosed(Exception):
    pass


class Link:
    """One websocket connection: every frame goes to on_frame as it arrives, and is kept for wait_for."""

    def __init__(self, ws: websockets.ClientConnection, number: int,
                 on_frame: Callable[[Frame, Link], None]) -> None:
        self.ws = ws
        self.number = number
        self.on_frame = on_frame
        self.frames: list[Frame] = []
        self._changed = asyncio.Event()
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, url: str, token: str, number: int, on_frame: Callable[[Frame, Link], None]) -> Link:
        ws = await websockets.connect(url, open_timeout=10, max_size=1 << 22)
        link = cls(ws, number, on_frame)
        try:
            await link.send({"type": "auth", "token": token})
        except websockets.ConnectionClosed:
            await link.close()
            raise LinkClosed(f"closed before auth ({link.close_code})") from None
        return link

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                self.frames.append(frame)
                self.on_frame(frame, self)
                self._changed.set()
        except websockets.ConnectionClosed:
            pass
        finally:
            self._changed.set()

    @property
    def closed(self) -> bool:
        return self.reader.done()

    @property
    def close_code(self) -> int:
        return self.ws.close_code or 1006

    async def send(self, frame: Frame) -> None:
        await self.ws.send(json.dumps(frame))

    async def wait_for(self, predicate: Callable[[Frame], bool], timeout: float) -> Frame:
        """The first frame matching predicate; LinkClosed if the socket closes first, TimeoutError."""
        async def scan() -> Frame:
            i = 0
            while True:
                while i < len(self.frames):
                    if predicate(self.frames[i]):
                        return self.frames[i]
                    i += 1
                if self.closed:
                    raise LinkClosed(f"closed ({self.close_code}); last frames: {self.frames[-3:]}")
                self._changed.clear()
                await self._changed.wait()
        return await asyncio.wait_for(scan(), timeout)

    async def wait_closed(self) -> None:
        await asyncio.shield(self.reader)

    async def close(self) -> None:
        with contextlib.suppress(*_CONNECT_FAILED):
            await asyncio.wait_for(self.ws.close(), 5)
        self.reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.reader


class Party:
    """One client (a customer's widget, an agent's console) and its connection loop."""

    side: Side

    def __init__(self, base_url: str, ledger: Ledger, name: str) -> None:
        self.base_url = base_url
        self.ws_url = base_url.replace("http", "ws", 1)
        self.ledger = ledger
        self.name = name
        self.token = ""
        self.conversations: list[str] = []
        self.last_seq: dict[str, int] = {}  # advanced by message frames only (docs/protocol.md)
        self.unacked: dict[str, Outgoing] = {}  # in the order first sent
        self.link: Link | None = None
        self.ready = False
        self.connected = asyncio.Event()
        self.connections = 0
        self.closes: Counter[int] = Counter()
        self.failed_connects = 0
        self.skipped = 0  # turns of the traffic not taken: not connected, or too much unacknowledged
        self._send_lock = asyncio.Lock()
        self._runner: asyncio.Task[None] | None = None
        self._retries: set[asyncio.Task[None]] = set()  # kept so they are not collected mid-way
        self._stopping = False
        self._was_connected = False

    # --- what differs between the customer and the agent ----------------------------------------------

    async def _open(self, number: int) -> Link:
        raise NotImplementedError

    def _frame(self, out: Outgoing) -> Frame:
        raise NotImplementedError

    def _conversation_of(self, frame: Frame) -> str:
        raise NotImplementedError

    # --- the connection loop ------------------------------------------------------------------------

    def start(self) -> None:
        self._runner = asyncio.create_task(self._run(), name=f"party-{self.name}")

    async def wait_connected(self, timeout: float = 60.0) -> Link:
        await asyncio.wait_for(self.connected.wait(), timeout)
        assert self.link is not None
        return self.link

    async def _run(self) -> None:
        delay = RETRY_FIRST_S
        while not self._stopping:
            self.connections += 1
            try:
                link = await self._open(self.connections)
            except (*_CONNECT_FAILED, LinkClosed):
                self.failed_connects += 1
                # A retry's backoff, as the widget's: nothing tells a client that the server is back.
                await asyncio.sleep(delay)
                delay = min(2 * delay, RETRY_MAX_S)
                continue
            delay = RETRY_FIRST_S
            self.link = link
            for out in list(self.unacked.values()):  # before anything new, in the order first sent
                out.sends += 1
                await self._send(link, out)
            if not link.closed:
                if self._was_connected:
                    self.ledger.reconnected()
                self._was_connected = True
                self.ready = True
                self.connected.set()
                await link.wait_closed()
            self.ready = False
            self.connected.clear()
            self.link = None
            self.closes[link.close_code] += 1
            if not self._stopping:
                self.ledger.dropped()

    async def _send(self, link: Link, out: Outgoing) -> None:
        async with self._send_lock:
            # A socket closing under us: the message stays unacknowledged and goes again on the next one.
            with contextlib.suppress(websockets.ConnectionClosed):
                await link.send(self._frame(out))

    async def send_new(self, conversation_id: str) -> None:
        """The traffic's next message in this conversation, if connected; a skipped turn otherwise."""
        link = self.link
        if not self.ready or link is None or len(self.unacked) >= MAX_UNACKED:
            self.skipped += 1
            return
        out = self.ledger.new(conversation_id, self.side)
        self.unacked[out.client_msg_id] = out
        await self._send(link, out)

    def _on_frame(self, frame: Frame, link: Link) -> None:
        kind = frame.get("type")
        if kind == "message":
            cid = self._conversation_of(frame)
            message = frame["message"]
            self.last_seq[cid] = max(self.last_seq.get(cid, 0), int(message["seq"]))
            self.ledger.arrived(cid, self.side, message, link.number)
        elif kind == "ack":
            self.unacked.pop(frame["client_msg_id"], None)
            self.ledger.acked(frame["client_msg_id"], int(frame["seq"]), bool(frame.get("duplicate")))
        elif kind == "error" and frame.get("client_msg_id"):
            self.ledger.refused(frame["client_msg_id"], str(frame.get("code")))
            out = self.unacked.get(frame["client_msg_id"])
            if out is not None and frame.get("code") == "rate_limited":  # not stored: again when there is room
                asyncio.get_running_loop().call_later(float(frame.get("retry_after_s") or 1), self._retry, out, link)

    def _retry(self, out: Outgoing, link: Link) -> None:
        if out.client_msg_id in self.unacked and self.link is link and not link.closed:
            out.sends += 1
            task = asyncio.create_task(self._send(link, out))
            self._retries.add(task)
            task.add_done_callback(self._retries.discard)

    def has_unacked(self) -> bool:
        return bool(self.unacked)

    async def reconnect(self) -> None:
        """Closes the socket (the loop opens a new one and catches up), as a reload would."""
        if self.link is not None:
            await self.link.close()

    async def stop(self) -> None:
        self._stopping = True
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        if self.link is not None:
            await self.link.close()
            self.link = None


class CustomerParty(Party):
    side: Side = "customer"
    handoff_reason = ""

    async def create(self) -> str:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as http:
            resp = await http.post("/api/widget/conversations", json={"locale": "en", "customer_token": None})
            resp.raise_for_status()
            body = resp.json()
        self.conversations, self.token = [body["conversation_id"]], body["token"]
        self.last_seq[body["conversation_id"]] = 0
        return str(body["conversation_id"])

    @property
    def conversation_id(self) -> str:
        return self.conversations[0]

    async def _open(self, number: int) -> Link:
        url = f"{self.ws_url}/ws/customer/{self.conversation_id}?last_seq={self.last_seq[self.conversation_id]}"
        link = await Link.open(url, self.token, number, self._on_frame)
        try:
            await link.wait_for(lambda f: f["type"] == "hello", HELLO_TIMEOUT_S)
        except (LinkClosed, TimeoutError):
            await link.close()
            raise
        return link

    def _frame(self, out: Outgoing) -> Frame:
        return {"type": "message", "client_msg_id": out.client_msg_id, "text": out.text}

    def _conversation_of(self, frame: Frame) -> str:
        return self.conversation_id

    async def ask_for_a_person(self, timeout: float = 60.0) -> None:
        """The bot hands the conversation off (the suite's phrase, test_two_instances.py); until queued."""
        link = await self.wait_connected()
        await link.send({"type": "message", "client_msg_id": f"setup-{self.conversation_id}",
                         "text": "I want to talk to a person"})
        frame = await link.wait_for(lambda f: f["type"] == "state" and f["state"] != "bot", timeout)
        if frame["state"] != "queued":
            raise AssertionError(f"{self.name}: not queued: {frame}")
        self.handoff_reason = str(frame.get("reason"))  # bot_unavailable: Rasa did not answer in time

    async def until_assigned(self, timeout: float = 30.0) -> None:
        link = await self.wait_connected()
        await link.wait_for(lambda f: f["type"] == "state" and f["state"] == "assigned", timeout)

    async def history(self) -> list[dict[str, Any]]:
        """Everything stored in the conversation (the widget's history endpoint, every page)."""
        messages: list[dict[str, Any]] = []
        after = 0
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as http:
            while True:
                resp = await http.get(f"/api/widget/conversations/{self.conversation_id}/messages",
                                      params={"after_seq": after}, headers={"X-Conversation-Token": self.token})
                resp.raise_for_status()
                messages += resp.json()
                after = int(resp.headers["X-Next-After-Seq"])
                if resp.headers.get("X-Has-More") != "true":
                    return messages


class AgentParty(Party):
    side: Side = "agent"

    def __init__(self, base_url: str, ledger: Ledger, agent_id: str, password: str) -> None:
        super().__init__(base_url, ledger, agent_id)
        self.password = password
        # `conversation` frames per (connection, chat): more than one is the server opening a chat
        # again on a console that has it open, which sends its messages again.
        self.openings: Counter[tuple[int, str]] = Counter()

    def _on_frame(self, frame: Frame, link: Link) -> None:
        if frame.get("type") == "conversation":
            self.openings[link.number, str(frame["conversation"]["id"])] += 1
        super()._on_frame(frame, link)

    async def login(self) -> None:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as http:
            resp = await http.post("/api/agent/login", json={"agent_id": self.name, "password": self.password})
            resp.raise_for_status()
            self.token = resp.json()["token"]

    async def _open(self, number: int) -> Link:
        link = await Link.open(f"{self.ws_url}/ws/agent", self.token, number, self._on_frame)
        try:
            await link.wait_for(lambda f: f["type"] == "queue", HELLO_TIMEOUT_S)
            # Each of its chats from where this console got to, then live (docs/protocol.md `resume`).
            for cid in self.conversations:
                await link.send({"type": "resume", "conversation_id": cid, "last_seq": self.last_seq.get(cid, 0)})
            for cid in self.conversations:
                await link.wait_for(lambda f, cid=cid: f["type"] == "conversation"  # type: ignore[misc]
                                    and f["conversation"]["id"] == cid, HELLO_TIMEOUT_S)
        except (LinkClosed, TimeoutError, websockets.ConnectionClosed):
            await link.close()
            raise LinkClosed("the console did not open") from None
        return link

    def _frame(self, out: Outgoing) -> Frame:
        return {"type": "message", "conversation_id": out.conversation_id, "client_msg_id": out.client_msg_id,
                "text": out.text}

    def _conversation_of(self, frame: Frame) -> str:
        return str(frame["conversation_id"])

    async def claim(self, conversation_id: str, timeout: float = 30.0) -> None:
        link = await self.wait_connected()
        self.last_seq.setdefault(conversation_id, 0)
        await link.send({"type": "claim", "conversation_id": conversation_id})
        frame = await link.wait_for(lambda f: f.get("conversation_id") == conversation_id
                                    and f["type"] in ("claimed", "error"), timeout)
        if frame["type"] != "claimed":
            raise AssertionError(f"{self.name} could not claim {conversation_id}: {frame}")
        self.conversations.append(conversation_id)

    async def close_all(self, timeout: float = 10.0) -> None:
        """Closes its chats (so a later scenario on the same database starts with a quiet queue)."""
        link = self.link
        if link is None:
            return
        for cid in self.conversations:
            with contextlib.suppress(LinkClosed, TimeoutError, websockets.ConnectionClosed):
                await link.send({"type": "close", "conversation_id": cid, "resolution": "resolved"})
                await link.wait_for(lambda f, cid=cid: f.get("conversation_id") == cid  # type: ignore[misc]
                                    and (f["type"] == "error" or (f["type"] == "state" and f["state"] == "closed")),
                                    timeout)
