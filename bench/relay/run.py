"""Agent relay (customer <-> agent, no bot) on one app instance, against its floor: a bare FastAPI +
uvicorn websocket relay with no database (bench/relay/floor.py), driven by the same client
(bench/relay/load.py) with the same N, in the same run.

    python -m bench.relay.run [--conversations 100] [--seconds 20] [--postgres] [--no-write]

Each of N conversations has a customer's socket and one of N/20 agents' consoles. Two modes, one after
the other on the same sockets: saturated (a closed loop: each side sends its next message once its
previous one reached the other side) and offered (every customer one message a second). The app runs
on SQLite and, with --postgres, again on a fresh PostgreSQL database (127.0.0.1:5432). Writes
docs/results/relay.json and its section of docs/benchmarks.md (--no-write: prints it only).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.relay.floor import floor_service
from bench.relay.load import CHATS_PER_CONSOLE, SIDES, Load, Target
from bench.relay.targets import app_target, floor_target, team
from bench.report import write_results, write_section
from devstack.faults.processes import NO_RATE_LIMITS, database_url, fresh_database
from devstack.stack import Service, StackConfig, app_service, free_port

DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
# (mode, key in its figures, unit, label)
FIGURES = [
    ("saturated", "deliveries_per_s", "deliveries/s", "saturated: deliveries/s"),
    ("saturated", "p50", "ms", "saturated: delivery p50 (ms)"),
    ("saturated", "p99", "ms", "saturated: delivery p99 (ms)"),
    ("offered", "deliveries_per_s", "deliveries/s", "offered: deliveries/s"),
    ("offered", "p50", "ms", "offered: delivery p50 (ms)"),
    ("offered", "p99", "ms", "offered: delivery p99 (ms)"),
    ("offered", "duplicated", "messages", "offered: duplicated"),
    ("offered", "missing", "messages", "offered: missing"),
    ("offered", "out_of_order", "messages", "offered: out of order"),
]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (/proc/PID/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _app_env(conversations: int) -> dict[str, str]:
    return {
        **NO_RATE_LIMITS,  # every client comes from one address
        "SHOPBOT_DEMO_MODE": "true",
        "SHOPBOT_DEMO_AGENTS": ",".join(f"{name}:{password}:agent:orders+billing:en:{CHATS_PER_CONSOLE}"
                                        for name, password in team(conversations)),
        "SHOPBOT_SUPPORT_HOURS": "always",
        "SHOPBOT_ROUTING": "pooled",  # the agents claim their chats (targets.py), as the fault scenarios do
        # No chat goes back to the line while the set-up and the modes take their time (the agents
        # never say they are online, so the default grace would re-offer a chat 30 s after its claim).
        "SHOPBOT_ANSWER_TIMEOUT_S": "86400",
        "SHOPBOT_PRESENCE_GRACE_S": "86400",
        # No Rasa: nothing listens there, so a customer asking for a person is handed off at once.
        "SHOPBOT_RASA_URL": f"http://127.0.0.1:{free_port()}",
        "SHOPBOT_LIVE_MODEL": "",
        "SHOPBOT_RASA_BIN": "",
        # Agent assist off: with no Rasa its NLU call for each customer message could only fail (and
        # log a warning); what it costs with a Rasa is Rasa's time, not the relay's.
        "SHOPBOT_ASSIST_MAX_PENDING": "0",
        "SHOPBOT_TODAY": "as_of",
    }


async def _started(service: Service, timeout: float) -> Service:
    service.start()
    try:
        await asyncio.to_thread(service.wait_healthy, timeout)
    except BaseException:
        service.stop()
        raise
    return service


async def _measure(target: Target, pid: int, args: argparse.Namespace, profiled: bool = False) -> dict[str, Any]:
    """profiled: the server is bench/relay/profiled.py, told when each mode begins and ends."""
    load = Load(target, lambda: _cpu_seconds(pid))
    started = time.perf_counter()
    await load.connect()
    connected = time.perf_counter() - started

    def tell(signum: int) -> None:
        if profiled:
            os.kill(pid, signum)

    try:
        tell(signal.SIGUSR1)
        saturated = await load.saturated(args.seconds, args.idle)
        print(f"    saturated: {_line(saturated)}", flush=True)
        tell(signal.SIGUSR1)
        offered = await load.offered(args.seconds, args.idle)
        tell(signal.SIGUSR2)
        print(f"    offered:   {_line(offered)}", flush=True)
    finally:
        await load.close()
    return {"connect_s": round(connected, 1), "saturated": saturated, "offered": offered}


def _line(f: dict[str, Any]) -> str:
    return (f"{f['deliveries_per_s']} deliveries/s, p50 {f['latency_ms']['p50']} ms, p99 {f['latency_ms']['p99']} ms, "
            f"sent {f['sent']}, missing {f['missing']}, duplicated {f['duplicated']}, "
            f"out of order {f['out_of_order']}, server CPU {f['server_cpu']}, client CPU {f['client_cpu']}")


@contextlib.contextmanager
def _database(kind: str, work: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{work}/relay.db"
    else:
        with fresh_database("shopbot_bench_relay") as name:
            yield database_url(name)


async def _run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    python = Path(sys.prefix) / "bin" / "python"
    logs = work / "logs"
    runs: dict[str, Any] = {}
    print(f"==> floor, {args.conversations} conversations", flush=True)
    port = free_port()
    floor = await _started(floor_service(python, port, logs), 60)
    try:
        assert floor.process is not None
        runs["floor"] = await _measure(floor_target(f"http://127.0.0.1:{port}", args.conversations),
                                       floor.process.pid, args)
    finally:
        floor.stop()
    # Rasa is never started: the config's model and bot environment are not used.
    config = StackConfig(model=Path("none"), app_venv=Path(sys.prefix), bot_venv=Path(sys.prefix), log_dir=logs,
                         database_url="")
    for kind in ["sqlite", *(["postgres"] if args.postgres else [])]:
        print(f"==> app on {DATABASES[kind]}, {args.conversations} conversations", flush=True)
        with _database(kind, work) as url:
            port = free_port()
            began = time.perf_counter()
            service = app_service(config, port=port, database_url=url, name=f"app-{kind}",
                                  env=_app_env(args.conversations))
            if args.profile:  # the app's main thread under cProfile (bench/relay/profiled.py)
                args.profile.mkdir(parents=True, exist_ok=True)
                python_bin, _, _, *uvicorn_args = service.argv  # PYTHON -m uvicorn ARGS...
                service.argv = [python_bin, "-m", "bench.relay.profiled", str(args.profile / f"app-{kind}.prof"),
                                *uvicorn_args]
            app = await _started(service, 180)
            try:
                assert app.process is not None
                up = time.perf_counter()
                target = await app_target(f"http://127.0.0.1:{port}", args.conversations)
                set_up = time.perf_counter()
                runs[kind] = await _measure(target, app.process.pid, args, profiled=args.profile is not None)
                runs[kind].update(start_s=round(up - began, 1), setup_s=round(set_up - up, 1))
            finally:
                app.stop()
    return runs


def _value(run: dict[str, Any], mode: str, key: str) -> float | int | None:
    figures = run[mode]
    value = figures["latency_ms"][key] if key in ("p50", "p99") else figures[key]
    return value if value is None else float(value) if isinstance(value, float) else int(value)


def _ratio(value: float | int | None, baseline: float | int | None) -> float | None:
    return round(value / baseline, 4) if value is not None and baseline else None


def _figures(runs: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for kind in (k for k in DATABASES if k in runs):
        for mode, key, unit, _ in FIGURES:
            value, baseline = _value(runs[kind], mode, key), _value(runs["floor"], mode, key)
            name = f"delivery_{key}" if key in ("p50", "p99") else key
            out.append({"name": f"relay.{kind}.{mode}.{name}", "value": value, "unit": unit, "baseline": baseline,
                        "ratio": _ratio(value, baseline) if unit != "messages" else None})
    return out


def _cell(value: float | int | None, baseline: float | int | None = None, ratio: bool = False) -> str:
    if value is None:
        return "-"
    text = f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"
    r = _ratio(value, baseline) if ratio else None
    return f"{text} ({r:.3g}x)" if r is not None else text


def _report(results: dict[str, Any]) -> str:
    runs, n, seconds, agents = results["runs"], results["conversations"], results["seconds"], results["agents"]
    kinds = [k for k in DATABASES if k in runs]
    floor = runs["floor"]
    rows = ["| figure | floor | " + " | ".join(f"app on {DATABASES[k]} (app/floor)" for k in kinds) + " |",
            "|---|---|" + "---|" * len(kinds)]
    for mode, key, unit, label in FIGURES:
        base = _value(floor, mode, key)
        rows.append(f"| {label} | {_cell(base)} | " + " | ".join(
            _cell(_value(runs[k], mode, key), base, ratio=unit != "messages") for k in kinds) + " |")
        if (mode, key) == ("saturated", "p99"):
            rows.append("| saturated: delivery p99 from the customer / from the agent (ms) | " + " | ".join(
                " / ".join(_cell(r["saturated"]["latency_by_sender_ms"][side]["p99"]) for side in SIDES)
                for r in [floor, *(runs[k] for k in kinds)]) + " |")
    for who, whose in (("server", "the app's or the floor's process"), ("client", "the client's process")):
        rows.append(f"| {who} CPU, saturated / offered (cores: {whose}) | "
                    + " | ".join(f"{r['saturated'][f'{who}_cpu']} / {r['offered'][f'{who}_cpu']}"
                                 for r in [floor, *(runs[k] for k in kinds)]) + " |")
    met = []
    for k in kinds:
        ratio = _ratio(_value(runs[k], "saturated", "deliveries_per_s"), _value(floor, "saturated",
                                                                                 "deliveries_per_s"))
        offered = runs[k]["offered"]
        once = offered["duplicated"] == offered["missing"] == offered["out_of_order"] == 0
        p99 = offered["latency_ms"]["p99"]
        met.append(f"{DATABASES[k]}: saturated {'-' if ratio is None else f'{ratio:.3g}'}x the floor "
                   f"({'met' if ratio is not None and ratio >= 0.6 else 'not met'}); offered p99 {p99} ms "
                   f"({'within' if p99 is not None and p99 <= 50 else 'over'} 50 ms), "
                   f"{'every message exactly once and in order' if once else 'NOT exactly once and in order'}")
    notes = []
    for name, run in [("floor", floor), *((f"app on {DATABASES[k]}", runs[k]) for k in kinds)]:
        for mode in ("saturated", "offered"):
            f = run[mode]
            if f["errors"] or f["sockets_closed"] or not f["drained"]:
                notes.append(f"- {name}, {mode}: error frames {f['errors'] or 'none'}, sockets closed (by close "
                             f"code) {f['sockets_closed'] or 'none'}, "
                             f"{'all delivered' if f['drained'] else 'some never delivered'} {f['drain_s']} s "
                             f"after the window ({f['sockets_open']} sockets open when it began)")
    return (
        f"## Agent relay against its floor\n\n`make bench-relay` (bench/relay/run.py), {results['generated']}, "
        f"{results['machine']}, `{results['command']}`. One app instance (uvicorn, in-process broker) on "
        + " and, in a second run, ".join(f"{DATABASES[k]}" + (" (a fresh database)" if k == "postgres" else "")
                                         for k in kinds)
        + "; no Rasa (the customer's request for a person is handed off at once, as when Rasa does not answer; "
        "agent assist off), rate limits off. "
        f"{n} conversations, each a customer's websocket and an agent's console ({agents} agent"
        f"{'s' if agents > 1 else ''}, up to {CHATS_PER_CONSOLE} chats on each console, the most an agent may "
        "have); permessage-deflate on, as browsers ask for it. The floor is a bare FastAPI + uvicorn websocket relay "
        "(bench/relay/floor.py: no database, no broker, seqs counted in memory, the same frames per message: "
        "the ack, the sender's echo, the other side's copy), driven by the same client (one process, "
        "bench/relay/load.py) with the same conversations, in the same run; client and server share the "
        "machine's cores.\n\n"
        f"- **saturated**: a closed loop for {seconds:g} s; each side of each conversation sends its next "
        "message as soon as its previous one reached the other side's socket. Deliveries per second in the "
        "window; latency from the send to the `message` frame on the other side's socket. A message refused "
        "with `overloaded` (the app sheds load) is sent again after `retry_after_s`, its latency counted from "
        "the first send.\n"
        f"- **offered**: every customer sends one message a second for {seconds:g} s ({n} messages/s in all), "
        "each at its own phase; latency from when the message was due. Every message frame is checked per "
        "socket: a seq that socket already had (duplicated), a seq below one it had (out of order), and "
        f"every message must reach the other side (missing: not arrived once none had for {results['idle_s']:g} s "
        "after the window).\n\n"
        + "\n".join(rows) + "\n\n"
        "Targets (issue 13): saturated at least 0.6x the floor; at an offered 1,000 conversations x 1 msg/s, "
        f"p99 at most 50 ms, every message exactly once and in order. Here, at {n} conversations: "
        + "; ".join(met) + ".\n" + ("\n" + "\n".join(notes) + "\n" if notes else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20.0, help="each mode's window")
    parser.add_argument("--idle", type=float, default=10.0,
                        help="after a window, a message not arrived once none has for this long is missing (s)")
    parser.add_argument("--postgres", action="store_true", help="the app on a fresh PostgreSQL database too")
    parser.add_argument("--no-write", action="store_true", help="print the section, write nothing")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="the app under cProfile in each mode: DIR/app-KIND.1.prof (saturated), .2.prof (offered); "
                        "its figures are slower")
    args = parser.parse_args()
    # Kept after the run: the processes' logs, for a figure that needs explaining.
    work = Path(tempfile.mkdtemp(prefix="shopbot-bench-relay-"))
    print(f"==> logs in {work / 'logs'}", flush=True)
    started = time.monotonic()
    runs = asyncio.run(_run(args, work))
    results = {
        "generated": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "command": " ".join(["python -m bench.relay.run", *sys.argv[1:]]),
        "conversations": args.conversations, "agents": len(team(args.conversations)), "seconds": args.seconds,
        "idle_s": args.idle,
        "run_s": round(time.monotonic() - started, 1),
        "figures": _figures(runs),
        "runs": runs,
    }
    section = _report(results)
    if not args.no_write:
        write_results("relay", results)
        write_section("relay", section)
    print(section)


if __name__ == "__main__":
    main()
