"""The scenarios' traffic: customers each in a conversation with an agent (the bot hands each one
off, an agent claims it), both sides writing at a steady rate; then the checks of what arrived and
what was stored."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from devstack.faults.ledger import Ledger
from devstack.faults.parties import AgentParty, CustomerParty, Party
from devstack.faults.processes import TEAM


@dataclass
class Plan:
    conversations: int = 4
    agents: int = 2  # each agent has conversations / agents chats, on one console
    interval_s: float = 0.2  # each side of each conversation writes once this often
    before: int = 80  # messages delivered end to end before the fault
    after: int = 120  # messages written after the fault ended and delivered, before the traffic stops
    phase_timeout_s: float = 30.0  # for each of those two
    drain_timeout_s: float = 20.0  # for the last acks, then for the last deliveries


class Traffic:
    def __init__(self, base_url: str, plan: Plan) -> None:
        if plan.agents > len(TEAM):
            raise ValueError(f"at most {len(TEAM)} agents")
        self.plan = plan
        self.ledger = Ledger()
        self.agents = [AgentParty(base_url, self.ledger, agent, password) for agent, password in TEAM[:plan.agents]]
        self.customers = [CustomerParty(base_url, self.ledger, f"customer{i}") for i in range(plan.conversations)]
        self.stalled = 0  # delivered only once its client reconnected by hand (an open socket went deaf)
        self._stop = asyncio.Event()
        self._tickers: list[asyncio.Task[None]] = []

    @property
    def parties(self) -> list[Party]:
        return [*self.agents, *self.customers]

    async def setup(self, timeout: float = 120.0) -> None:
        """Every customer handed off by the bot and claimed by their agent."""
        async def customer(party: CustomerParty) -> None:
            await party.create()
            party.start()
            await party.ask_for_a_person()

        async def everyone() -> None:
            for agent in self.agents:
                await agent.login()
                agent.start()
            await asyncio.gather(*(customer(c) for c in self.customers), *(a.wait_connected() for a in self.agents))
            for i, party in enumerate(self.customers):
                await self.agents[i % len(self.agents)].claim(party.conversation_id)
                await party.until_assigned()

        await asyncio.wait_for(everyone(), timeout)

    def start(self) -> None:
        self.ledger.set_mark()
        for agent in self.agents:
            self._tickers += [asyncio.create_task(self._ticker(agent, cid)) for cid in agent.conversations]
        self._tickers += [asyncio.create_task(self._ticker(c, c.conversation_id)) for c in self.customers]

    async def _ticker(self, party: Party, conversation_id: str) -> None:
        loop = asyncio.get_running_loop()
        interval = self.plan.interval_s
        # The traffic's pace (a rate, not a wait for something); the senders' turns spread over it.
        next_at = loop.time() + random.uniform(0, interval)
        while not self._stop.is_set():
            await asyncio.sleep(max(0.0, next_at - loop.time()))
            if self._stop.is_set():
                return
            await party.send_new(conversation_id)
            next_at = max(next_at + interval, loop.time())

    async def until_delivered(self, n: int) -> bool:
        """Until n messages written since the mark (the start, or the fault's end) reached the other side."""
        return await self.ledger.until(lambda: self.ledger.delivered_since_mark >= n, self.plan.phase_timeout_s)

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._tickers, return_exceptions=True)

    async def drain(self) -> dict[str, bool]:
        """Until every message is acknowledged and every acknowledged one reached the other side. What
        is still missing then is asked for by hand (every client reconnects): what arrives only then
        sat on a socket that stayed open without passing it on (`stalled`); the rest is lost."""
        timeout = self.plan.drain_timeout_s
        acked = await self.ledger.until(lambda: not any(p.unacked for p in self.parties), timeout)
        delivered = await self.ledger.until(lambda: not self.ledger.acked_undelivered(), timeout)
        if not delivered:
            stuck = self.ledger.acked_undelivered()
            for party in self.parties:
                await party.reconnect()
            await self.ledger.until(lambda: not self.ledger.acked_undelivered(), timeout)
            self.stalled = len(stuck - self.ledger.acked_undelivered())
        return {"all_acknowledged": acked, "all_delivered_without_help": delivered}

    async def check_history(self) -> None:
        """What each conversation has stored (the history endpoint), for the lost and stored-twice counts."""
        for party in self.customers:
            self.ledger.history_read_at[party.conversation_id] = time.monotonic()
            self.ledger.stored[party.conversation_id] = await party.history()

    async def close(self) -> None:
        await self.stop()
        for agent in self.agents:
            await agent.close_all()
        for party in self.parties:
            await party.stop()

    def reopening_effects(self) -> dict[str, int]:
        """What went wrong on console connections where the server opened a chat a second time (see
        AgentParty.openings): counted apart, as the server's doing (see the test of the faults)."""
        out = {"delivered_twice_by_reopening": 0, "out_of_order_by_reopening": 0, "redelivered_by_reopening": 0}
        for agent in self.agents:
            for (connection, cid), openings in agent.openings.items():
                if openings > 1:
                    found = self.ledger.on_connection(cid, "agent", connection)
                    out["delivered_twice_by_reopening"] += found.twice
                    out["out_of_order_by_reopening"] += found.out_of_order
                    out["redelivered_by_reopening"] += found.redelivered
        return out

    def figures(self, fault_at: float, fault_end_at: float) -> dict[str, Any]:
        closes: Counter[int] = Counter()
        for party in self.parties:
            closes.update(party.closes)
        return {
            **self.ledger.figures(fault_at, fault_end_at),
            "stalled": self.stalled,
            "conversations": self.plan.conversations,
            "handoff_reasons": dict(Counter(c.handoff_reason for c in self.customers)),
            "agents": self.plan.agents,
            "interval_s": self.plan.interval_s,
            "close_codes": {str(code): n for code, n in sorted(closes.items())},
            "failed_connects": sum(p.failed_connects for p in self.parties),
            "skipped_turns": sum(p.skipped for p in self.parties),
            "chats_opened_twice_on_one_console": sum(n > 1 for a in self.agents for n in a.openings.values()),
            **self.reopening_effects(),
        }
