"""How late the app's event loop runs what is due: the lag every socket, turn and shop API call of the
process waits on top of its own work.

A task asks to wake every `every_s` and records how late it woke. Anything that holds the loop's
thread (a garbage collection, a slow synchronous call, a burst of frames) delays it by the time it
holds the loop beyond the wake-up, so the histogram shows how often and how long the process made
everything wait. It is Node's `monitorEventLoopDelay` in the large: a stall shorter than `every_s`
is caught when it covers a wake-up, so short stalls are sampled (in proportion to their length) and
long ones always seen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

EVERY_S = 0.05  # 20 wake-ups a second: nothing beside the loop's own work, fine enough for a p99


async def watch(observe: Callable[[float], None], every_s: float = EVERY_S) -> None:
    """Until cancelled: each wake-up's lateness (seconds) into `observe`."""
    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + every_s
        await asyncio.sleep(every_s)
        observe(max(0.0, loop.time() - due))
