"""One run of a job serves every caller that asked before it started (handoff/coalesce.py)."""

from __future__ import annotations

import asyncio

import pytest

from handoff.coalesce import Coalescer


async def test_callers_during_a_run_share_the_next_one() -> None:
    coalescer = Coalescer()
    runs: list[int] = []
    release = asyncio.Event()
    state = {"value": 0}

    async def job() -> None:
        seen = state["value"]
        if not runs:
            await release.wait()  # the first run holds while others ask
        runs.append(seen)

    first = asyncio.create_task(coalescer.run("line", job))
    await asyncio.sleep(0)  # the first run has started (and read the state)
    state["value"] = 1  # changes committed after the first run read: the callers below must see them
    others = [asyncio.create_task(coalescer.run("line", job)) for _ in range(50)]
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(first, *others)
    assert runs == [0, 1]  # 51 callers, two runs; the second saw the change


async def test_a_caller_after_a_run_gets_a_run_of_its_own() -> None:
    coalescer = Coalescer()
    runs: list[str] = []

    async def job() -> None:
        runs.append("run")

    await coalescer.run("line", job)
    await coalescer.run("line", job)
    assert runs == ["run", "run"]


async def test_keys_do_not_share_runs() -> None:
    coalescer = Coalescer()
    runs: list[str] = []

    def job(name: str):  # type: ignore[no-untyped-def]
        async def run() -> None:
            runs.append(name)
        return run

    await asyncio.gather(coalescer.run("a", job("a")), coalescer.run("b", job("b")))
    assert sorted(runs) == ["a", "b"]


async def test_a_failed_run_serves_nobody_the_next_caller_runs_it_again() -> None:
    coalescer = Coalescer()
    attempts: list[int] = []
    release = asyncio.Event()

    async def job() -> None:
        attempts.append(len(attempts))
        if len(attempts) == 1:
            await release.wait()
            raise RuntimeError("the database went away")

    first = asyncio.create_task(coalescer.run("line", job))
    await asyncio.sleep(0)
    second = asyncio.create_task(coalescer.run("line", job))
    await asyncio.sleep(0)
    release.set()
    with pytest.raises(RuntimeError):
        await first
    await second  # ran it again, and it worked
    assert attempts == [0, 1]
