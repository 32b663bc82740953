"""The agents' tools on a real database (SQLite and PostgreSQL): authority from policy.json, the
shop's rules, supervisors' approvals (exactly one of racing decisions applies) and the audit log."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from devstack import demo_shop as shop
from handoff.agents.enums import AgentRole
from handoff.agents.models import Agent
from handoff.clock import Clock
from handoff.config import Settings
from handoff.conversations import service as conversation_service
from handoff.conversations.enums import ConversationState, Sender
from handoff.conversations.models import Conversation
from handoff.realtime.broker import MemoryBroker
from handoff.runtime import Runtime
from handoff.shop import service as shop_service
from handoff.shop.loader import load_demo_store
from handoff.shop.models import Customer, Invoice
from handoff.tools import flows
from handoff.tools import service as tools_service
from handoff.tools.enums import RequestStatus, ToolKind
from handoff.tools.exceptions import AlreadyDecided, NotThisCustomer, ToolNotAllowed
from handoff.tools.models import AuditEntry
from handoff.tools.schemas import AuditFilter, ToolRequestCreate

POLICY = shop.load("policy")
RATES: dict[str, float] = POLICY["rates_per_usd"]
LIMIT_USD = POLICY["agents"]["credit_or_refund_without_approval_usd"]
AUDIT_USD = POLICY["agents"]["audit_at_or_above_usd"]
TEAM = {"bob": AgentRole.AGENT, "alice": AgentRole.SUPERVISOR, "sam": AgentRole.SUPERVISOR,
        "dana": AgentRole.ADMIN}


class NoBot:
    """The tools never talk to the bot."""

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        raise AssertionError("no bot here")

    async def parse(self, text: str) -> dict[str, Any]:
        raise AssertionError("no bot here")

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        raise AssertionError("no bot here")

    async def reset_dialogue(self, conversation_id: str) -> None:
        raise AssertionError("no bot here")

    async def reading(self, conversation_id: str) -> dict[str, Any]:
        raise AssertionError("no bot here")

    async def intents(self) -> list[str]:
        raise AssertionError("no bot here")

    async def entities(self) -> list[str]:
        raise AssertionError("no bot here")


@pytest.fixture
async def rt(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[Runtime]:
    clock = Clock(fixed_day=date.fromisoformat(POLICY["as_of"]))
    async with sessions() as session:
        await load_demo_store(session, shop.DATA)
        session.add_all(Agent(id=name, display_name=name, password_hash="-", created_at=clock.now(), role=role)
                        for name, role in TEAM.items())
        await session.commit()
    broker = MemoryBroker()
    await broker.connect()
    settings = Settings(secret_key="test-secret", environment="development")
    yield Runtime(settings=settings, sessions=sessions, broker=broker, bot=NoBot(), clock=clock)
    await broker.disconnect()


def _paid_usd(invoice: dict[str, Any]) -> float:
    return shop_service.paid_total(invoice) / RATES[invoice["currency"]]


def _invoice(low_usd: float, high_usd: float, currency: str | None = None) -> dict[str, Any]:
    """A paid invoice with nothing refunded and no anomaly, paid between the two amounts (USD)."""
    return next(i for i in shop.load("invoices") if i["status"] == "paid" and not i.get("refund")
                and not i.get("anomaly") and low_usd < _paid_usd(i) < high_usd
                and (currency is None or i["currency"] == currency))


async def _chat(rt: Runtime, customer_id: str | None, agent_id: str = "bob", language: str = "en") -> str:
    """A conversation of the customer, assigned to the agent."""
    async with rt.sessions() as session:
        conversation = await conversation_service.create(session=session, customer_id=customer_id, locale=language,
                                                         clock=rt.clock)
        await session.execute(update(Conversation).where(Conversation.id == conversation.id).values(
            state=ConversationState.ASSIGNED, assigned_agent_id=agent_id))
        await session.commit()
        return conversation.id


async def _use(rt: Runtime, cid: str, agent_id: str = "bob", **body: Any) -> Any:
    return await flows.use_tool(rt, conversation_id=cid, agent_id=agent_id, body=ToolRequestCreate(**body))


async def _decide(rt: Runtime, request_id: str, approver_id: str, approve: bool, reason: str | None = None) -> Any:
    async with rt.sessions() as session:
        approver = await session.get(Agent, approver_id)
    assert approver is not None
    return await flows.decide(rt, request_id=request_id, approver=approver, approve=approve, reason=reason)


async def _invoice_now(rt: Runtime, invoice_id: str) -> dict[str, Any]:
    async with rt.sessions() as session:
        row = await session.get(Invoice, invoice_id)
        assert row is not None
        return dict(row.data)


async def _audit(rt: Runtime, **where: Any) -> list[AuditEntry]:
    async with rt.sessions() as session:
        return list(await tools_service.search_audit(session=session, where=AuditFilter(**where)))


async def _system_texts(rt: Runtime, cid: str) -> list[str]:
    async with rt.sessions() as session:
        messages = await conversation_service.messages_after(session=session, conversation_id=cid, after_seq=0)
    return [m.text for m in messages if m.sender == Sender.SYSTEM]


async def test_a_refund_within_authority_is_applied_and_the_customer_told(rt: Runtime) -> None:
    invoice = _invoice(100, 240, "USD")
    cid = await _chat(rt, invoice["customer_id"])
    async with rt.broker.subscribe("queue") as sub:
        done = await _use(rt, cid, kind="refund", invoice_id=invoice["invoice_id"], amount=40)
        event = await asyncio.wait_for(sub.get(), 5)
    assert done.status == RequestStatus.DONE and done.amount_usd == 40.0 and done.approver_id is None
    assert event["type"] == "approval" and event["request"]["id"] == done.id
    stored = await _invoice_now(rt, invoice["invoice_id"])
    assert stored["refund"]["amount"] == 40.0 and stored["refund"]["by"] == "bob"
    assert stored["status"] == "paid"  # partly refunded
    assert f"A refund of 40.00 USD for order {invoice['order_id']} was issued" in " ".join(await _system_texts(rt, cid))
    assert await _audit(rt) == []  # under the audit threshold


async def test_above_the_limit_waits_and_the_approval_applies_it(rt: Runtime) -> None:
    invoice = _invoice(LIMIT_USD + 20, 10_000, "IDR")
    cid = await _chat(rt, invoice["customer_id"], language="id")
    amount = shop_service.paid_total(invoice)
    pending = await _use(rt, cid, kind="refund", order_id=invoice["order_id"], amount=amount)
    assert pending.status == RequestStatus.PENDING_APPROVAL and pending.params["invoice_id"] == invoice["invoice_id"]
    assert pending.amount_usd == round(amount / RATES["IDR"], 2) and pending.currency == "IDR"
    assert "refund" not in await _invoice_now(rt, invoice["invoice_id"])  # nothing applied yet
    assert await _system_texts(rt, cid) == []
    async with rt.sessions() as session:
        assert [r.id for r in await tools_service.pending(session=session)] == [pending.id]

    done = await _decide(rt, pending.id, "alice", approve=True)
    assert done.status == RequestStatus.DONE and done.approver_id == "alice"
    stored = await _invoice_now(rt, invoice["invoice_id"])
    assert stored["refund"]["amount"] == amount and stored["status"] == "refunded"
    assert "Pengembalian dana" in " ".join(await _system_texts(rt, cid))  # in the conversation's language
    [entry] = await _audit(rt)
    assert (entry.agent_id, entry.approver_id, entry.kind, entry.customer_id) == \
        ("bob", "alice", ToolKind.REFUND, invoice["customer_id"])
    assert (entry.amount, entry.currency, entry.amount_usd) == (amount, "IDR", pending.amount_usd)
    assert (entry.order_id, entry.invoice_id, entry.conversation_id) == \
        (invoice["order_id"], invoice["invoice_id"], cid)
    with pytest.raises(AlreadyDecided):
        await _decide(rt, pending.id, "sam", approve=False, reason="too late")


async def test_a_declined_request_changes_nothing(rt: Runtime) -> None:
    invoice = _invoice(LIMIT_USD + 20, 10_000)
    cid = await _chat(rt, invoice["customer_id"])
    pending = await _use(rt, cid, kind="refund", invoice_id=invoice["invoice_id"], amount=invoice["total"])
    declined = await _decide(rt, pending.id, "alice", approve=False, reason="outside the return window")
    assert declined.status == RequestStatus.DECLINED and declined.decision_reason == "outside the return window"
    assert "refund" not in await _invoice_now(rt, invoice["invoice_id"])
    assert await _audit(rt) == [] and await _system_texts(rt, cid) == []
    with pytest.raises(AlreadyDecided):
        await _decide(rt, pending.id, "sam", approve=True)


async def test_never_more_than_what_was_paid(rt: Runtime) -> None:
    invoice = _invoice(50, 400)
    paid = shop_service.paid_total(invoice)
    cid = await _chat(rt, invoice["customer_id"])
    with pytest.raises(shop_service.ShopRuleViolation) as refused:
        await _use(rt, cid, kind="refund", invoice_id=invoice["invoice_id"], amount=paid + 0.01)
    assert refused.value.code == "above_paid"
    half = round(paid / 2, 2)
    assert (await _use(rt, cid, kind="refund", invoice_id=invoice["invoice_id"], amount=half)).status == "done"
    with pytest.raises(shop_service.ShopRuleViolation):  # what is left, not the whole invoice
        await _use(rt, cid, kind="refund", invoice_id=invoice["invoice_id"], amount=round(paid - half + 0.01, 2))
    async with rt.sessions() as session:
        assert [r.status for r in await tools_service.for_conversation(session=session, conversation_id=cid)] == \
            ["done"]  # refused requests are not stored
    unpaid = next(i for i in shop.load("invoices") if i["status"] == "open" and not i["payments"])
    cid = await _chat(rt, unpaid["customer_id"])
    with pytest.raises(shop_service.ShopRuleViolation):
        await _use(rt, cid, kind="refund", invoice_id=unpaid["invoice_id"], amount=1)


@pytest.mark.parametrize("second", ["approve", "decline"])
async def test_of_two_concurrent_decisions_exactly_one_counts(rt: Runtime, second: str) -> None:
    invoice = _invoice(LIMIT_USD + 20, 10_000)
    cid = await _chat(rt, invoice["customer_id"])
    pending = await _use(rt, cid, kind="refund", invoice_id=invoice["invoice_id"], amount=invoice["total"])

    async def attempt(approver: str, approve: bool) -> str:
        try:
            return str((await _decide(rt, pending.id, approver, approve, reason="no")).status)
        except AlreadyDecided:
            return "lost"

    results = await asyncio.gather(attempt("alice", True), attempt("sam", second == "approve"))
    assert sorted(results).count("lost") == 1
    stored = await _invoice_now(rt, invoice["invoice_id"])
    refunds = stored.get("refunds", [])
    if "done" in results:
        assert len(refunds) == 1 and len(await _audit(rt)) == 1
    else:
        assert results.count("declined") == 1 and refunds == [] and await _audit(rt) == []


async def test_audit_at_or_above_the_threshold_only_in_both_currencies(rt: Runtime) -> None:
    customer = next(c for c in shop.load("customers") if c["currency"] == "IDR")
    cid = await _chat(rt, customer["customer_id"])
    at = AUDIT_USD * RATES["IDR"]
    below = await _use(rt, cid, kind="credit", amount=at - 1000)
    exactly = await _use(rt, cid, kind="credit", amount=at)
    assert below.status == exactly.status == RequestStatus.DONE
    [entry] = await _audit(rt, customer_id=customer["customer_id"])
    assert entry.request_id == exactly.id and entry.approver_id is None
    assert (entry.amount, entry.currency, entry.amount_usd) == (at, "IDR", AUDIT_USD)
    async with rt.sessions() as session:
        row = await session.get(Customer, customer["customer_id"])
    assert row is not None and row.data["credit"]["balance"] == round(2 * at - 1000, 2)
    assert len(row.data["credit"]["history"]) == 2
    # Search: by kind, by any id in the entry, by time; nothing for another agent.
    assert len(await _audit(rt, kind="credit", q=cid[:10])) == 1
    assert await _audit(rt, agent_id="alice") == [] and await _audit(rt, kind="refund") == []
    assert len(await _audit(rt, since=entry.at)) == 1 and await _audit(rt, until=entry.at) == []


async def test_only_the_assigned_agent_and_only_a_supervisor_not_their_own(rt: Runtime) -> None:
    invoice = _invoice(LIMIT_USD + 20, 10_000)
    cid = await _chat(rt, invoice["customer_id"], agent_id="alice")
    with pytest.raises(ToolNotAllowed):
        await _use(rt, cid, agent_id="bob", kind="resend_invoice", invoice_id=invoice["invoice_id"])
    pending = await _use(rt, cid, agent_id="alice", kind="refund", invoice_id=invoice["invoice_id"],
                         amount=invoice["total"])
    for who in ("alice", "bob", "dana"):  # her own; an agent; an admin
        with pytest.raises(ToolNotAllowed):
            await _decide(rt, pending.id, who, approve=True)
    assert (await _decide(rt, pending.id, "sam", approve=True)).status == RequestStatus.DONE


async def test_only_the_conversations_customer_and_the_shops_rules(rt: Runtime) -> None:
    shipped_to = {o["customer_id"]: o for o in shop.orders("shipped")}
    mine = next(o for o in shop.orders("processing") if o["customer_id"] in shipped_to)
    shipped = shipped_to[mine["customer_id"]]
    theirs = next(o for o in shop.orders("processing") if o["customer_id"] != mine["customer_id"])
    cid = await _chat(rt, mine["customer_id"])
    with pytest.raises(NotThisCustomer):
        await _use(rt, cid, kind="cancel_order", order_id=theirs["order_id"])
    done = await _use(rt, cid, kind="cancel_order", order_id=mine["order_id"])
    assert done.status == RequestStatus.DONE and done.result["status"] == "cancelled"
    assert f"Order {mine['order_id']} was cancelled." in await _system_texts(rt, cid)
    with pytest.raises(shop_service.ShopRuleViolation):
        await _use(rt, cid, kind="cancel_order", order_id=mine["order_id"])
    with pytest.raises(shop_service.ShopRuleViolation) as refused:
        await _use(rt, cid, kind="change_address", order_id=shipped["order_id"], address="1 New Street, Town")
    assert refused.value.code == "not_changeable"


async def test_a_guest_verified_in_the_chat_is_the_customer(rt: Runtime) -> None:
    sub = next(s for s in shop.load("subscriptions") if s["status"] == "active")
    cid = await _chat(rt, None, language="he")
    with pytest.raises(Exception, match="not known"):
        await _use(rt, cid, kind="pause_subscription", subscription_id=sub["subscription_id"], months=2)
    async with rt.sessions() as session:
        await conversation_service.save_context(session=session, conversation_id=cid, reason="customer_request",
                                                data={"customer": {"customer_id": sub["customer_id"]}}, clock=rt.clock)
    with pytest.raises(shop_service.ShopRuleViolation):  # policy: at most pause_max_months
        await _use(rt, cid, kind="pause_subscription", subscription_id=sub["subscription_id"], months=9)
    done = await _use(rt, cid, kind="pause_subscription", subscription_id=sub["subscription_id"], months=2)
    assert done.result["status"] == "paused"
    assert any(sub["subscription_id"] in t and "מושהה" in t for t in await _system_texts(rt, cid))
    async with rt.sessions() as session:
        assert (await session.scalar(select(AuditEntry.id))) is None
