"""Idle connections: 10,000 customers' websockets open on one app instance, the app's memory (RSS) per
connection against the bare floor's (bench/relay/floor.py: FastAPI + uvicorn websockets and nothing
else) with the same sockets, and bot turns answered while they are open against the same turns
without them, in the same run.

    python -m bench.idle.run --model MODEL [--sockets 10000] [--turns 40] [--no-write]

The floor first: its RSS with no socket, then with every socket open (each authenticated, `hello`
received). Then the whole stack: the conversations are created over HTTP (the widget's
`POST /api/widget/conversations`; the bench lifts the per-address limit, as every socket comes from
this one address), one conversation talks to the bot (--turns turns, each timed from the message to
its `turn` frame, with the same messages posted straight to Rasa beside them), every conversation's
socket is opened, the app's RSS is read, and the same turns are taken again. Sockets are opened with
permessage-deflate offered, as browsers do; both servers decline it (devstack's UVICORN_WS_ARGS).
Writes docs/results/idle.json, its section of docs/benchmarks.md and docs/plots/idle.svg.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

from bench.latency import turns as t
from bench.plot import bars
from bench.relay.floor import floor_service
from bench.report import cpu_seconds, figure, rss_bytes, write_results, write_section
from bench.report import results as report_results
from devstack.clients import Customer
from devstack.stack import Stack, free_port

OPEN_PARALLEL = 64
CREATE_PARALLEL = 32
CREATE_ATTEMPTS = 3
SETTLE_S = 3.0  # after the last socket's hello, before RSS is read: the allocator's and the GC's moment
IDLE_CPU_S = 20.0  # the server's CPU is read over this long with nothing asked of it (a keepalive ping's period)
TARGET_BYTES = 1 << 30
MIB = 1 << 20


def _raise_fd_limit(sockets: int) -> None:
    """This process holds every client socket; the servers it starts inherit the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = sockets + 1024
    if hard != resource.RLIM_INFINITY and hard < want:
        raise SystemExit(f"the hard limit on open files is {hard}: {sockets} sockets need {want} (ulimit -Hn)")
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want if hard == resource.RLIM_INFINITY else hard, hard))


async def _open_all(ws_url: str, chats: list[tuple[str, str]]) -> tuple[list[websockets.ClientConnection], int]:
    """Every chat's customer socket, authenticated, to its hello; the sockets and the number that failed."""
    gate = asyncio.Semaphore(OPEN_PARALLEL)
    failed = 0

    async def one(conversation_id: str, token: str) -> websockets.ClientConnection | None:
        nonlocal failed
        async with gate:
            try:
                # No client pings (a browser sends none); the server's keepalive still runs. Deflate
                # offered, as a browser does.
                ws = await websockets.connect(f"{ws_url}/ws/customer/{conversation_id}?last_seq=0",
                                              ping_interval=None, open_timeout=120, compression="deflate")
                await ws.send(json.dumps({"type": "auth", "token": token}))
                async with asyncio.timeout(120):
                    while json.loads(await ws.recv()).get("type") != "hello":
                        pass
                return ws
            except (OSError, TimeoutError, websockets.WebSocketException):
                failed += 1
                return None

    opened = await asyncio.gather(*(one(cid, token) for cid, token in chats))
    return [ws for ws in opened if ws is not None], failed


async def _close_all(sockets: list[websockets.ClientConnection]) -> None:
    gate = asyncio.Semaphore(OPEN_PARALLEL)

    async def one(ws: websockets.ClientConnection) -> None:
        async with gate:
            with contextlib.suppress(OSError, TimeoutError, websockets.WebSocketException):
                await asyncio.wait_for(ws.close(), 10)

    await asyncio.gather(*(one(ws) for ws in sockets))


async def _idle_cpu(pid: int, seconds: float) -> float:
    """The server's CPU (cores) over `seconds` while nobody asks anything of it."""
    cpu, started = cpu_seconds(pid), time.perf_counter()
    await asyncio.sleep(seconds)  # the window measured, not a wait for something
    return round((cpu_seconds(pid) - cpu) / (time.perf_counter() - started), 3)


async def _held(pid: int, ws_url: str, chats: list[tuple[str, str]], idle_s: float) -> dict[str, Any]:
    """RSS and idle CPU before, sockets opened, RSS and idle CPU with them; the sockets stay open for the caller."""
    before, cpu_before = rss_bytes(pid), await _idle_cpu(pid, idle_s)
    started = time.perf_counter()
    sockets, failed = await _open_all(ws_url, chats)
    took = time.perf_counter() - started
    await asyncio.sleep(SETTLE_S)
    after, cpu_open = rss_bytes(pid), await _idle_cpu(pid, idle_s)
    return {"idle_cpu_before": cpu_before, "idle_cpu_open": cpu_open, "idle_cpu_s": idle_s,
            "rss_before_mib": round(before / MIB, 1), "rss_open_mib": round(after / MIB, 1),
            "per_socket_kib": round((after - before) / max(1, len(sockets)) / 1024, 2), "open": len(sockets),
            "failed": failed, "open_s": round(took, 1), "_sockets": sockets}


async def _floor(n: int, logs: Path, idle_s: float) -> dict[str, Any]:
    port = free_port()
    service = floor_service(Path(sys.prefix) / "bin" / "python", port, logs)
    service.start()
    try:
        await asyncio.to_thread(service.wait_healthy, 60)
        assert service.process is not None
        held = await _held(service.process.pid, f"ws://127.0.0.1:{port}", [(f"floor{i}", "floor") for i in range(n)],
                           idle_s)
        await _close_all(held.pop("_sockets"))
        return held
    finally:
        service.stop()


async def _create(base_url: str, n: int) -> tuple[list[tuple[str, str]], int]:
    """n conversations over HTTP, and how many requests had to be sent again (a connection the server
    closed as the request went out, as a keep-alive connection may be: a browser sends it again too)."""
    gate = asyncio.Semaphore(CREATE_PARALLEL)
    retried = 0
    async with httpx.AsyncClient(base_url=base_url, timeout=60,
                                 limits=httpx.Limits(max_connections=CREATE_PARALLEL)) as http:
        async def one() -> tuple[str, str]:
            nonlocal retried
            async with gate:
                for attempt in range(CREATE_ATTEMPTS):
                    try:
                        resp = await http.post("/api/widget/conversations",
                                               json={"locale": "en", "customer_token": None})
                        break
                    except httpx.TransportError:
                        if attempt == CREATE_ATTEMPTS - 1:
                            raise
                        retried += 1
                resp.raise_for_status()
                body = resp.json()
                return str(body["conversation_id"]), str(body["token"])

        return list(await asyncio.gather(*(one() for _ in range(n)))), retried


async def _turns(stack: Stack, customer: Customer, n: int) -> dict[str, Any]:
    """n turns through the app, one at a time, and n straight to Rasa beside them (alternating)."""
    app: list[float] = []
    base: list[float] = []
    sender = t.senders(1)[0]
    texts = list(t.MESSAGES.values())
    async with httpx.AsyncClient(base_url=stack.config.rasa_url, timeout=60) as rasa:
        for i in range(n):
            base.append(await t.rasa_turn(rasa, sender, texts[i % len(texts)]))
            app.append(await t.app_turn(customer, texts[i % len(texts)]))
    return {"app": t.summary(app), "rasa": t.summary(base)}


async def _app(stack: Stack, n: int, turns: int, idle_s: float) -> dict[str, Any]:
    base_url = stack.config.app_url
    pid = stack.app.process.pid if stack.app.process else 0
    customer = await Customer(base_url).start()
    await t.app_turns([customer], t.MESSAGES["action"], 5)  # warm-up
    started = time.perf_counter()
    chats, retried = await _create(base_url, n)
    created_s = time.perf_counter() - started
    without = await _turns(stack, customer, turns)
    held = await _held(pid, base_url.replace("http", "ws", 1), chats, idle_s)
    sockets = held.pop("_sockets")
    try:
        with_open = await _turns(stack, customer, turns)
        still_open = sum(ws.close_code is None for ws in sockets)
    finally:
        await customer.ws.close()
        await _close_all(sockets)
    return {**held, "create_s": round(created_s, 1), "create_retried": retried, "still_open_after_turns": still_open,
            "turns_without": without, "turns_with": with_open}


def _figures(m: dict[str, Any]) -> list[dict[str, Any]]:
    app, floor = m["app"], m["floor"]
    return [
        figure("idle.rss_open", app["rss_open_mib"], "MiB", floor["rss_open_mib"]),
        figure("idle.rss_per_socket", app["per_socket_kib"], "KiB", floor["per_socket_kib"]),
        *(figure(f"idle.turn_with_sockets.{q}", app["turns_with"]["app"][f"{q}_ms"], "ms",
                 app["turns_without"]["app"][f"{q}_ms"]) for q in ("p50", "p99")),
        *(figure(f"idle.rasa_turn_with_sockets.{q}", app["turns_with"]["rasa"][f"{q}_ms"], "ms",
                 app["turns_without"]["rasa"][f"{q}_ms"]) for q in ("p50", "p99")),
    ]


def _report(results: dict[str, Any]) -> str:
    m = results["measured"]
    app, floor = m["app"], m["floor"]
    rss_met = app["rss_open_mib"] * MIB <= TARGET_BYTES and app["open"] == m["sockets"]
    w, wo = app["turns_with"], app["turns_without"]
    rows = ["| figure | floor | app |", "|---|---|---|",
            f"| sockets open (of {m['sockets']}) / failed | {floor['open']} / {floor['failed']} | {app['open']} / "
            f"{app['failed']} |",
            f"| time to open them all (s, {OPEN_PARALLEL} at a time) | {floor['open_s']} | {app['open_s']} |",
            f"| RSS before (MiB) | {floor['rss_before_mib']} | {app['rss_before_mib']} |",
            f"| RSS with the sockets open (MiB) | {floor['rss_open_mib']} | {app['rss_open_mib']} |",
            f"| RSS per socket (KiB) | {floor['per_socket_kib']} | {app['per_socket_kib']} |"]
    if "idle_cpu_open" in app:
        window = app.get("idle_cpu_s", IDLE_CPU_S)
        rows.append(f"| server CPU idle, before / with the sockets (cores, over {window:g} s) | "
                    f"{floor['idle_cpu_before']} / {floor['idle_cpu_open']} | {app['idle_cpu_before']} / "
                    f"{app['idle_cpu_open']} |")
    turns = ["| bot turn (ms) | without the sockets p50 / p99 | with them p50 / p99 |", "|---|---|---|",
             f"| through the app | {wo['app']['p50_ms']} / {wo['app']['p99_ms']} | {w['app']['p50_ms']} / "
             f"{w['app']['p99_ms']} |",
             f"| straight to Rasa (control) | {wo['rasa']['p50_ms']} / {wo['rasa']['p99_ms']} | "
             f"{w['rasa']['p50_ms']} / {w['rasa']['p99_ms']} |"]
    return (
        "## Idle connections on one app instance\n\n"
        f"`make bench-idle` (bench/idle/run.py), {results['generated']}, {results['machine']}, "
        f"`{results['command']}`. {m['sockets']:,} customers' websockets (each authenticated, `hello` received, "
        "permessage-deflate offered as browsers do, and declined by both servers) held open on one app process "
        "(uvicorn, SQLite, in-process "
        "broker, the whole stack running beside it), and the same number on the floor (bench/relay/floor.py, a "
        "bare FastAPI + uvicorn websocket server), in the same run; RSS of the server's process "
        f"(/proc/PID/status), read {SETTLE_S:g} s after the last socket's hello. The app's conversations were "
        f"created over HTTP first ({app['create_s']} s for {m['sockets']:,}). Then {m['turns']} bot turns on "
        "one conversation (the two messages of the latency bench in turn, each timed to its `turn` frame), "
        "without the idle sockets and with them, and the same messages straight to Rasa as a control.\n\n"
        + "\n".join(rows) + "\n\n" + "\n".join(turns) + "\n\n"
        f"Target (issue 13): at most 1 GiB for {m['sockets']:,} sockets: {'met' if rss_met else 'not met'} "
        f"({app['rss_open_mib']:,.1f} MiB in all, {app['per_socket_kib']} KiB a socket against the floor's "
        f"{floor['per_socket_kib']}); {app['still_open_after_turns']:,} sockets still open after the turns. "
        f"The app keeps {app['per_socket_kib'] - floor['per_socket_kib']:.1f} KiB a socket more than the floor (its "
        "session, subscription, queue and tasks). Until 2026-12-07 both servers accepted permessage-deflate, whose "
        "zlib state cost about 41 KiB a socket (measured on the floor with and without it): 1,107 MiB for the app's "
        "10,000 sockets then.\n\n"
        "![Idle connections](plots/idle.svg)\n")


async def _run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    print(f"==> floor, {args.sockets} sockets", flush=True)
    floor = await _floor(args.sockets, work / "logs", args.idle_cpu_s)
    print(f"    {floor}", flush=True)
    stack = t.bench_stack(args.model, work)
    await asyncio.to_thread(stack.start, 300, True)
    try:
        print(f"==> app, {args.sockets} sockets", flush=True)
        app = await _app(stack, args.sockets, args.turns, args.idle_cpu_s)
        print(f"    {app}", flush=True)
    finally:
        stack.stop()
    return {"sockets": args.sockets, "turns": args.turns, "floor": floor, "app": app}


def _plot(m: dict[str, Any]) -> None:
    app, floor = m["app"], m["floor"]
    bars("idle", f"Server RSS with {m['sockets']:,} idle customer sockets", ["before", "sockets open"],
         {"floor": [floor["rss_before_mib"], floor["rss_open_mib"]],
          "app": [app["rss_before_mib"], app["rss_open_mib"]]}, "MiB",
         marks={"target: 1 GiB": TARGET_BYTES / MIB})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--sockets", type=int, default=10_000)
    parser.add_argument("--turns", type=int, default=40, help="bot turns without and with the sockets open")
    parser.add_argument("--idle-cpu-s", type=float, default=IDLE_CPU_S,
                        help="how long the idle server's CPU is read, before and with the sockets open")
    parser.add_argument("--no-write", action="store_true", help="print the section, write nothing")
    args = parser.parse_args()
    _raise_fd_limit(args.sockets)
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="shopbot-bench-idle-"))  # kept: the processes' logs
    print(f"==> logs in {work / 'logs'}", flush=True)
    measured = asyncio.run(_run(args, work))
    for db in [*work.glob("app.db*"), *work.glob("rasa-trackers.db*")]:
        db.unlink()
    results = report_results("bench.idle.run", started, _figures(measured), measured=measured)
    section = _report(results)
    if not args.no_write:
        write_results("idle", results)
        _plot(measured)
        write_section("idle", section)
    print(section)


if __name__ == "__main__":
    main()
