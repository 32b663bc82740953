"""The action server slow during a handoff (stopped with SIGSTOP while the bot's turn waits on it):
the customer is queued when the app's Rasa timeout runs out, the action server is continued and
Rasa's late answer arrives, and no bot message ever follows the handoff: the customer sees the
queue, the agent joining and the agent, nothing from the bot."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator

import pytest

from devstack.clients import Agent, Customer
from devstack.stack import Stack
from tests.conftest import NO_RATE_LIMITS, extra_app


@pytest.fixture(scope="module")
def slow_actions_url(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from extra_app(stack, tmp_path_factory, "slow-actions", {
        "SHOPBOT_RASA_TIMEOUT_S": "3", "SHOPBOT_RASA_OPEN_FOR_S": "1", "SHOPBOT_SUPPORT_HOURS": "always",
        **NO_RATE_LIMITS})


async def test_no_bot_message_after_a_handoff_while_an_action_hangs(slow_actions_url: str, stack: Stack) -> None:
    customer = await Customer(slow_actions_url).start()
    agent = await Agent(slow_actions_url, "bob", "bob-demo").login()
    assert stack.actions.process is not None
    actions = os.getpgid(stack.actions.process.pid)
    os.killpg(actions, signal.SIGSTOP)
    try:
        ack = await customer.say("where is my order 10007?")  # answered by a custom action
        assert ack["type"] == "ack"
        queued = await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued", timeout=20)
        assert queued["reason"] == "bot_unavailable"
    finally:
        os.killpg(actions, signal.SIGCONT)  # Rasa's action call completes now, after the handoff
    await asyncio.to_thread(stack.actions.wait_healthy, 60.0)
    handoff_at = max(m["seq"] for m in customer.ws.messages())

    start = len(agent.ws.frames)
    assert (await agent.presence("online"))["type"] == "presence"
    # Routed to Bob as he comes online (auto routing): his console opens the chat.
    await agent.ws.wait_for(lambda f: f["type"] == "conversation"
                            and f["conversation"]["id"] == customer.conversation_id, start=start)
    joined = await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "assigned")
    assert joined["assigned_agent_id"] == "bob"
    start = len(agent.ws.frames)
    await agent.ws.send({"type": "message", "conversation_id": customer.conversation_id, "client_msg_id": "a1",
                         "text": "Hi, I'm Bob. Let me check order 10007 for you."})
    await agent.ws.wait_for(lambda f: f["type"] == "ack" and f.get("client_msg_id") == "a1", start=start)
    said = await customer.ws.wait_for(lambda f: f["type"] == "message" and f["message"]["sender"] == "agent")
    # A customer message after the handoff goes to the agent, not to the bot either.
    assert (await customer.say("thanks"))["type"] == "ack"
    await agent.ws.wait_for(lambda f: f["type"] == "message" and f["message"]["text"] == "thanks")

    history = await customer.history()
    late = [m for m in history if m["sender"] == "bot" and m["seq"] > ack["seq"]]
    assert late == [], late  # Rasa's late answer was never stored nor shown
    assert said["message"]["seq"] > handoff_at
    await customer.ws.close()
    await agent.ws.close()
