"""The app's garbage collector settings and its pause metric (api/collector.py)."""

from __future__ import annotations

import gc

from prometheus_client import CollectorRegistry, Histogram

from api import collector


def test_settle_freezes_start_up_and_collects_the_young_less_often() -> None:
    before = gc.get_threshold()
    try:
        collector.settle()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] >= collector.YOUNG_THRESHOLD
        assert gc.get_threshold()[1:] == before[1:]
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_every_collection_is_observed_while_the_app_runs_and_none_after() -> None:
    registry = CollectorRegistry()
    pauses = Histogram("pauses", "gc", ["generation"], registry=registry)

    def observed(generation: str) -> float:
        return registry.get_sample_value("pauses_count", {"generation": generation}) or 0.0

    with collector.pauses_observed(pauses):
        gc.collect(2)
        gc.collect(0)
    assert observed("2") == 1
    assert observed("0") >= 1
    gc.collect(2)
    assert observed("2") == 1  # the callback is gone with the app
