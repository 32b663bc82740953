"""The app process's garbage collector: what start-up made is frozen out of its collections, the
young generation is collected less often, and every pause is measured.

CPython's cyclic collector stops the event loop for as long as it walks the objects of the generation
it collects. Measured at 1,000 relayed conversations (bench/relay, docs/benchmarks.md): full (gen2)
collections held the loop 100-300 ms each, several a minute, and set the relay's p99; gen1 ones
10-20 ms. Most of what a full collection walks was made at start-up and lives as long as the process
(modules, classes, SQLAlchemy's and pydantic's schemas, the demo shop): `gc.freeze()` moves it to a
permanent generation no collection visits (as Instagram's servers and gunicorn's preload do). A
larger first threshold makes every generation's collections rarer: the young generation, mostly a
socket frame's short-lived dicts, is freed by reference counting anyway.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import Histogram

# Allocations (net of frees) between collections of the youngest generation; CPython's default is 700.
YOUNG_THRESHOLD = 20_000


def settle() -> None:
    """After start-up: collect once, freeze the survivors, collect the young generation less often."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(max(YOUNG_THRESHOLD, gc.get_threshold()[0]), older, oldest)


@contextmanager
def pauses_observed(pauses: Histogram) -> Iterator[None]:
    """Each collection's pause into `pauses` (by generation), while the app runs."""
    started = [0.0]

    def observe(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses.labels(str(info["generation"])).observe(time.perf_counter() - started[0])

    gc.callbacks.append(observe)
    try:
        yield
    finally:
        gc.callbacks.remove(observe)
