"""Benchmarks' shared reporting: each bench owns a section of docs/benchmarks.md between markers of
its own, and a JSON file of its figures in docs/results/, so one bench's run leaves the others' alone."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
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


def figure(name: str, value: float | int | None, unit: str, baseline: float | int | None) -> dict[str, Any]:
    """One entry of a results file: the figure, the baseline measured in the same run, value/baseline."""
    ratio = round(value / baseline, 4) if value is not None and baseline else None
    return {"name": name, "value": value, "unit": unit, "baseline": baseline, "ratio": ratio}


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores"


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def rss_bytes(pid: int) -> int:
    """A process's resident set (VmRSS in /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def venvs() -> tuple[Path, Path]:
    """The app's and the bot's virtualenvs (scripts/env.sh)."""
    out = subprocess.run(["bash", "-c", "source scripts/env.sh && echo $APP_VENV && echo $BOT_VENV"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.split()
    return Path(out[0]), Path(out[1])


def command(module: str) -> str:
    """How the bench was run, for its section (a model by its file name, not the machine's path)."""
    return " ".join([f"python -m {module}", *(Path(a).name if a.endswith(".tar.gz") else a for a in sys.argv[1:])])


def results(module: str, started: float, figures: list[dict[str, Any]], **measured: Any) -> dict[str, Any]:
    """A bench's results file: when, where and how it ran, how long (from `started`, a monotonic
    time), its figures and what it measured."""
    return {"generated": today(), "machine": machine(), "command": command(module),
            "run_s": round(time.monotonic() - started, 1), "figures": figures, **measured}


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (/proc/PID/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
