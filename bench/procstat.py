"""CPU used by a stack's processes over time, read from /proc (Linux): a timeline to lay slow turns
against. Each root process (the app, Rasa, the action server) and every process it starts (a Rasa
server a promotion starts is the app's child) is sampled every `interval_s` on a thread of its own."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds so far) of a process, None once it has gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()  # after "pid (comm) ": the command may hold spaces
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


@dataclass
class Sample:
    at: float  # time.time(), to compare with log lines and other processes' clocks
    cpu_s: dict[str, float]  # label -> CPU seconds used so far


@dataclass
class CpuTimeline:
    roots: dict[str, int]  # label -> pid
    interval_s: float = 0.1
    samples: list[Sample] = field(default_factory=list)
    _labels: dict[int, str] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> CpuTimeline:
        self._labels = {pid: label for label, pid in self.roots.items()}
        self._thread = threading.Thread(target=self._run, name="cpu-timeline", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.samples.append(Sample(time.time(), self._read()))

    def _read(self) -> dict[str, float]:
        stats = {pid: s for pid in map(int, filter(str.isdigit, os.listdir("/proc"))) if (s := _stat(pid))}
        for pid, (ppid, _) in stats.items():  # descendants: a child's label names its parent's
            if pid not in self._labels and ppid in self._labels:
                self._labels[pid] = f"{self._labels[ppid]}>{pid}"
        return {label: stats[pid][1] for pid, label in self._labels.items() if pid in stats}

    def cores(self, start: float, end: float) -> dict[str, float]:
        """Cores each process used on average between two time.time() instants."""
        inside = [s for s in self.samples if start <= s.at <= end]
        if len(inside) < 2:
            return {}
        first, last = inside[0], inside[-1]
        span = last.at - first.at
        return {label: round((cpu - first.cpu_s.get(label, 0.0)) / span, 2)
                for label, cpu in last.cpu_s.items() if cpu - first.cpu_s.get(label, 0.0) > 0.01 * span}
