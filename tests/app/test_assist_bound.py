"""Agent assist keeps at most `assist_max_pending` suggestions in flight per process: under relay
traffic a slow Rasa is not buried under one NLU call per message (docs/reliability.md).

Driven as it happens: a customer writes to a conversation an agent really holds, and the fake bot's
NLU call is held (a slow Rasa) or fails (Rasa away); what the agent's console receives is checked."""

from __future__ import annotations

import asyncio

import pytest

from tests.app.conftest import InProcessApp
from tests.app.sockets import AppSocket


async def write(customer: AppSocket, text: str) -> None:
    """A customer message, once it is stored (its ack)."""
    start, client_msg_id = len(customer.frames), f"m-{len(customer.frames)}"
    await customer.send({"type": "message", "client_msg_id": client_msg_id, "text": text})
    await customer.wait_for(lambda f: f["type"] == "ack" and f["client_msg_id"] == client_msg_id, start=start)


def suggested(console: AppSocket) -> list[int]:
    return [f["suggestion"]["seq"] for f in console.frames if f["type"] == "suggestion"]


async def test_suggestions_beyond_the_bound_are_skipped_not_queued(app: InProcessApp) -> None:
    app.rt.settings.assist_max_pending = 2
    conversation_id, customer = await app.assigned("bob")
    console = await app.console("bob", conversation_id)
    before = len(app.bot.parsing)  # the handoff read the conversation's messages too
    app.bot.parse_gate = asyncio.Event()  # Rasa taking its time

    texts = ["one", "two", "three", "four", "five"]
    for text in texts:
        await write(customer, text)
    asked = (await app.bot.parsed(before + 2))[before:]
    assert sorted(asked) == ["one", "two"]  # two in flight; three, four and five not queued behind them

    app.bot.parse_gate.set()
    await console.wait_for(lambda f: f["type"] == "suggestion" and len(suggested(console)) == 2)
    await write(customer, "six")  # room again once they are done
    await console.wait_for(lambda f: f["type"] == "suggestion" and len(suggested(console)) == 3)
    assert app.bot.parsing[before:] == [*asked, "six"]  # the skipped ones were never asked
    stored = {m["text"]: m["seq"] for m in customer.messages()}
    assert sorted(suggested(console)) == sorted(stored[t] for t in ("one", "two", "six")), console.frames
    await asyncio.gather(customer.close(), console.close())


async def test_a_failed_suggestion_is_one_warning_line_and_disturbs_nothing(
        app: InProcessApp, caplog: pytest.LogCaptureFixture) -> None:
    conversation_id, customer = await app.assigned("bob")
    console = await app.console("bob", conversation_id)
    app.bot.parse_failure = RuntimeError("the assistant did not answer a moment ago; not asking again yet")
    caplog.set_level("WARNING", logger="handoff.assist.flows")
    app.bot.parse_entered.clear()
    await write(customer, "hello?")
    # The failure is logged in the same step as the call fails: once the call was made, the line is there.
    await asyncio.wait_for(app.bot.parse_entered.wait(), 5)
    warnings = [r for r in caplog.records if r.name == "handoff.assist.flows"]
    assert len(warnings) == 1 and warnings[0].exc_info is None and "did not answer" in warnings[0].getMessage()
    assert "hello?" not in warnings[0].getMessage()  # no message texts in logs

    # The chat goes on: the agent got the message, and answers.
    await console.wait_for(lambda f: f["type"] == "message" and f["message"]["text"] == "hello?")
    await console.send({"type": "message", "conversation_id": conversation_id, "client_msg_id": "a1", "text": "Here"})
    await customer.wait_for(lambda f: f["type"] == "message" and f["message"]["text"] == "Here")
    assert not suggested(console) and customer.closed_code is None
    await asyncio.gather(customer.close(), console.close())
