"""Moving windows in memory (api/windows.py), on a clock the test moves."""

from __future__ import annotations

from limits import parse

from api.windows import MemoryWindows


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_amount_fits_in_the_window_and_the_wait_is_until_the_oldest_leaves() -> None:
    clock = Clock()
    windows = MemoryWindows(clock)
    limit = parse("3/10 seconds")
    for _ in range(3):
        assert windows.hit(limit, "conversation", "a") == 0
        clock.now += 2  # events at 1000, 1002, 1004
    assert windows.hit(limit, "conversation", "a") == 4.0  # at 1006; the first leaves at 1010
    clock.now += 1
    assert windows.hit(limit, "conversation", "a") == 3.0  # a refused event was not counted
    clock.now = 1010.0
    assert windows.hit(limit, "conversation", "a") == 0  # the first one left: room for one
    assert windows.hit(limit, "conversation", "a") == 2.0  # the second (1002) leaves at 1012


def test_keys_and_limits_count_apart_and_clear_starts_a_key_again() -> None:
    windows = MemoryWindows(Clock())
    one, other = parse("1/minute"), parse("1/hour")
    assert windows.hit(one, "conversation", "a") == 0
    assert windows.hit(one, "conversation", "a") > 0
    assert windows.hit(one, "conversation", "b") == 0
    assert windows.hit(other, "conversation", "a") == 0  # the same key under another limit
    windows.clear(one, "conversation", "a")
    assert windows.hit(one, "conversation", "a") == 0


def test_idle_keys_are_swept_and_memory_stays_bounded() -> None:
    clock = Clock()
    windows = MemoryWindows(clock)
    limit = parse("5/10 seconds")
    for n in range(1000):
        windows.hit(limit, "conversation", str(n))
    assert len(windows) == 1000
    clock.now += 10.5  # every key idle for a whole window
    windows.hit(limit, "conversation", "still-here")
    assert len(windows) == 1
    for _ in range(100):  # a busy key holds at most the limit's amount
        windows.hit(limit, "conversation", "still-here")
    assert windows.hit(limit, "conversation", "still-here") > 0
