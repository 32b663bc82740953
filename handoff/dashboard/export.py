"""The dashboard as CSV: a row for the whole range, then one per day and one per language, with the
summary's figures as columns (durations flattened to their count, p50, p90 and mean)."""

from __future__ import annotations

import csv
import io
from typing import Any

from handoff.dashboard.schemas import Dashboard, Durations, Summary

_DURATIONS = ("waiting", "first_response", "resolution")


def _columns() -> tuple[str, ...]:
    out = ["scope", "key"]
    for name in Summary.model_fields:
        out += [f"{name}_{part}" for part in Durations.model_fields] if name in _DURATIONS else [name]
    return tuple(out)


COLUMNS = _columns()


def _row(scope: str, key: str, figures: Summary) -> dict[str, Any]:
    row: dict[str, Any] = {"scope": scope, "key": key}
    for name, value in figures.model_dump().items():
        if name in _DURATIONS:
            row.update({f"{name}_{part}": number for part, number in value.items()})
        elif name in Summary.model_fields:
            row[name] = value
    return {k: "" if v is None else v for k, v in row.items()}


def to_csv(dashboard: Dashboard) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerow(_row("total", f"{dashboard.start}..{dashboard.end}", dashboard.totals))
    for day in dashboard.days:
        writer.writerow(_row("day", day.day.isoformat(), day))
    for language in dashboard.languages:
        writer.writerow(_row("language", language.language, language))
    return buffer.getvalue()


def filename(dashboard: Dashboard) -> str:
    language = f"-{dashboard.language}" if dashboard.language else ""
    return f"dashboard-{dashboard.start}-{dashboard.end}{language}.csv"
