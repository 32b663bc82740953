"""Every Makefile target, run once the way a person types it (`make <target>`), on a small size and
writing nothing under docs/: a recipe the shell breaks (issue 13: dash's "Bad substitution"), an
option a bench no longer takes, or a bench that no longer starts its stack fails here, not on the next
person's machine. The figures themselves come from the full runs (docs/benchmarks.md).

`make test` is this very run, and runs `make lint` before pytest; `make run` serves until stopped, so
it is started, used and stopped."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devstack.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
TARGETS = re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(), re.MULTILINE)
TIMEOUT_S = 900  # a target's whole run, stack start included, on a slow day of this 2-core machine

# What each target is given in ARGS: the smallest run that still goes through the target's whole path.
SMOKE = {
    "train": "",
    "eval-nlu": "--limit 3 --out-json {tmp}/nlu.json --out-report {tmp}/nlu-report.md",
    "containment": "--lang en --limit 1 --no-write",
    "bench-latency": "--levels 1 --turns 3 --no-write",
    "bench-promotion": "--conversations 2 --no-train --window-s 3 --no-write",
    "bench-reliability": "--only redis_restart --conversations 2 --agents 1 --before 20 --after 20 --no-write",
    "bench-relay": "--conversations 10 --seconds 1 --idle 1 --no-write",
    "bench-relay-shapes": "--conversations 10 --seconds 1 --idle 1 --rounds 1 --no-write",
    "bench-handoff": "--n 3 --no-write",
    "bench-idle": "--sockets 100 --turns 3 --idle-cpu-s 1 --no-write",
    "bench-growth": "--messages 500 --conversations 2 --no-write",
    "bench-nlu": "--no-train --no-write",
}
ELSEWHERE = {"test": "this run", "lint": "scripts/test.sh, before pytest",
             "run": "test_make_run_serves_the_product_and_stops_on_ctrl_c"}


def _docs() -> str:
    """What git sees changed under docs/ (the benches' outputs)."""
    return subprocess.run(["git", "status", "--porcelain", "--", "docs"], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout


def _make(target: str, args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "--no-print-directory", target, f"ARGS={args}"], cwd=ROOT, capture_output=True,
                          text=True, timeout=TIMEOUT_S, env={**os.environ, **(env or {})})


def test_every_target_is_run_here() -> None:
    assert TARGETS and set(TARGETS) == set(SMOKE) | set(ELSEWHERE), "a new target needs its smoke run here"


@pytest.mark.parametrize("target", list(SMOKE))
def test_target_runs(target: str, tmp_path: Path) -> None:
    before = _docs()
    done = _make(target, SMOKE[target].format(tmp=tmp_path))
    assert done.returncode == 0, f"make {target}: exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert _docs() == before, f"make {target} with --no-write changed docs/"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`make run` on free ports and a database of its own, in its own process group."""
    ports = [free_port() for _ in range(3)]
    args = f"--app-port {ports[0]} --rasa-port {ports[1]} --actions-port {ports[2]}"
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"ARGS={args}"], cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
        env={**os.environ, "SHOPBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}"})
    try:
        yield process, f"http://127.0.0.1:{ports[0]}"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_make_run_serves_the_product_and_stops_on_ctrl_c(served: tuple[subprocess.Popen[str], str]) -> None:
    process, url = served
    assert process.stdout is not None
    seen: list[str] = []
    for line in process.stdout:  # its own word that everything is up, not a guess at how long that takes
        seen.append(line)
        if line.startswith("Everything is up."):
            break
    else:
        pytest.fail(f"make run ended before it was up (exit {process.wait()}):\n{''.join(seen[-40:])}")
    for page in ("/widget", "/console", "/admin"):
        assert httpx.get(f"{url}{page}", timeout=10).status_code == 200, page
    assert httpx.get(f"{url}/readyz", timeout=10).status_code == 200
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in the terminal reaches the whole group
    rest, _ = process.communicate(timeout=120)
    # make itself dies of the SIGINT it was sent; the product under it stops in order.
    assert process.returncode in (0, -signal.SIGINT), rest
    assert "==> stopping" in rest and "stopped unexpectedly" not in rest, rest
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/readyz", timeout=10)
