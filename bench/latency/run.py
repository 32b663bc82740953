"""End-to-end reply latency: customer websocket -> app -> Rasa (-> action server -> shop API) -> widget,
against the baseline of the same message posted straight to Rasa's REST channel, in the same run.

    python -m bench.latency.run --model MODEL [--n 60]

The ratio (through the app / straight to Rasa) is the cost of the handoff service on the bot's
path: persistence, sequence numbers, fan-out, language detection. Writes docs/results/latency.json
and the table in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from bench.report import write_results, write_section
from devstack.clients import Customer
from devstack.stack import ROOT, Stack, StackConfig, free_port

MESSAGES = {
    "greeting (a response)": "hello there",
    "payment methods (a custom action + shop API)": "which payment methods do you accept?",
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def through_app(base_url: str, text: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        customer = await Customer(base_url).start()
        started = time.perf_counter()
        await customer.ask(text, timeout=30)
        # ask() waits 0.3 s for further replies of the same turn; that wait is not latency.
        times.append((time.perf_counter() - started - 0.3) * 1000)
        await customer.ws.close()
    return times


async def straight_to_rasa(rasa_url: str, text: str, n: int) -> list[float]:
    times = []
    async with httpx.AsyncClient(base_url=rasa_url, timeout=30) as http:
        for _ in range(n):
            started = time.perf_counter()
            resp = await http.post("/webhooks/rest/webhook", json={"sender": uuid.uuid4().hex, "message": text})
            resp.raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
    return times


async def measure(stack: Stack, n: int) -> dict[str, Any]:
    results = {}
    for label, text in MESSAGES.items():
        await straight_to_rasa(stack.config.rasa_url, text, 5)  # warm-up
        base = await straight_to_rasa(stack.config.rasa_url, text, n)
        app = await through_app(stack.config.app_url, text, n)
        results[label] = {
            "n": n,
            "rasa_p50_ms": round(statistics.median(base), 1),
            "rasa_p95_ms": round(percentile(base, 0.95), 1),
            "app_p50_ms": round(statistics.median(app), 1),
            "app_p95_ms": round(percentile(app, 0.95), 1),
            "ratio_p50": round(statistics.median(app) / statistics.median(base), 2),
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--n", type=int, default=60)
    args = parser.parse_args()
    env = subprocess.run(
        ["bash", "-c", "source scripts/env.sh && echo $APP_VENV && echo $BOT_VENV"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    with tempfile.TemporaryDirectory() as tmp:
        stack = Stack(
            StackConfig(
                model=args.model,
                app_venv=Path(env[0]),
                bot_venv=Path(env[1]),
                log_dir=Path(tmp) / "logs",
                database_url=f"sqlite+aiosqlite:///{tmp}/bench.db",
                app_port=free_port(),
                rasa_port=free_port(),
                actions_port=free_port(),
                # Each measured message opens a conversation, all from this one address.
                app_env={"SHOPBOT_TODAY": "as_of", "SHOPBOT_CONVERSATION_RATE_PER_ADDRESS": "1000000/hour"},
            )
        )
        stack.start(timeout=300)
        try:
            results = asyncio.run(measure(stack, args.n))
        finally:
            stack.stop()
    write_results("latency", results)
    rows = [
        "| message | straight to Rasa p50 / p95 (ms) | through the app p50 / p95 (ms) | ratio (p50) |",
        "|---|---|---|---|",
    ]
    rows += [
        f"| {label} | {r['rasa_p50_ms']} / {r['rasa_p95_ms']} | {r['app_p50_ms']} / {r['app_p95_ms']} | "
        f"{r['ratio_p50']} |"
        for label, r in results.items()
    ]
    write_section("latency",
        "## Bot reply latency through the handoff service\n\n"
        "`make bench-latency` (bench/latency/run.py): the same message sent by a customer over the widget "
        "websocket (stored, sequenced, fanned out, language-detected, sent to Rasa, replies stored and "
        "pushed back) and posted straight to Rasa's REST channel, in the same run on the same stack, "
        f"{args.n} conversations each, SQLite, in-process broker, 2 cores.\n\n" + "\n".join(rows) + "\n"
    )
    print("\n".join(rows))


if __name__ == "__main__":
    main()
