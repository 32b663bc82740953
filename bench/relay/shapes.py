"""Does the app's task shape cost the relay its throughput? The floor (bench/relay/floor.py) against
the same floor built as the app is (`shaped_app`), still with no database, no validation and no
rate limit, driven by the same client, in turns, in one run:

- a queue and a pump task per socket: what is published to a socket is sent by its pump, as the
  app's broker subscribers are (api/routers/ws_customer.py, ws_agent.py);
- each message handed to a batch task that gives it its seq, publishes it and settles its sender's
  future, as the relay writer does (handoff/conversations/writes.py), only without the database;
- a customer's receive loop awaiting its message's future before the ack; an agent's ack a task of
  its own.

    python -m bench.relay.shapes [--conversations 100] [--seconds 15] [--rounds 3] [--no-write]

Per run: saturated deliveries/s, and the server's CPU per delivery (its CPU seconds over the
deliveries), which does not depend on whether the client or the server was the limit. Writes
docs/results/relay-shapes.json and its section of docs/benchmarks.md (--no-write: prints it only).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from bench.relay.floor import Sender, floor_service
from bench.relay.run import _measure, _per_delivery_us, _started
from bench.relay.targets import floor_target
from bench.report import command, figure, machine, results, write_results, write_section
from devstack.stack import free_port

SHAPES = ("floor", "shaped")


class Socket:
    """One socket's sends: its pump sends what is published to it, in order."""

    def __init__(self, websocket: WebSocket) -> None:
        self.sender = Sender(websocket)
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(256)
        self.pump = asyncio.create_task(self._pump())

    async def _pump(self) -> None:
        while True:
            await self.sender.send(await self.queue.get())


class Pair:
    def __init__(self) -> None:
        self.last_seq = 0
        self.customer: Socket | None = None
        self.agents: set[Socket] = set()


class Relay:
    """Messages queued to one batch task at a time, which takes all that wait, as the writer does."""

    def __init__(self) -> None:
        self.pairs: dict[str, Pair] = {}
        self.waiting: list[tuple[str, str, dict[str, Any], asyncio.Future[int]]] = []
        self.batch: asyncio.Task[None] | None = None

    def pair(self, conversation_id: str) -> Pair:
        return self.pairs.setdefault(conversation_id, Pair())

    def submit(self, conversation_id: str, side: str, frame: dict[str, Any]) -> asyncio.Future[int]:
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.waiting.append((conversation_id, side, frame, done))
        if self.batch is None:
            self.batch = asyncio.create_task(self._batches())
        return done

    async def _batches(self) -> None:
        while self.waiting:
            await asyncio.sleep(0)  # the database's round trip, at its shortest: one trip round the loop
            batch, self.waiting = self.waiting, []
            for conversation_id, side, frame, done in batch:
                pair = self.pair(conversation_id)
                pair.last_seq += 1
                message = {"seq": pair.last_seq, "sender": side, "author_id": None, "text": frame["text"],
                           "client_msg_id": frame["client_msg_id"], "created_at": datetime.now(UTC).isoformat()}
                if pair.customer is not None:
                    pair.customer.queue.put_nowait({"type": "message", "message": message})
                for agent in pair.agents:
                    agent.queue.put_nowait({"type": "message", "message": message, "conversation_id": conversation_id})
                done.set_result(pair.last_seq)
        self.batch = None


async def _ack(socket: Socket, done: asyncio.Future[int], frame: dict[str, Any], conversation_id: str | None) -> None:
    ack = {"type": "ack", "client_msg_id": frame["client_msg_id"], "seq": await done, "duplicate": False}
    if conversation_id is not None:
        ack["conversation_id"] = conversation_id
    await socket.sender.send(ack)


def shaped_app() -> FastAPI:
    """The floor's protocol (bench/relay/floor.py), with the app's tasks."""
    app = FastAPI()
    relay = Relay()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.websocket("/ws/customer/{conversation_id}")
    async def customer(websocket: WebSocket, conversation_id: str) -> None:
        await websocket.accept()
        socket = Socket(websocket)
        await websocket.receive_text()  # the auth frame: any token will do
        pair = relay.pair(conversation_id)
        pair.customer = socket
        await socket.sender.send({"type": "hello", "conversation_id": conversation_id, "state": "assigned",
                                  "last_seq": pair.last_seq})
        try:
            while True:
                frame = json.loads(await websocket.receive_text())
                if frame.get("type") == "message":
                    await _ack(socket, relay.submit(conversation_id, "customer", frame), frame, None)
        except WebSocketDisconnect:
            pass
        finally:
            if pair.customer is socket:
                pair.customer = None
            socket.pump.cancel()

    @app.websocket("/ws/agent")
    async def agent(websocket: WebSocket) -> None:
        await websocket.accept()
        socket = Socket(websocket)
        await websocket.receive_text()
        await socket.sender.send({"type": "hello", "agent_id": "floor"})
        await socket.sender.send({"type": "queue", "conversations": []})
        opened: list[Pair] = []
        acks: set[asyncio.Task[None]] = set()
        try:
            while True:
                frame = json.loads(await websocket.receive_text())
                if frame.get("type") == "message":
                    conversation_id = frame["conversation_id"]
                    task = asyncio.create_task(_ack(socket, relay.submit(conversation_id, "agent", frame), frame,
                                                    conversation_id))
                    acks.add(task)
                    task.add_done_callback(acks.discard)
                elif frame.get("type") == "resume":
                    pair = relay.pair(frame["conversation_id"])
                    pair.agents.add(socket)
                    opened.append(pair)
                    await socket.sender.send({"type": "conversation", "conversation": {"id": frame["conversation_id"]},
                                              "context": None})
        except WebSocketDisconnect:
            pass
        finally:
            for pair in opened:
                pair.agents.discard(socket)
            socket.pump.cancel()

    return app


async def _one(shape: str, args: argparse.Namespace, logs: Path) -> dict[str, Any]:
    port = free_port()
    service = floor_service(Path(sys.prefix) / "bin" / "python", port, logs)
    if shape == "shaped":
        service.argv = ["bench.relay.shapes:shaped_app" if arg == "bench.relay.floor:create_app" else arg
                        for arg in service.argv]
    service.name = f"floor-{shape}"
    started = await _started(service, 60)
    try:
        assert started.process is not None
        run = await _measure(floor_target(f"http://127.0.0.1:{port}", args.conversations), [started.process.pid],
                             args)
    finally:
        started.stop()
    saturated = run["saturated"]
    return {"deliveries_per_s": saturated["deliveries_per_s"], "server_cpu": saturated["server_cpu"],
            "client_cpu": saturated["client_cpu"], "server_us_per_delivery": _per_delivery_us(run)}


async def _runs(args: argparse.Namespace) -> dict[str, list[dict[str, Any]]]:
    logs = Path(tempfile.mkdtemp(prefix="shopbot-bench-shapes-")) / "logs"
    print(f"==> logs in {logs}", flush=True)
    runs: dict[str, list[dict[str, Any]]] = {shape: [] for shape in SHAPES}
    for round_ in range(args.rounds):
        for shape in SHAPES:  # in turns: the machine's drift falls on both alike
            run = await _one(shape, args, logs)
            runs[shape].append(run)
            print(f"    round {round_ + 1}, {shape}: {run}", flush=True)
    return runs


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(run[key] for run in runs))


def _section(runs: dict[str, list[dict[str, Any]]], args: argparse.Namespace) -> str:
    rows = ["| run | floor: deliveries/s | shaped: deliveries/s | floor: server CPU per delivery (us) | "
            "shaped: server CPU per delivery (us) |", "|---|---|---|---|---|"]
    for k, (floor, shaped) in enumerate(zip(runs["floor"], runs["shaped"], strict=True)):
        rows.append(f"| {k + 1} | {floor['deliveries_per_s']:,.0f} | {shaped['deliveries_per_s']:,.0f} | "
                    f"{floor['server_us_per_delivery']} | {shaped['server_us_per_delivery']} |")
    return (
        f"## The app's task shape, without the app\n\n`{command('bench.relay.shapes')}` "
        f"(bench/relay/shapes.py), {machine()}; {args.conversations} conversations, saturated for "
        f"{args.seconds:g} s a run, the two servers in turns.\n\n"
        "The relay's floor against the same floor built with the app's tasks (a pump per socket, a batch "
        "task settling each sender's future, a customer's ack after its future, an agent's ack a task of "
        "its own), still with no database, no validation and no rate limit. If the tasks were what "
        "separates the app from its floor, the shaped floor would fall behind the floor here.\n\n"
        + "\n".join(rows) + "\n\n"
        f"Medians: floor {_median(runs['floor'], 'deliveries_per_s'):,.0f} deliveries/s at "
        f"{_median(runs['floor'], 'server_us_per_delivery'):g} us of server CPU each; shaped "
        f"{_median(runs['shaped'], 'deliveries_per_s'):,.0f} deliveries/s at "
        f"{_median(runs['shaped'], 'server_us_per_delivery'):g} us.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--idle", type=float, default=10.0, help="how long a missing message is waited for")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    args.profile = None
    began = time.monotonic()
    runs = asyncio.run(_runs(args))
    section = _section(runs, args)
    print(section)
    if args.no_write:
        return
    figures = [figure("shaped floor: saturated deliveries/s (median)", _median(runs["shaped"], "deliveries_per_s"),
                      "deliveries/s", _median(runs["floor"], "deliveries_per_s")),
               figure("shaped floor: server CPU per delivery (median)",
                      _median(runs["shaped"], "server_us_per_delivery"), "us",
                      _median(runs["floor"], "server_us_per_delivery"))]
    write_results("relay-shapes", results("bench.relay.shapes", began, figures, runs=runs,
                                          conversations=args.conversations, seconds=args.seconds))
    write_section("relay-shapes", section)


if __name__ == "__main__":
    main()
