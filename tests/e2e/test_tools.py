"""The agent's tools through the real stack (docs/protocol.md, "Agent tools"): a credit within the
agent's authority applied at once, a refund above it approved live by a supervisor, another request
declined, the shop's rules and the customer's records enforced, the audit log and its CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from devstack import demo_shop as shop
from devstack.clients import Agent, Customer, Frame
from tests.support.tokens import customer_token

POLICY = shop.load("policy")
RATES: dict[str, float] = POLICY["rates_per_usd"]
LIMIT_USD = POLICY["agents"]["credit_or_refund_without_approval_usd"]


def _paid(invoice: dict[str, Any]) -> float:
    return round(sum(p["amount"] for p in invoice["payments"]), 2)


def _big_invoices(customer_id: str) -> list[dict[str, Any]]:
    """Paid invoices of the customer, nothing refunded, no anomaly, paid more than the agents' limit."""
    return [i for i in shop.load("invoices") if i["customer_id"] == customer_id and i["status"] == "paid"
            and not i.get("refund") and not i.get("anomaly") and _paid(i) / RATES[i["currency"]] > LIMIT_USD]


def _cancellable(customer_id: str) -> list[dict[str, Any]]:
    return [o for o in shop.orders() if o["customer_id"] == customer_id
            and o["status"] in POLICY["cancellation"]["free_while"]]


def _pick_customer() -> str:
    """The customer with the most large invoices among those who also have an order still cancellable."""
    ids = [c["customer_id"] for c in shop.load("customers") if _cancellable(c["customer_id"])]
    return max(ids, key=lambda cid: (len(_big_invoices(cid)), cid))


def _money(amount: float, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


@pytest.fixture
async def records(stack: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The shop's records as the shop API has them now."""
    async with httpx.AsyncClient(base_url=f"{stack.config.app_url}/api/shop",
                                 headers={"Authorization": f"Bearer {stack.config.service_token}"}) as http:
        yield http


def _as(app_url: str, agent: Agent) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=app_url, headers={"Authorization": f"Bearer {agent.token}"})


async def _system_message(customer: Customer, text: str, start: int) -> Frame:
    return await customer.ws.wait_for(lambda f: f["type"] == "message" and f["message"]["sender"] == "system"
                                      and text in f["message"]["text"], start=start)


async def test_tools_authority_approvals_and_audit(app_url: str, records: httpx.AsyncClient) -> None:
    customer_id = _pick_customer()
    person = shop.customer(customer_id)
    currency = person["currency"]
    invoice = max(_big_invoices(customer_id), key=_paid)
    order = max(_cancellable(customer_id), key=lambda o: o["order_id"])
    assert (await records.get(f"/orders/{order['order_id']}")).json()["cancellable"]
    # Another customer's order the shop would let its owner cancel: refused for who it belongs to.
    foreign = next(o for o in shop.orders() if o["customer_id"] != customer_id
                   and o["status"] in POLICY["cancellation"]["free_while"])

    alice = await Agent(app_url, "alice", "alice-demo").login()
    bob = await Agent(app_url, "bob", "bob-demo").login()
    customer = await Customer(app_url).start(customer_token=customer_token(customer_id))
    await customer.say("I want to talk to a person")
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued")
    cid = customer.conversation_id
    assert (await bob.claim(cid))["type"] == "claimed"
    tools = f"/api/agent/conversations/{cid}/tools"

    async with _as(app_url, bob) as as_bob, _as(app_url, alice) as as_alice:
        # Only the assigned agent uses tools on the conversation.
        refused = await as_alice.post(tools, json={"kind": "credit", "amount": 1})
        assert refused.status_code == 403 and refused.json()["detail"]["code"] == "not_allowed"

        # The body is checked before anything else: bounds, and the fields each tool needs.
        for bad in ({"kind": "credit", "amount": 0}, {"kind": "credit", "amount": 10**9 + 1},
                    {"kind": "refund", "amount": 5}, {"kind": "cancel_order"}, {"kind": "teleport"},
                    {"kind": "credit", "amount": 5, "extra": 1}, {"kind": "credit", "amount": 5, "note": "x" * 501}):
            assert (await as_bob.post(tools, json=bad)).status_code == 422, bad

        # A credit within the agent's authority: applied at once, and the customer is told.
        small = round(10 * RATES[currency], 2)
        start = len(customer.ws.frames)
        credit = await as_bob.post(tools, json={"kind": "credit", "amount": small, "note": "sorry for the wait"})
        assert credit.status_code == 201, credit.text
        assert credit.json()["status"] == "done" and credit.json()["currency"] == currency
        await _system_message(customer, f"A credit of {_money(small, currency)} was added", start)
        assert (await records.get(f"/customers/{customer_id}")).json()["credit"]["balance"] == small

        # A refund above it waits for a supervisor: alice's console hears it live, nothing is applied yet.
        amount = _paid(invoice)
        alice_start = len(alice.ws.frames)
        big = await as_bob.post(tools, json={"kind": "refund", "invoice_id": invoice["invoice_id"], "amount": amount})
        assert big.status_code == 201, big.text
        request = big.json()
        assert request["status"] == "pending_approval" and request["amount_usd"] > LIMIT_USD
        frame = await alice.ws.wait_for(lambda f: f["type"] == "approval" and f["request"]["id"] == request["id"],
                                        start=alice_start)
        assert frame["request"]["status"] == "pending_approval" and frame["request"]["agent_id"] == "bob"
        assert "refund" not in (await records.get(f"/orders/{invoice['order_id']}/invoice")).json()
        assert request["id"] in [r["id"] for r in (await as_alice.get("/api/agent/approvals")).json()]
        assert (await as_bob.get("/api/agent/approvals")).status_code == 403
        decision = f"/api/agent/approvals/{request['id']}/decision"
        assert (await as_bob.post(decision, json={"approve": True})).status_code == 403  # not a supervisor

        # Approved: applied, the customer told, bob's console hears the outcome.
        start, bob_start = len(customer.ws.frames), len(bob.ws.frames)
        approved = await as_alice.post(decision, json={"approve": True})
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "done" and approved.json()["approver_id"] == "alice"
        await _system_message(customer, f"A refund of {_money(amount, currency)} for order {invoice['order_id']}",
                              start)
        await bob.ws.wait_for(lambda f: f["type"] == "approval" and f["request"]["id"] == request["id"]
                              and f["request"]["status"] == "done", start=bob_start)
        refund = (await records.get(f"/orders/{invoice['order_id']}/invoice")).json()["refund"]
        assert refund["amount"] == amount and refund["by"] == "bob" and refund["status"] == "pending"
        again = await as_alice.post(decision, json={"approve": False, "reason": "changed my mind"})
        assert again.status_code == 409 and again.json()["detail"]["code"] == "already_decided"

        # The audit log has it (in both currencies) and so does its CSV export; agents cannot read it.
        audit = (await as_alice.get("/api/supervisor/audit", params={"customer_id": customer_id})).json()
        entry = next(e for e in audit if e["request_id"] == request["id"])
        assert (entry["agent_id"], entry["approver_id"], entry["kind"]) == ("bob", "alice", "refund")
        assert (entry["amount"], entry["currency"], entry["amount_usd"]) == (amount, currency, request["amount_usd"])
        assert entry["conversation_id"] == cid and entry["invoice_id"] == invoice["invoice_id"]
        assert not any(e["kind"] == "credit" for e in audit)  # the small credit is under the audit threshold
        exported = await as_alice.get("/api/supervisor/audit.csv", params={"q": request["id"]})
        assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert [r["request_id"] for r in rows] == [request["id"]]
        assert float(rows[0]["amount_usd"]) == request["amount_usd"] and rows[0]["approver_id"] == "alice"
        assert (await as_bob.get("/api/supervisor/audit")).status_code == 403
        async with httpx.AsyncClient(base_url=app_url) as http:  # admins read it too
            dana = (await http.post("/api/agent/login", json={"agent_id": "dana", "password": "dana-demo"})).json()
            by_day = await http.get("/api/supervisor/audit", params={"since": entry["at"][:10], "q": request["id"]},
                                    headers={"Authorization": f"Bearer {dana['token']}"})
        assert by_day.status_code == 200 and [e["request_id"] for e in by_day.json()] == [request["id"]]

        # Another one above the limit, declined with a reason: nothing is applied.
        large = round((LIMIT_USD + 100) * RATES[currency], 2)
        pending = (await as_bob.post(tools, json={"kind": "credit", "amount": large})).json()
        assert pending["status"] == "pending_approval"
        decision = f"/api/agent/approvals/{pending['id']}/decision"
        assert (await as_alice.post(decision, json={"approve": False})).status_code == 422  # no reason
        declined = await as_alice.post(decision, json={"approve": False, "reason": "above what we owe"})
        assert declined.json()["status"] == "declined" and declined.json()["decision_reason"] == "above what we owe"
        assert (await records.get(f"/customers/{customer_id}")).json()["credit"]["balance"] == small

        # Never more than was paid (less what was refunded already).
        above = await as_bob.post(tools, json={"kind": "refund", "invoice_id": invoice["invoice_id"], "amount": 1})
        assert above.status_code == 409 and above.json()["detail"]["code"] == "above_paid"

        # Cancel an order of theirs; another customer's order is refused.
        start = len(customer.ws.frames)
        cancelled = await as_bob.post(tools, json={"kind": "cancel_order", "order_id": order["order_id"]})
        assert cancelled.status_code == 201 and cancelled.json()["result"]["status"] == "cancelled"
        await _system_message(customer, f"Order {order['order_id']} was cancelled", start)
        assert (await records.get(f"/orders/{order['order_id']}")).json()["status"] == "cancelled"
        before = (await records.get(f"/orders/{foreign['order_id']}")).json()["status"]
        theirs = await as_bob.post(tools, json={"kind": "cancel_order", "order_id": foreign["order_id"]})
        assert theirs.status_code == 403 and theirs.json()["detail"]["code"] == "not_this_customer"
        assert (await records.get(f"/orders/{foreign['order_id']}")).json()["status"] == before

        listed = (await as_bob.get(tools)).json()
        assert [(r["kind"], r["status"]) for r in listed] == [
            ("credit", "done"), ("refund", "done"), ("credit", "declined"), ("cancel_order", "done")]

    await bob.close_conversation(cid)
    for socket in (alice.ws, bob.ws, customer.ws):
        await socket.close()
