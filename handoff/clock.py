"""An injectable clock: the demo shop's dates are only consistent on its `as_of` day."""

from __future__ import annotations

from datetime import UTC, date, datetime


class Clock:
    def __init__(self, fixed_day: date | None = None) -> None:
        self.fixed_day = fixed_day

    def today(self) -> date:
        return self.fixed_day or datetime.now(UTC).date()

    def now(self) -> datetime:
        # Timestamps stay real even when the calendar day is fixed: ordering needs real time.
        return datetime.now(UTC)
