"""At most one event per interval per key, per socket: typing indicators a client may send on
every keystroke become at most one broadcast a second."""

from __future__ import annotations

import time


class Throttle:
    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._last: dict[str, float] = {}

    def ready(self, key: str = "") -> bool:
        now = time.monotonic()
        if now - self._last.get(key, float("-inf")) < self.interval_s:
            return False
        if len(self._last) > 256:  # an agent's console follows a bounded number of chats
            self._last.clear()
        self._last[key] = now
        return True
