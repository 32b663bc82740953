"""Moving-window rate limits counted in this process's memory (rate limits' `memory://` storage).

The `limits` library's MemoryStorage expires events on a timer thread it starts again, 10 ms after a
hit, whenever the last one has run out; each run walks every key under its lock. With hits spread
over time (a thousand conversations each sending a message a second) that is a new thread and a walk
of every key about every 10 ms: 340 us of CPU per hit measured on this machine, against 15 us when the
same hits come in bursts, and a third of the relay's CPU per message at 1,000 conversations (profiled:
docs/benchmarks.md). Here each key keeps the times of its counted events, at most the limit's amount,
and drops the expired ones when it is hit; keys nobody hit for a whole window are swept on the way, at
most once a window. The limits themselves (`parse`) and the Redis storage are still the library's.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from limits import RateLimitItem


class MemoryWindows:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._events: dict[tuple[RateLimitItem | str, ...], deque[float]] = {}  # (limit, *key)
        self._longest_s = 0.0  # the longest window seen: a key idle that long holds nothing
        self._next_sweep = clock()

    def hit(self, limit: RateLimitItem, *key: str) -> float:
        """Counts one event if the window has room: 0.0, else the seconds until it will (the
        oldest counted event leaves the window; a refused event is not counted)."""
        now = self._clock()
        window_s = float(limit.get_expiry())
        events = self._events.setdefault((limit, *key), deque())
        while events and events[0] <= now - window_s:
            events.popleft()
        if len(events) < limit.amount:
            events.append(now)
            wait = 0.0
        else:
            wait = events[0] + window_s - now
        self._longest_s = max(self._longest_s, window_s)
        if now >= self._next_sweep:
            self._sweep(now)
        return wait

    def clear(self, limit: RateLimitItem, *key: str) -> None:
        self._events.pop((limit, *key), None)

    def __len__(self) -> int:
        """Keys held (for the tests of the sweep)."""
        return len(self._events)

    def _sweep(self, now: float) -> None:
        idle = [key for key, events in self._events.items() if not events or events[-1] <= now - self._longest_s]
        for key in idle:
            del self._events[key]
        self._next_sweep = now + self._longest_s
