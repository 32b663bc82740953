"""Agent assist through the real stack: while a person has the chat, each customer turn is read by
the assistant's NLU only; the team's consoles get what it understood, the fitting canned reply in
the customer's language and a prefilled tool; the bot never says a word; what the agent did with
each suggestion is recorded once."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from devstack import demo_shop as shop
from devstack.clients import Agent, Customer, Frame
from tests.support.tokens import customer_token

# One turn per language, as a customer would write it once a person has the chat, and what the
# assistant should read in it.
TURNS = {
    "en": ("where is my order {order_id}? it still hasnt arrived", "order_status", "order"),
    "id": ("kak aku mau refund aja buat pesanan {order_id}", "request_refund", "refund"),
    "he": ("מה הסטטוס של הזמנה {order_id}?", "order_status", "order"),
}
HANDOFF = {"en": "I want to talk to a person", "id": "mau ngobrol sama cs manusia aja kak",
           "he": "אני רוצה לדבר עם נציג אנושי"}


def _customer_with_order(language: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A customer of this language with a delivered order (and its paid invoice)."""
    for customer in shop.load("customers"):
        if customer["language"] != language:
            continue
        for order in shop.orders("delivered"):
            paid = shop.invoice_for(order["order_id"])["status"] == "paid"
            if order["customer_id"] == customer["customer_id"] and paid:
                return customer, order
    raise AssertionError(f"no {language} customer with a delivered, paid order")


async def _signed_in(app_url: str, customer_id: str, locale: str) -> Customer:
    return await Customer(app_url).start(locale=locale, customer_token=customer_token(customer_id))


async def _decide(agent: Agent, conversation_id: str, suggestion_id: int, outcome: str) -> Frame:
    start = len(agent.ws.frames)
    await agent.ws.send({"type": "suggestion", "conversation_id": conversation_id, "suggestion_id": suggestion_id,
                         "outcome": outcome})
    return await agent.ws.wait_for(lambda f: f["type"] in ("suggestion_decided", "error"), start=start)


@pytest.mark.parametrize("language", ["en", "id", "he"])
async def test_suggestions_for_each_customer_turn_and_the_bot_stays_silent(app_url: str, language: str) -> None:
    agent_name = {"en": "bob", "id": "bob", "he": "alice"}[language]
    agent = await Agent(app_url, agent_name, f"{agent_name}-demo").login()
    watcher = await Agent(app_url, "sari", "sari-demo").login()  # another console following the chat
    person, order = _customer_with_order(language)
    customer = await _signed_in(app_url, person["customer_id"], language)
    await customer.say(HANDOFF[language])
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued")
    cid = customer.conversation_id
    assert (await agent.claim(cid))["type"] == "claimed"
    await watcher.ws.send({"type": "resume", "conversation_id": cid, "last_seq": 0})
    await watcher.ws.wait_for(lambda f: f["type"] == "conversation" and f["conversation"]["id"] == cid)
    bot_said = len([m for m in customer.ws.messages() if m["sender"] == "bot"])

    text, intent, tool = TURNS[language]
    asked = await customer.say(text.format(order_id=order["order_id"]))
    frame = await agent.ws.wait_for(lambda f: f["type"] == "suggestion" and f["conversation_id"] == cid)
    suggestion = frame["suggestion"]
    assert suggestion["seq"] == asked["seq"] and suggestion["language"] == language
    assert suggestion["intent"] == intent, suggestion
    assert 0 < suggestion["confidence"] <= 1
    assert suggestion["tool"]["kind"] == tool
    # The fitting canned reply, in the customer's language, filled in for this customer and order.
    canned = suggestion["canned"]
    assert canned is not None, suggestion
    first_name = person["name"].split()[0]
    assert first_name in canned["text"] and "[" not in canned["text"], canned
    if intent == "order_status":
        assert order["order_id"] in canned["text"] and order["tracking_number"] in canned["text"]
    assert suggestion["tool"]["prefill"]["order_id"] == order["order_id"]
    if tool == "refund":
        invoice = shop.invoice_for(order["order_id"])
        assert suggestion["tool"]["prefill"]["invoice_id"] == invoice["invoice_id"]
        assert suggestion["tool"]["prefill"]["amount"] == invoice["total"]
    # The other console following the chat sees it too; the customer never does.
    await watcher.ws.wait_for(lambda f: f["type"] == "suggestion" and f["suggestion"]["id"] == suggestion["id"])

    # The agent answers; the bot said nothing after the handoff.
    reply = await agent.say(cid, "Let me look into that.")
    await customer.ws.wait_for(lambda f: f["type"] == "message" and f["message"]["seq"] == reply["seq"])
    assert len([m for m in customer.ws.messages() if m["sender"] == "bot"]) == bot_said
    assert not [f for f in customer.ws.frames if f["type"] == "suggestion"]

    # What the agent did is recorded once, and only by the agent who has the chat.
    assert (await _decide(watcher, cid, suggestion["id"], "sent"))["code"] == "not_allowed"
    first = await _decide(agent, cid, suggestion["id"], "ignored")
    assert first["recorded"] is True
    assert (await _decide(agent, cid, suggestion["id"], "sent"))["recorded"] is False
    async with httpx.AsyncClient(base_url=app_url, headers={"Authorization": f"Bearer {agent.token}"}) as http:
        rows = (await http.get(f"/api/agent/conversations/{cid}/suggestions")).json()
        assert [(r["id"], r["outcome"]) for r in rows] == [(suggestion["id"], "ignored")]
        assert (await http.get("/api/agent/conversations/nope/suggestions")).status_code == 404

    await agent.close_conversation(cid)
    await agent.ws.close()
    await watcher.ws.close()
