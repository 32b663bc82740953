"""Support hours from the demo shop's policy, in each team's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from devstack import demo_shop as shop
from handoff.routing.hours import is_open, next_opening

HOURS = shop.load("policy")["support_hours"]


@pytest.mark.parametrize(("language", "at", "expected"), [
    ("en", "2026-11-25T16:00:00+00:00", True),  # Wed 10:00 in Chicago
    ("en", "2026-11-25T03:00:00+00:00", False),  # Tue 21:00 in Chicago
    ("en", "2026-11-28T16:00:00+00:00", False),  # Saturday
    ("id", "2026-11-28T03:00:00+00:00", True),  # Sat 10:00 in Jakarta: the Indonesian team works Saturdays
    ("id", "2026-11-25T16:00:00+00:00", False),  # 23:00 in Jakarta
    ("he", "2026-11-29T08:00:00+00:00", True),  # Sunday 10:00 in Jerusalem: a working day there
    ("he", "2026-11-27T08:00:00+00:00", False),  # Friday
    ("he", "2026-11-25T16:00:00+00:00", False),  # 18:00 in Jerusalem: just closed
])
def test_is_open(language: str, at: str, expected: bool) -> None:
    assert is_open(HOURS, language, datetime.fromisoformat(at)) is expected


def test_next_opening_skips_the_weekend() -> None:
    friday_night = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # Fri 21:00 in Chicago
    opening = next_opening(HOURS, "en", friday_night)
    assert opening is not None and opening.isoformat() == "2026-11-30T08:00:00-06:00"  # Monday 08:00


def test_a_language_without_hours_is_always_open() -> None:
    assert is_open(HOURS, "xx", datetime(2026, 11, 28, tzinfo=UTC))
    assert next_opening(HOURS, "xx", datetime.now(UTC)) is None
