"""Benchmarks' shared reporting: each bench owns a section of docs/benchmarks.md between markers of
its own, and a JSON file of its figures in docs/results/, so one bench's run leaves the others' alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from devstack.stack import ROOT

DOC = ROOT / "docs" / "benchmarks.md"
RESULTS = ROOT / "docs" / "results"


def write_results(name: str, figures: dict[str, Any]) -> Path:
    out = RESULTS / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    return out


def write_section(name: str, markdown: str) -> None:
    """Replaces the bench's section (added at the end the first time)."""
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    block = f"{begin}\n{markdown.strip()}\n{end}"
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
