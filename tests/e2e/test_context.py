"""The handoff context has what the agent needs to resolve a problem in one contact: the customer's
invoices and subscriptions, their earlier conversations and how those ended, and the problem's
sub-reason with the order it concerns (docs/protocol.md, "Handoff context"). Real stack."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx

from devstack import demo_shop as shop
from devstack.clients import Agent, Customer
from tests.support.tokens import customer_token


def _richest_customer() -> dict[str, Any]:
    """An English-speaking customer with a subscription, a delivered order and the most invoices."""
    invoices = Counter(i["customer_id"] for i in shop.load("invoices"))
    subscribed = {s["customer_id"] for s in shop.load("subscriptions")}
    delivered = {o["customer_id"] for o in shop.orders("delivered")}
    candidates = [c for c in shop.load("customers") if c["language"] == "en"
                  and c["customer_id"] in subscribed and c["customer_id"] in delivered]
    return max(candidates, key=lambda c: (invoices[c["customer_id"]], c["customer_id"]))


def _records(kind: str, customer_id: str, key: str) -> set[str]:
    return {r[key] for r in shop.load(kind) if r["customer_id"] == customer_id}


async def _signed_in(app_url: str, customer_id: str) -> Customer:
    return await Customer(app_url).start(customer_token=customer_token(customer_id))


async def _queued(customer: Customer) -> dict[str, Any]:
    return await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued", timeout=60)


async def _context(app_url: str, agent: Agent, conversation_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=app_url, headers={"Authorization": f"Bearer {agent.token}"}) as http:
        resp = await http.get(f"/api/agent/conversations/{conversation_id}/context")
        resp.raise_for_status()
        return dict(resp.json())


async def _claim_and_close(agent: Agent, conversation_id: str, resolution: str = "resolved") -> None:
    assert (await agent.claim(conversation_id))["type"] == "claimed"
    closed = await agent.close_conversation(conversation_id, resolution)
    assert closed["type"] == "state", closed


async def test_a_damaged_item_reaches_the_agent_with_records_problem_and_history(app_url: str) -> None:
    person = _richest_customer()
    cid = person["customer_id"]
    order = next(o for o in shop.orders("delivered") if o["customer_id"] == cid)
    bob = await Agent(app_url, "bob", "bob-demo").login()

    first = await _signed_in(app_url, cid)
    await first.say(f"my order {order['order_id']} arrived broken")
    assert (await _queued(first))["reason"] == "damaged_item"
    context = await _context(app_url, bob, first.conversation_id)
    assert context["customer"]["customer_id"] == cid
    assert {i["invoice_id"] for i in context["invoices"]} == _records("invoices", cid, "invoice_id")
    assert {s["subscription_id"] for s in context["subscriptions"]} == _records("subscriptions", cid,
                                                                                "subscription_id")
    assert context["problem"] == {"kind": "damaged_item", "order_id": order["order_id"],
                                  "invoice_id": shop.invoice_for(order["order_id"])["invoice_id"]}
    assert first.conversation_id not in {c["conversation_id"] for c in context["earlier_conversations"]}
    await _claim_and_close(bob, first.conversation_id, "resolved")

    # Back another day: the agent sees the first contact, what it was about and how it ended.
    second = await _signed_in(app_url, cid)
    await second.say("I want to talk to a person")
    assert (await _queued(second))["reason"] == "customer_request"
    context = await _context(app_url, bob, second.conversation_id)
    assert context["problem"] is None
    earlier = context["earlier_conversations"]
    assert earlier[0]["conversation_id"] == first.conversation_id, earlier  # newest first
    assert earlier[0]["reason"] == "damaged_item"
    assert earlier[0]["resolution"] == "resolved"
    assert earlier[0]["state"] == "closed" and earlier[0]["closed_at"]
    assert earlier[0]["csat_score"] is None  # not rated
    assert second.conversation_id not in {c["conversation_id"] for c in earlier}
    await _claim_and_close(bob, second.conversation_id)
    for ws in (first.ws, second.ws, bob.ws):
        await ws.close()


async def test_a_conversation_verified_as_a_guest_counts_as_the_customers(app_url: str) -> None:
    # A customer without a subscription (so none of the other tests' customers here).
    subscribed = {s["customer_id"] for s in shop.load("subscriptions")}
    order = next(o for o in shop.orders("shipped") if o["customer_id"] not in subscribed
                 and shop.customer(o["customer_id"])["language"] == "en")
    bob = await Agent(app_url, "bob", "bob-demo").login()

    guest = await Customer(app_url).start()
    await guest.ask(f"where is my order {order['order_id']}?")
    await guest.ask(shop.email_for(order))
    await guest.say("I want to talk to a person")
    await _queued(guest)
    assert (await _context(app_url, bob, guest.conversation_id))["customer"]["customer_id"] == order["customer_id"]
    await _claim_and_close(bob, guest.conversation_id, "customer_gone")

    signed_in = await _signed_in(app_url, order["customer_id"])
    await signed_in.say("I want to talk to a person")
    await _queued(signed_in)
    earlier = (await _context(app_url, bob, signed_in.conversation_id))["earlier_conversations"]
    assert earlier[0]["conversation_id"] == guest.conversation_id, earlier
    assert (earlier[0]["reason"], earlier[0]["resolution"]) == ("customer_request", "customer_gone")
    await _claim_and_close(bob, signed_in.conversation_id)
    for ws in (guest.ws, signed_in.ws, bob.ws):
        await ws.close()
