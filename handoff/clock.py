"""An injectable clock: the demo shop's dates are only consistent on its `as_of` day."""

from __future__ import annotations

from datetime import UTC, date, datetime


class Clock:
    def __init__(self, fixed_day: date | None = None, fixed_instant: datetime | None = None) -> None:
        self.fixed_day = fixed_day
        self.fixed_instant = fixed_instant

    def today(self) -> date:
        return self.fixed_day or datetime.now(UTC).date()

    def now(self) -> datetime:
        # Timestamps stay real even when the calendar day is fixed: ordering needs real time.
        return datetime.now(UTC)

    def wall(self) -> datetime:
        """The time of day decisions such as support hours go by (fixable, unlike timestamps)."""
        return self.fixed_instant or datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """An aware UTC timestamp. SQLite hands back the naive UTC values it stored (it keeps no offset),
    PostgreSQL aware ones: everything that compares stored times goes through here."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
