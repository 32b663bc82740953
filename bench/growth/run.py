"""Growth: the app's memory (RSS) and its database's size after 100,000 relayed customer <-> agent
messages, against the same figures before them, and the reconnect of a customer with `last_seq=0` to
a conversation of 10,000 messages, against reading the same messages over the widget's HTTP history,
in the same run.

    python -m bench.growth.run [--messages 100000] [--conversations 10] [--no-write]

The relay's load (bench/relay: its set-up of conversations with a customer and an agent on each, and
its closed loop, each side sending its next message as soon as the last one reached the other side)
on one app instance (uvicorn, SQLite, in-process broker, no Rasa), in windows until --messages have
been delivered; the RSS and the database files' size (with the WAL) after each window. With the
default 10 conversations each holds a tenth of the messages: 10,000 at the default size. Then the
first conversation's history is read over HTTP (pages of 1,000: the baseline) and its customer
reconnects with `last_seq=0`, timed from the connect to the `message` frame with its last seq (every
message delivered, counted), REPS times each, alternating. Writes docs/results/growth.json, its
section of docs/benchmarks.md and docs/plots/growth.svg.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

from bench.plot import bars
from bench.relay.load import AGENT, CUSTOMER, Chat, Load
from bench.relay.run import _app_env
from bench.relay.targets import app_target
from bench.report import figure, rss_bytes, write_results, write_section
from bench.report import results as report_results
from devstack.stack import StackConfig, app_service, free_port

MIB = 1 << 20
FIRST_WINDOW_S = 10.0
MAX_WINDOW_S = 120.0
IDLE_S = 10.0
REPS = 3


class Growth(Load):
    """The relay's closed loop, run in as many windows as it takes, each with ids of its own."""

    async def window(self, key: str, seconds: float) -> dict[str, Any]:
        mode = self._begin(key, seconds, closed_loop=True)
        for chat in range(len(self.target.chats)):
            for side in (CUSTOMER, AGENT):
                self._send(mode, side, chat, time.perf_counter())
        await asyncio.sleep(max(0.0, mode.stop_at - time.perf_counter()))  # the window's length
        return await self._end(mode, IDLE_S)


def _db_bytes(path: Path) -> int:
    """The database's size as SQLite sees it (its pages, those still in the WAL included), read-only:
    the files on disk also hold the WAL's copies of pages until a checkpoint."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    return int((pages - free) * size)


def _files_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())


async def _history(base_url: str, chat: Chat) -> tuple[float, list[int]]:
    """Every message of the conversation over HTTP, page by page: the seconds and the seqs."""
    seqs: list[int] = []
    after = 0
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base_url, timeout=120) as http:
        while True:
            resp = await http.get(f"/api/widget/conversations/{chat.conversation_id}/messages",
                                  params={"after_seq": after}, headers={"X-Conversation-Token": chat.token})
            resp.raise_for_status()
            seqs += [int(m["seq"]) for m in resp.json()]
            after = int(resp.headers["X-Next-After-Seq"])
            if resp.headers.get("X-Has-More") != "true":
                return time.perf_counter() - started, seqs


async def _catch_up(ws_url: str, chat: Chat, last: int) -> tuple[float, int]:
    """A reconnect from nothing: the seconds to the last seq's message frame, and the messages it got."""
    started = time.perf_counter()
    got = 0
    async with websockets.connect(f"{ws_url}/ws/customer/{chat.conversation_id}?last_seq=0", ping_interval=None,
                                  max_size=1 << 22, open_timeout=60) as ws:
        await ws.send(json.dumps({"type": "auth", "token": chat.token}))
        async with asyncio.timeout(600):
            while True:
                frame = json.loads(await ws.recv())
                if frame.get("type") == "message":
                    got += 1
                    if int(frame["message"]["seq"]) >= last:
                        return time.perf_counter() - started, got


async def _measure(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    db = work / "growth.db"
    port = free_port()
    config = StackConfig(model=Path("none"), app_venv=Path(sys.prefix), bot_venv=Path(sys.prefix),
                         log_dir=work / "logs", database_url="")
    app = app_service(config, port=port, database_url=f"sqlite+aiosqlite:///{db}", name="app-growth",
                      env=_app_env(args.conversations))
    app.start()
    try:
        await asyncio.to_thread(app.wait_healthy, 180)
        assert app.process is not None
        pid, base_url = app.process.pid, f"http://127.0.0.1:{port}"
        target = await app_target(base_url, args.conversations)
        load = Growth(target, lambda: 0.0)
        await load.connect()
        points = [{"messages": 0, "rss_mib": round(rss_bytes(pid) / MIB, 1),
                   "db_mib": round(_db_bytes(db) / MIB, 2)}]
        delivered, sent, missing, rate = 0, 0, 0, 0.0
        windows: list[dict[str, Any]] = []
        started = time.perf_counter()
        try:
            while delivered < args.messages:
                seconds = FIRST_WINDOW_S if not rate else min(MAX_WINDOW_S, max(1.0, (args.messages - delivered)
                                                                                / rate))
                w = await load.window(f"g{len(windows)}", seconds)
                delivered, sent, missing = delivered + w["delivered"], sent + w["sent"], missing + w["missing"]
                rate = max(1.0, w["delivered"] / seconds)
                windows.append({k: w[k] for k in ("seconds", "sent", "delivered", "deliveries_per_s", "missing",
                                                  "duplicated", "out_of_order", "latency_ms")})
                points.append({"messages": delivered, "rss_mib": round(rss_bytes(pid) / MIB, 1),
                               "db_mib": round(_db_bytes(db) / MIB, 2)})
                print(f"    {points[-1]}, {w['deliveries_per_s']} deliveries/s", flush=True)
        finally:
            await load.close()
        relay_s = time.perf_counter() - started
        chat = target.chats[0]
        http_s: list[float] = []
        ws_s: list[float] = []
        counts: set[int] = set()
        for _ in range(REPS):
            took, seqs = await _history(base_url, chat)
            http_s.append(took)
            took, got = await _catch_up(base_url.replace("http", "ws", 1), chat, max(seqs))
            ws_s.append(took)
            counts.add(got)
            if got != len(seqs):
                raise RuntimeError(f"the catch-up delivered {got} messages, the history has {len(seqs)}")
        return {"messages": args.messages, "conversations": args.conversations, "delivered": delivered,
                "sent": sent, "missing": missing, "relay_s": round(relay_s, 1), "points": points,
                "windows": windows, "catch_up_messages": len(seqs),
                "catch_up_s": round(statistics.median(ws_s), 3), "history_s": round(statistics.median(http_s), 3),
                "catch_up_all_s": [round(x, 3) for x in ws_s], "history_all_s": [round(x, 3) for x in http_s],
                "rss_after_idle_mib": round(rss_bytes(pid) / MIB, 1),
                "files_mib": round(_files_bytes(db) / MIB, 2)}
    finally:
        app.stop()


def _figures(m: dict[str, Any]) -> list[dict[str, Any]]:
    first, last = m["points"][0], m["points"][-1]
    per_message = (last["db_mib"] - first["db_mib"]) * MIB / max(1, m["delivered"])
    return [figure("growth.rss", last["rss_mib"], "MiB", first["rss_mib"]),
            figure("growth.db_size", last["db_mib"], "MiB", first["db_mib"]),
            figure("growth.db_bytes_per_message", round(per_message, 1), "bytes", None),
            figure("growth.catch_up", m["catch_up_s"], "s", m["history_s"])]


def _report(results: dict[str, Any]) -> str:
    m = results["measured"]
    first, last = m["points"][0], m["points"][-1]
    per_message = (last["db_mib"] - first["db_mib"]) * MIB / max(1, m["delivered"])
    rows = ["| messages relayed | app RSS (MiB) | database (MiB, its pages in use) |", "|---|---|---|"]
    rows += [f"| {p['messages']:,} | {p['rss_mib']} | {p['db_mib']} |" for p in m["points"]]
    size = ("" if m["messages"] == 100_000 else
            f" Run at {m['messages']:,} messages, not the issue's 100,000: the relay delivers "
            f"{m['delivered'] / max(1e-9, m['relay_s']):.0f} messages/s on this machine.")
    return (
        "## Growth: memory and database after many relayed messages, and a catch-up from nothing\n\n"
        f"`make bench-growth` (bench/growth/run.py), {results['generated']}, {results['machine']}, "
        f"`{results['command']}`. The relay's load (bench/relay: {m['conversations']} conversations, each a "
        "customer's socket and an agent's console, a closed loop) on one app instance (uvicorn, SQLite, in-process "
        f"broker, no Rasa), in windows until {m['messages']:,} messages were delivered: {m['delivered']:,} in "
        f"{m['relay_s']} s ({m['missing']} missing). The baseline of each figure is the same app before the "
        f"messages (its conversations set up, every socket open).{size}\n\n"
        + "\n".join(rows) + "\n\n"
        f"The database grew {per_message:,.0f} bytes a message (the message row and its indexes; the files on disk, "
        f"with the WAL, {m['files_mib']} MiB at the end); RSS {last['rss_mib'] - first['rss_mib']:+.1f} MiB over the "
        f"run ({m['rss_after_idle_mib']} MiB after the catch-ups).\n\n"
        f"Reconnect with `last_seq=0` to the first conversation ({m['catch_up_messages']:,} messages the customer "
        f"sees): **{m['catch_up_s']} s** from the connect to the frame of its last message, every message "
        f"delivered once; the baseline, the same messages over the widget's HTTP history (pages of 1,000): "
        f"{m['history_s']} s (medians of {REPS}, alternating).\n\n![Growth](plots/growth.svg)\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100_000, help="relayed messages to deliver")
    parser.add_argument("--conversations", type=int, default=10)
    parser.add_argument("--no-write", action="store_true", help="print the section, write nothing")
    args = parser.parse_args()
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="shopbot-bench-growth-"))  # kept: the app's log, for a figure to explain
    print(f"==> logs in {work / 'logs'}", flush=True)
    measured = asyncio.run(_measure(args, work))
    for db in work.glob("growth.db*"):
        db.unlink()
    results = report_results("bench.growth.run", started, _figures(measured), measured=measured)
    section = _report(results)
    if not args.no_write:
        write_results("growth", results)
        points = measured["points"]
        bars("growth", "App RSS and database size by messages relayed", [f"{p['messages']:,}" for p in points],
             {"app RSS (MiB)": [p["rss_mib"] for p in points], "database (MiB)": [p["db_mib"] for p in points]},
             "MiB", "messages relayed")
        write_section("growth", section)
    print(section)


if __name__ == "__main__":
    main()
