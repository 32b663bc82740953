"""The relay's load, the same against the app and against its floor: N conversations, each a customer's
socket and one of the agents' consoles (an agent's console carries up to 20 chats, the most an agent
may have), writing to each other.

- saturated: a closed loop; each side of each conversation sends its next message as soon as its
  previous one reached the other side's socket (so two messages in flight per conversation).
- offered: every customer sends one message a second, each at a phase of its own; the agents read.

Latency is from the send to the `message` frame on the other side's socket; in the offered load from
when the message was due, so a client held back by a slow server still counts the wait. Every
message frame is checked: a seq a socket already had for that conversation (a duplicate), a seq below
one it had (out of order); and every message sent must reach the other side once (missing). A message
refused with `overloaded` (or `rate_limited`) is sent again after its retry_after_s, as the error frame
tells a client to; its latency still counts from the first send.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import websockets

from bench.report import percentile

CHATS_PER_CONSOLE = 20
CUSTOMER, AGENT = 0, 1
SIDES = ("customer", "agent")
CONNECT_PARALLEL = 32
# Refusals a client answers by sending the same frame again after retry_after_s (as the widget does).
RETRIED = ("overloaded", "rate_limited")
DRAIN_MAX_S = 600.0  # however slowly the last messages keep arriving
HANDSHAKE_TIMEOUT_S = 60.0
Frame = dict[str, Any]


@dataclass(frozen=True)
class Chat:
    conversation_id: str
    token: str  # the customer's
    last_seq: int  # what the customer has seen already (the set-up's messages)
    ws_url: str = ""  # the instance the customer's socket goes to, if not the target's (run.py --redis)


@dataclass(frozen=True)
class Console:
    token: str  # the agent's
    chats: list[tuple[str, int]]  # conversation id, the last seq the console has seen
    ws_url: str = ""  # the instance the console goes to, if not the target's


@dataclass(frozen=True)
class Target:
    ws_url: str
    chats: list[Chat]
    consoles: list[Console]


@dataclass
class Stream:
    """One side's messages in one conversation in one mode, by n (the order they were sent)."""

    sent_at: list[float] = field(default_factory=list)
    delivered_at: list[float | None] = field(default_factory=list)
    seqs: list[int] = field(default_factory=list)


class Mode:
    def __init__(self, key: str, chats: int, seconds: float, closed_loop: bool) -> None:
        self.prefix = f"{key}:"  # of its client_msg_ids: PREFIX SIDE CHAT . N, e.g. sat:c12.7
        self.closed_loop = closed_loop
        self.seconds = seconds
        self.streams = [[Stream() for _ in range(chats)] for _ in SIDES]
        self.started = time.perf_counter()
        self.stop_at = self.started + seconds
        self.sending = True
        self.sent = self.delivered = self.in_window = self.outstanding = 0
        self.latencies: tuple[list[float], list[float]] = ([], [])  # by the sender's side
        self.lateness: list[float] = []  # offered load: how late the client sent each (its own lag)
        self.duplicated = self.out_of_order = 0
        self.errors: Counter[str] = Counter()
        self.closes: Counter[str] = Counter()
        self.drained = asyncio.Event()
        self.cpu_at_start = (0.0, 0.0)  # the server's and this client's CPU seconds when it began
        self.sockets_open = 0  # when it began

    def check_drained(self) -> None:
        if not self.sending and self.outstanding == 0:
            self.drained.set()


class Socket:
    """A client websocket: a reader handing every frame to the load, a writer draining its queue."""

    def __init__(self, ws: websockets.ClientConnection, side: int, chat: int, load: Load) -> None:
        self.ws = ws
        self.side = side
        self.chat = chat  # a customer's conversation (index); -1 for a console
        self.load = load
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.tasks = [asyncio.create_task(self._read()), asyncio.create_task(self._write())]

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                self.load.on_frame(self, json.loads(raw))
        except websockets.ConnectionClosed:
            pass
        except Exception as exc:  # the client's own bug: the run must not go on with a deaf socket
            self.load.failures.append(repr(exc))
            raise
        finally:
            self.load.on_closed(self)

    async def _write(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                await self.ws.send(await self.queue.get())

    async def close(self) -> None:
        with contextlib.suppress(TimeoutError, websockets.WebSocketException, OSError):
            await asyncio.wait_for(self.ws.close(), 5)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def _until(ws: websockets.ClientConnection, predicate: Callable[[Frame], bool]) -> None:
    """Reads frames until one matches (the handshake, before the socket's reader starts)."""
    while not predicate(json.loads(await ws.recv())):
        pass


async def _connect(url: str, token: str) -> websockets.ClientConnection:
    # No client pings (a browser sends none); the server's keepalive still runs.
    ws = await websockets.connect(url, ping_interval=None, max_size=1 << 22, open_timeout=30)
    await ws.send(json.dumps({"type": "auth", "token": token}))
    return ws


class Load:
    def __init__(self, target: Target, server_cpu_s: Callable[[], float]) -> None:
        self.target = target
        self.server_cpu_s = server_cpu_s
        n = len(target.chats)
        self.index = {chat.conversation_id: i for i, chat in enumerate(target.chats)}
        self.customers: list[Socket | None] = [None] * n
        self.console_of: list[Socket | None] = [None] * n
        self.consoles: list[Socket] = []
        # Per receiving side and conversation: the seqs that socket has had, and the highest.
        self.seen: list[list[set[int]]] = [[set() for _ in range(n)] for _ in SIDES]
        self.highest = [[0] * n for _ in SIDES]
        self.mode: Mode | None = None
        self.failures: list[str] = []  # exceptions in the client's frame handling
        # Frames sent and not delivered yet, by client_msg_id: sent again after an `overloaded` refusal.
        self.outgoing: dict[str, tuple[Socket, str]] = {}

    # --- connecting -----------------------------------------------------------------------------

    async def connect(self) -> None:
        """Every customer's socket, then every console with its chats opened (`resume`)."""
        gate = asyncio.Semaphore(CONNECT_PARALLEL)
        base = self.target.ws_url

        async def customer(i: int, chat: Chat) -> None:
            async with gate:
                ws = await _connect(f"{chat.ws_url or base}/ws/customer/{chat.conversation_id}"
                                    f"?last_seq={chat.last_seq}", chat.token)
                await _until(ws, lambda f: f["type"] == "hello")
                self.customers[i] = Socket(ws, CUSTOMER, i, self)

        async def console(c: Console) -> None:
            async with gate:
                ws = await _connect(f"{c.ws_url or base}/ws/agent", c.token)
                await _until(ws, lambda f: f["type"] == "queue")
                for conversation_id, last_seq in c.chats:
                    await ws.send(json.dumps({"type": "resume", "conversation_id": conversation_id,
                                              "last_seq": last_seq}))
                waiting = {conversation_id for conversation_id, _ in c.chats}

                def opened(f: Frame) -> bool:
                    if f["type"] == "conversation":
                        waiting.discard(f["conversation"]["id"])
                    return not waiting

                await _until(ws, opened)
                socket = Socket(ws, AGENT, -1, self)
                self.consoles.append(socket)
                for conversation_id, _ in c.chats:
                    self.console_of[self.index[conversation_id]] = socket

        async with asyncio.timeout(HANDSHAKE_TIMEOUT_S + len(self.target.chats) / 10):
            await asyncio.gather(*(customer(i, chat) for i, chat in enumerate(self.target.chats)))
            await asyncio.gather(*(console(c) for c in self.target.consoles))

    async def close(self) -> None:
        sockets = [s for s in self.customers if s is not None] + self.consoles
        await asyncio.gather(*(s.close() for s in sockets))

    # --- frames ---------------------------------------------------------------------------------

    def on_frame(self, socket: Socket, frame: Frame) -> None:
        kind = frame.get("type")
        if kind == "message":
            chat = socket.chat if socket.side == CUSTOMER else self.index.get(frame.get("conversation_id", ""))
            if chat is not None:
                self._arrived(socket.side, chat, frame["message"])
        elif kind == "error" and self.mode is not None:
            self.mode.errors[str(frame.get("code"))] += 1
            resend = self.outgoing.get(str(frame.get("client_msg_id")))
            if frame.get("code") in RETRIED and resend is not None:  # not stored: the same frame again, later
                asyncio.get_running_loop().call_later(float(frame.get("retry_after_s") or 1),
                                                      resend[0].queue.put_nowait, resend[1])

    def on_closed(self, socket: Socket) -> None:
        if self.mode is not None:
            self.mode.closes[str(socket.ws.close_code)] += 1

    def _arrived(self, side: int, chat: int, message: Frame) -> None:
        now = time.perf_counter()
        mode = self.mode
        seq = int(message["seq"])
        seen = self.seen[side][chat]
        if seq in seen:
            if mode is not None:
                mode.duplicated += 1
            return
        seen.add(seq)
        if seq < self.highest[side][chat]:
            if mode is not None:
                mode.out_of_order += 1
        else:
            self.highest[side][chat] = seq
        cid = message.get("client_msg_id") or ""
        if mode is None or not cid.startswith(mode.prefix):
            return  # the set-up's, or a system message
        sender = CUSTOMER if cid[len(mode.prefix)] == "c" else AGENT
        if sender == side:
            return  # its own, echoed with its seq
        n = int(cid[cid.index(".") + 1:])
        stream = mode.streams[sender][chat]
        if stream.delivered_at[n] is not None:  # the same message again, under another seq: stored twice
            mode.duplicated += 1
            return
        stream.delivered_at[n] = now
        self.outgoing.pop(cid, None)
        stream.seqs[n] = seq
        mode.delivered += 1
        mode.outstanding -= 1
        mode.latencies[sender].append(now - stream.sent_at[n])
        if now <= mode.stop_at:
            mode.in_window += 1
        if mode.closed_loop and now < mode.stop_at:
            self._send(mode, sender, chat, now)
        else:
            mode.check_drained()

    def _send(self, mode: Mode, side: int, chat: int, at: float) -> None:
        stream = mode.streams[side][chat]
        n = len(stream.sent_at)
        stream.sent_at.append(at)
        stream.delivered_at.append(None)
        stream.seqs.append(0)
        mode.sent += 1
        mode.outstanding += 1
        cid = f"{mode.prefix}{'ca'[side]}{chat}.{n}"
        text = f"{SIDES[side]} message {n}: on its way to the other side"
        if side == CUSTOMER:
            socket = self.customers[chat]
            frame: Frame = {"type": "message", "client_msg_id": cid, "text": text}
        else:
            socket = self.console_of[chat]
            frame = {"type": "message", "conversation_id": self.target.chats[chat].conversation_id,
                     "client_msg_id": cid, "text": text}
        if socket is not None:
            raw = self.outgoing[cid] = socket, json.dumps(frame)
            socket.queue.put_nowait(raw[1])

    # --- the two modes ----------------------------------------------------------------------------

    async def saturated(self, seconds: float, idle_s: float) -> dict[str, Any]:
        mode = self._begin("sat", seconds, closed_loop=True)
        for chat in range(len(self.target.chats)):
            for side in (CUSTOMER, AGENT):
                self._send(mode, side, chat, time.perf_counter())
        await asyncio.sleep(max(0.0, mode.stop_at - time.perf_counter()))  # the window's length
        return await self._end(mode, idle_s)

    async def offered(self, seconds: float, idle_s: float, seed: int = 13) -> dict[str, Any]:
        rng = random.Random(seed)
        mode = self._begin("off", seconds, closed_loop=False)
        due = sorted((mode.started + phase + k, chat)
                     for chat, phase in enumerate(rng.random() for _ in self.target.chats)
                     for k in range(int(seconds) + 1) if phase + k < seconds)
        j = 0
        while j < len(due):
            now = time.perf_counter()
            if due[j][0] > now:
                await asyncio.sleep(due[j][0] - now)  # the offered load's pace
                continue
            while j < len(due) and due[j][0] <= now:
                at, chat = due[j]
                mode.lateness.append(now - at)
                self._send(mode, CUSTOMER, chat, at)
                j += 1
        await asyncio.sleep(max(0.0, mode.stop_at - time.perf_counter()))
        return await self._end(mode, idle_s)

    def _begin(self, key: str, seconds: float, closed_loop: bool) -> Mode:
        mode = self.mode = Mode(key, len(self.target.chats), seconds, closed_loop)
        mode.cpu_at_start = (self.server_cpu_s(), time.process_time())
        mode.sockets_open = sum(not s.tasks[0].done() for s in [*self.customers, *self.consoles] if s is not None)
        return mode

    async def _drain(self, mode: Mode, idle_s: float) -> None:
        """Until every message sent has arrived; what has not once none arrived for idle_s is missing."""
        deadline = time.perf_counter() + DRAIN_MAX_S
        mode.sending = False
        mode.check_drained()
        while not mode.drained.is_set() and time.perf_counter() < deadline:
            delivered = mode.delivered
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(mode.drained.wait(), idle_s)
            if mode.delivered == delivered:
                return

    async def _end(self, mode: Mode, idle_s: float) -> dict[str, Any]:
        server, client = mode.cpu_at_start
        wall = time.perf_counter() - mode.started
        server_cpu, client_cpu = (self.server_cpu_s() - server) / wall, (time.process_time() - client) / wall
        drain_started = time.perf_counter()
        await self._drain(mode, idle_s)
        drain_took = time.perf_counter() - drain_started
        self.mode = None
        if self.failures:
            raise RuntimeError(f"the relay's client failed: {self.failures[:3]}")
        return {
            "seconds": mode.seconds,
            "sent": mode.sent,
            "delivered": mode.delivered,
            "deliveries_per_s": round(mode.in_window / mode.seconds, 1),
            "latency_ms": _latency([*mode.latencies[CUSTOMER], *mode.latencies[AGENT]]),
            "latency_by_sender_ms": {SIDES[side]: _latency(mode.latencies[side]) for side in (CUSTOMER, AGENT)},
            "missing": mode.sent - mode.delivered,
            "duplicated": mode.duplicated,
            "out_of_order": mode.out_of_order,
            "errors": dict(mode.errors),
            "sockets_closed": dict(mode.closes),
            "sockets_open": mode.sockets_open,
            "drained": mode.drained.is_set(),
            "drain_s": round(drain_took, 2),
            "server_cpu": round(server_cpu, 2),
            "client_cpu": round(client_cpu, 2),
            "client_send_lateness_p99_ms": round(percentile(mode.lateness, 0.99) * 1000, 2)
            if mode.lateness else None,
        }


def _latency(seconds: list[float]) -> dict[str, float | None]:
    if not seconds:
        return {"p50": None, "p99": None, "max": None}
    ms = sorted(x * 1000 for x in seconds)
    return {"p50": round(percentile(ms, 0.5), 2), "p99": round(percentile(ms, 0.99), 2), "max": round(ms[-1], 2)}
