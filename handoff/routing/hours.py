"""When each language's team works, from policy.json's `support_hours`
({"en": {"timezone": "America/Chicago", "days": "Mon-Fri", "hours": "08:00-20:00"}, ...})."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _days(spec: str) -> set[int]:
    """"Mon-Fri" or "Sun-Thu" (wrapping round the week) or "Mon,Wed" -> weekday numbers."""
    days: set[int] = set()
    for part in spec.split(","):
        first, _, last = part.strip().partition("-")
        start, end = _DAYS.index(first[:3]), _DAYS.index((last or first)[:3])
        days.update((start + i) % 7 for i in range((end - start) % 7 + 1))
    return days


def _hours(spec: str) -> tuple[time, time]:
    opens, closes = (time.fromisoformat(p.strip()) for p in spec.split("-"))
    return opens, closes


def is_open(support_hours: dict[str, Any], language: str, at: datetime) -> bool:
    """Whether the team for `language` works at `at` (a language without hours: always)."""
    team = support_hours.get(language)
    if not team:
        return True
    local = at.astimezone(ZoneInfo(team["timezone"]))
    opens, closes = _hours(team["hours"])
    return local.weekday() in _days(team["days"]) and opens <= local.time() < closes


def next_opening(support_hours: dict[str, Any], language: str, at: datetime) -> datetime | None:
    """When the team for `language` is next at work (None: it has no hours, so it always is)."""
    team = support_hours.get(language)
    if not team:
        return None
    zone = ZoneInfo(team["timezone"])
    local = at.astimezone(zone)
    opens, _ = _hours(team["hours"])
    days = _days(team["days"])
    for ahead in range(8):
        day = (local + timedelta(days=ahead)).date()
        candidate = datetime.combine(day, opens, tzinfo=zone)
        if day.weekday() in days and candidate > local:
            return candidate
    return None
