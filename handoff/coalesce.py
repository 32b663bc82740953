"""Jobs that read the whole of something (the waiting line) and tell everyone, asked for by many at
once: one run serves every caller that asked before it started.

Each claim, handoff and close asks that every waiting customer be told their place: a job that reads
the line and publishes a frame per waiting conversation. Run once per caller, N claims in a burst cost
N x the line (1,000 agents' claims against a line of 1,000: a million frames, and claims that timed
out behind them). Here a caller that asks while the job runs waits for the next run, which starts
after it asked and so sees its change (committed before it asked), and serves every caller waiting
by then: at most one run going and one to come, however many ask.

A run that fails (or whose caller is cancelled) serves nobody: the next caller waiting runs it again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass
class _Gate:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    asked: int = 0  # callers so far
    served: int = 0  # callers whose ask came before the start of a run that completed


class Coalescer:
    def __init__(self) -> None:
        self._gates: dict[str, _Gate] = {}

    async def run(self, key: str, job: Callable[[], Awaitable[None]]) -> None:
        """Returns once a run of `job` (this key's: every caller with the key means the same job)
        that started after this call has completed, running it if nobody else does."""
        gate = self._gates.setdefault(key, _Gate())
        gate.asked += 1
        mine = gate.asked
        async with gate.lock:
            if gate.served >= mine:
                return
            covers = gate.asked
            await job()
            gate.served = covers
