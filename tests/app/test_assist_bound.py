"""Agent assist keeps at most `assist_max_pending` suggestions in flight per process: under relay
traffic a slow Rasa is not buried under one NLU call per message (docs/reliability.md)."""

from __future__ import annotations

import asyncio

import pytest

from handoff.assist import flows as assist_flows
from handoff.conversations.models import Message
from tests.app.conftest import InProcessApp


async def test_suggestions_beyond_the_bound_are_skipped_not_queued(app: InProcessApp,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    app.rt.settings.assist_max_pending = 2
    release, both = asyncio.Event(), asyncio.Event()
    started: list[int] = []

    async def slow_suggest(rt: object, message: Message) -> None:  # Rasa taking its time
        started.append(message.seq)
        if len(started) == 2:
            both.set()
        await release.wait()

    monkeypatch.setattr(assist_flows, "suggest", slow_suggest)
    messages = [Message(conversation_id="c", seq=seq, sender="customer", text="hi") for seq in range(1, 6)]
    scheduled = [assist_flows.schedule(app.rt, m) for m in messages]
    assert scheduled == [True, True, False, False, False]
    await asyncio.wait_for(both.wait(), 5)
    assert started == [1, 2]
    release.set()
    await asyncio.gather(*list(assist_flows._running))
    assert assist_flows.schedule(app.rt, messages[4])  # room again once they are done
    await asyncio.gather(*list(assist_flows._running))


async def test_a_failed_suggestion_is_one_warning_line(app: InProcessApp, monkeypatch: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    async def unavailable(rt: object, message: Message) -> None:
        raise RuntimeError("the assistant did not answer a moment ago; not asking again yet")

    monkeypatch.setattr(assist_flows, "suggest", unavailable)
    caplog.set_level("WARNING", logger="handoff.assist.flows")
    assert assist_flows.schedule(app.rt, Message(conversation_id="c", seq=1, sender="customer", text="hi"))
    await asyncio.gather(*list(assist_flows._running))
    warnings = [r for r in caplog.records if r.name == "handoff.assist.flows"]
    assert len(warnings) == 1 and warnings[0].exc_info is None and "did not answer" in warnings[0].getMessage()
