"""The dashboard's date range: whole UTC days, both ends included, at most MAX_DAYS of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

DEFAULT_DAYS = 7
MAX_DAYS = 366
# Far enough either way for any shop's records, and clear of date.min/date.max arithmetic.
EARLIEST = date(2000, 1, 1)
LATEST = date(2999, 12, 31)


class InvalidPeriod(ValueError):
    """A range the dashboard refuses: reversed, too long, or outside EARLIEST..LATEST."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def bounds(self) -> tuple[datetime, datetime]:
        """[start of the first day, start of the day after the last) as aware UTC instants."""
        return (datetime.combine(self.start, time.min, UTC),
                datetime.combine(self.end + timedelta(days=1), time.min, UTC))


def _within(*days: date | None) -> None:
    if any(day is not None and not EARLIEST <= day <= LATEST for day in days):
        raise InvalidPeriod(f"dates run from {EARLIEST} to {LATEST}")


def period(*, start: date | None, end: date | None, today: date) -> Period:
    """The range asked for. Without `end`, up to `today`; without `start`, the DEFAULT_DAYS ending at `end`."""
    _within(start, end)  # before the defaults: date.min less a week would overflow
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    _within(start, end)
    if start > end:
        raise InvalidPeriod(f"`from` ({start}) is after `to` ({end})")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidPeriod(f"a range is at most {MAX_DAYS} days")
    return Period(start, end)
