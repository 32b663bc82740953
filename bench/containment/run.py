"""Containment benchmark: scripted customer conversations through the real stack.

    make containment            (or: python -m bench.containment.run --model MODEL --lang en)

Starts Rasa, the action server and the app on a fresh database, plays every opener in
bench/containment/openers_<lang>.yml as a customer (answering the bot's questions from the demo
shop), and classifies each conversation:

- resolved: a routine request the bot completed (checked in the shop's records or by the answer it chose)
- escalated_correctly: a must-escalate conversation that reached the agents' queue
- escalated_wrongly: a routine request that went to a person
- wrongly_answered: the bot answered but did not complete a routine request, or kept a
  must-escalate conversation to itself

Writes docs/containment-report.md and docs/results/containment.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from bench.containment.journeys import JOURNEYS, MUST_ESCALATE, ROUTINE, Case, Outcome
from devstack.clients import Customer
from devstack.stack import ROOT, Stack, StackConfig, free_port

MAX_TURNS = 7
DOCS = ROOT / "docs"


class Player:
    """Plays one conversation and reads back what happened."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        c = stack.config
        self.rasa = httpx.AsyncClient(base_url=c.rasa_url, params={"token": c.rasa_token}, timeout=30)
        self.shop = httpx.AsyncClient(base_url=f"{c.app_url}/api/shop", timeout=30,
                                      headers={"Authorization": f"Bearer {c.service_token}"})

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        return dict((await self.rasa.get(f"/conversations/{conversation_id}/tracker")).json())

    async def play(self, journey_name: str, opener: str, case: Case, language: str) -> dict[str, Any]:
        journey = JOURNEYS[journey_name]
        customer = await Customer(self.stack.config.app_url).start(locale=language)
        # {product}: the journey's product if it has one, else the first item of the order.
        values = {"product": case.order["items"][0]["name"], **case.values}
        said = [opener.format(order_id=case.order["order_id"], **values)]
        if journey_name == "gibberish":
            said.append(random.Random(opener).choice(["qwpoeiruty", "purple monkey dishwasher blorf",
                                                      "lkjh lkjh lkjh", "zzzxq vbn"]))
        queue = list(said)
        transcript: list[tuple[str, str]] = []
        escalated = False
        repeated = False
        for _ in range(MAX_TURNS):
            if not queue and journey.answers:
                queue.append(await self.next_answer(customer.conversation_id, journey, case))
                if not queue[-1] and not repeated and await self.not_understood(customer.conversation_id):
                    # Not understood: like most people, the customer says it once more.
                    queue[-1], repeated = said[0], True
                if not queue[-1]:
                    break
            if not queue:
                break
            text = queue.pop(0)
            replies = await customer.ask(text, timeout=60)
            transcript += [("customer", text), *(("bot", r) for r in replies)]
            # A person takes over: waiting in line, or (nobody there) a ticket answered later.
            if any(f["type"] == "state" and f["state"] in ("queued", "ticket") for f in customer.ws.frames):
                escalated = True
                break
        await customer.ws.close()
        tracker = await self.tracker(customer.conversation_id)
        responses = [(e.get("metadata") or {}).get("utter_action") for e in tracker.get("events", [])
                     if e.get("event") == "bot"]
        reason = tracker.get("slots", {}).get("handoff_reason")
        if escalated and reason is None:
            reason = next((f.get("reason") for f in customer.ws.frames if f["type"] == "state"), None)
        outcome = Outcome(escalated=escalated, reason=reason, responses=[r for r in responses if r],
                          texts=[t for who, t in transcript if who == "bot"], shop=await self.records(case),
                          language=language)
        return {"journey": journey_name, "language": language, "kind": journey.kind, "opener": said[0],
                "order_id": case.order["order_id"],
                "escalated": escalated, "reason": reason, "responses": outcome.responses,
                "result": classify(journey_name, case, outcome), "transcript": transcript}

    async def not_understood(self, conversation_id: str) -> bool:
        """The bot's last answer was a request to rephrase (or an "I can't help with that")."""
        events = (await self.tracker(conversation_id)).get("events", [])
        last = next((e for e in reversed(events) if e.get("event") == "bot"), {})
        return (last.get("metadata") or {}).get("utter_action") in ("utter_default", "utter_out_of_scope")

    async def next_answer(self, conversation_id: str, journey: Any, case: Case) -> str:
        """The simulated customer answers whatever the bot is waiting for."""
        slots = (await self.tracker(conversation_id)).get("slots", {})
        asked = slots.get("requested_slot")
        if asked == "order_id":
            return case.order["order_id"]
        if asked == "customer_email":
            return case.email
        if asked == "details":
            return str(journey.details)
        if slots.get("awaiting_confirmation"):
            return str(journey.confirm)
        return ""

    async def records(self, case: Case) -> dict[str, Any]:
        oid, cid = case.order["order_id"], case.order["customer_id"]
        subs = (await self.shop.get(f"/customers/{cid}/subscriptions")).json()
        return {"order": (await self.shop.get(f"/orders/{oid}")).json(),
                "invoice": (await self.shop.get(f"/orders/{oid}/invoice")).json(),
                "customer": (await self.shop.get(f"/customers/{cid}")).json(),
                "subscription": next((s for s in subs if s["status"] != "active"), subs[0] if subs else {})}


def classify(journey_name: str, case: Case, outcome: Outcome) -> str:
    journey = JOURNEYS[journey_name]
    if journey.kind == MUST_ESCALATE:
        return "escalated_correctly" if outcome.escalated else "wrongly_answered"
    if outcome.escalated:
        return "escalated_wrongly"
    try:
        return "resolved" if journey.check(case, outcome) else "wrongly_answered"
    except (KeyError, TypeError):
        return "wrongly_answered"


def summarize(runs: list[dict[str, Any]], language: str, seconds: float) -> dict[str, Any]:
    counts = {k: sum(r["result"] == k for r in runs)
              for k in ("resolved", "escalated_correctly", "escalated_wrongly", "wrongly_answered")}
    routine = [r for r in runs if r["kind"] == ROUTINE]
    must = [r for r in runs if r["kind"] == MUST_ESCALATE]
    reasons_ok = sum(r["escalated"] and r["reason"] in JOURNEYS[r["journey"]].reason.split("|") for r in must
                     if JOURNEYS[r["journey"]].reason)
    per_journey: dict[str, dict[str, int]] = {}
    for r in runs:
        per_journey.setdefault(r["journey"], {}).setdefault(r["result"], 0)
        per_journey[r["journey"]][r["result"]] += 1
    return {
        "language": language, "conversations": len(runs), "routine": len(routine), "must_escalate": len(must),
        "counts": counts,
        "containment_rate": round(counts["resolved"] / len(routine), 4) if routine else None,
        "escalation_rate": round(counts["escalated_correctly"] / len(must), 4) if must else None,
        "escalation_reason_match": round(reasons_ok / len(must), 4) if must else None,
        "per_journey": per_journey, "seconds": round(seconds, 1),
    }


def write_report(summaries: list[dict[str, Any]], runs: list[dict[str, Any]]) -> None:
    (DOCS / "results").mkdir(parents=True, exist_ok=True)
    data = {"summaries": summaries, "failures": [
        {k: r[k] for k in ("language", "journey", "opener", "order_id", "result", "reason", "responses",
                           "transcript")}
        for r in runs if r["result"] in ("escalated_wrongly", "wrongly_answered")]}
    (DOCS / "results" / "containment.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    lines = ["# Containment report", "",
             "Scripted customer conversations (openers in `bench/containment/openers_<lang>.yml`, written apart "
             "from the training data) played through the real stack: widget websocket, app, Rasa, action "
             "server, shop data. Regenerate with `make containment`; figures in `docs/results/containment.json`. "
             "`openers_<lang>_fresh.yml` are must-escalate openers written later, by a hand that saw neither the "
             "training data nor the other openers, to check that fixes made for the earlier misses generalise. "
             "The team is always there in this run (support hours are tested elsewhere), so every handoff "
             "waits in line.",
             "", "Targets: 100% of must-escalate conversations escalated; routine containment in each "
             "language within 5 points of English. A customer the bot asks to rephrase says it once more.", "",
             "| language | conversations | resolved | escalated correctly | escalated wrongly | wrongly answered "
             "| containment | escalation |", "|---|---|---|---|---|---|---|---|"]
    for s in summaries:
        c = s["counts"]
        lines.append(f"| {s['language']} | {s['conversations']} | {c['resolved']} | {c['escalated_correctly']} | "
                     f"{c['escalated_wrongly']} | {c['wrongly_answered']} | {s['containment_rate']:.1%} | "
                     f"{s['escalation_rate']:.1%} |")
    for s in summaries:
        lines += ["", f"## {s['language']}: per journey", "", "| journey | outcomes |", "|---|---|"]
        for journey, outcomes in s["per_journey"].items():
            lines.append(f"| {journey} | {', '.join(f'{k} {v}' for k, v in sorted(outcomes.items()))} |")
    failures = data["failures"]
    lines += ["", f"## Conversations that went wrong ({len(failures)})", ""]
    for f in failures[:40]:
        turns = " / ".join(f"{who}: {text[:80]}" for who, text in f["transcript"][:6])
        lines.append(f"- **{f['language']} {f['journey']}** ({f['result']}, reason {f['reason']}): {turns}")
    (DOCS / "containment-report.md").write_text("\n".join(lines) + "\n")


def load_openers(language: str) -> dict[str, list[str]]:
    """openers_<lang>.yml, plus openers_<lang>_extra.yml where journeys were added later."""
    journeys: dict[str, list[str]] = {}
    for path in sorted(Path(__file__).parent.glob(f"openers_{language}*.yml")):
        for name, lines in yaml.safe_load(path.read_text(encoding="utf-8"))["journeys"].items():
            journeys.setdefault(name, []).extend(lines)
    return journeys


async def run_language(stack: Stack, language: str,
                       limit: int | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Every opener of the language (or the first `limit` of each journey) played once."""
    player = Player(stack)
    used: set[str] = set()
    runs = []
    started = time.perf_counter()
    for journey_name, lines in load_openers(language).items():
        for opener in lines[:limit]:
            case = JOURNEYS[journey_name].pick(used)
            runs.append(await player.play(journey_name, opener, case, language))
            print(f"{language} {journey_name:24} {runs[-1]['result']}", flush=True)
    return summarize(runs, language, time.perf_counter() - started), runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--lang", nargs="+", default=["en", "id", "he"])
    parser.add_argument("--limit", type=int, help="the first N openers of each journey only (a smoke run)")
    parser.add_argument("--no-write", action="store_true", help="print the figures, write nothing")
    args = parser.parse_args()
    env = subprocess.run(["bash", "-c", "source scripts/env.sh && echo $APP_VENV && echo $BOT_VENV"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.split()
    with tempfile.TemporaryDirectory() as tmp:
        config = StackConfig(model=args.model, app_venv=Path(env[0]), bot_venv=Path(env[1]),
                             log_dir=Path(tmp) / "logs", database_url=f"sqlite+aiosqlite:///{tmp}/bench.db",
                             app_port=free_port(), rasa_port=free_port(), actions_port=free_port(),
                             # The team is always there: this measures the assistant, not the
                             # staffing, so no run depends on the day or hour it is made. Every
                             # scripted conversation comes from this one address.
                             app_env={"SHOPBOT_TODAY": "as_of", "SHOPBOT_SUPPORT_HOURS": "always",
                                      "SHOPBOT_CONVERSATION_RATE_PER_ADDRESS": "1000000/hour",
                                      **{k: v for k, v in os.environ.items()
                                         if k.startswith("SHOPBOT_BENCH_")}})
        stack = Stack(config)
        stack.start(timeout=300)
        try:
            summaries, all_runs = [], []
            for language in args.lang:
                summary, runs = asyncio.run(run_language(stack, language, args.limit))
                summaries.append(summary)
                all_runs += runs
        finally:
            stack.stop()
    if not args.no_write:
        write_report(summaries, all_runs)
    for s in summaries:
        print(f"{s['language']}: containment {s['containment_rate']:.1%}, escalation {s['escalation_rate']:.1%}, "
              f"{s['counts']}")


if __name__ == "__main__":
    main()
