"""Using a tool, and a supervisor's decision on one: the agents' authority from policy.json, the
shop's rules (the same functions the bot goes through), the customer told in their language, the
audit log, and every console told live (an `approval` event on the queue channel)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handoff.agents.enums import AgentRole
from handoff.agents.models import Agent
from handoff.conversations import notify, texts
from handoff.conversations import service as conversation_service
from handoff.conversations.enums import ConversationState, Sender
from handoff.conversations.exceptions import ConversationNotFound
from handoff.realtime import channels
from handoff.runtime import Runtime
from handoff.shop import service as shop_service
from handoff.shop.models import Customer, Invoice
from handoff.tools import service as tools_service
from handoff.tools.enums import RequestStatus, ToolKind
from handoff.tools.exceptions import AlreadyDecided, RequestNotFound, ToolNotAllowed, UnknownRecord
from handoff.tools.models import ToolRequest
from handoff.tools.schemas import ToolRequestCreate, ToolRequestPublic

log = logging.getLogger(__name__)

DEFAULT_REASON = "issued by the support team"


async def use_tool(rt: Runtime, *, conversation_id: str, agent_id: str, body: ToolRequestCreate) -> ToolRequestPublic:
    """Applies the tool at once, or (a refund or credit above the agent's authority) leaves it
    waiting for a supervisor. A shop rule that refuses it raises ShopRuleViolation; nothing is stored."""
    async with rt.sessions() as session:
        conversation = await conversation_service.get(session=session, conversation_id=conversation_id)
        if conversation is None:
            raise ConversationNotFound(conversation_id)
        if conversation.state != ConversationState.ASSIGNED or conversation.assigned_agent_id != agent_id:
            raise ToolNotAllowed("only the agent the conversation is assigned to can use tools on it")
        customer_id = await tools_service.customer_of(session=session, conversation=conversation)
        if customer_id is None:
            raise UnknownRecord("the conversation's customer is not known (not signed in, not verified)")
        params = await tools_service.owned_by(session=session, customer_id=customer_id, params=body.params())
        policy = await shop_service.get_policy(session=session)
        money: dict[str, Any] = {}
        if body.kind.moves_money:
            assert body.amount is not None
            currency = await _currency(session, body.kind, params, customer_id)
            if body.kind == ToolKind.REFUND:
                invoice = await shop_service.invoice_row(session=session, invoice_id=params["invoice_id"])
                assert invoice is not None
                shop_service.check_refund(invoice.data, body.amount)  # never more than what was paid
            money = {"amount": body.amount, "currency": currency,
                     "amount_usd": shop_service.to_usd(body.amount, currency, policy)}
        authority = policy.get("agents", {})
        above = bool(money) and money["amount_usd"] > float(authority.get("credit_or_refund_without_approval_usd", 0))
        if above:
            row = await tools_service.create(session=session, conversation_id=conversation_id, agent_id=agent_id,
                                             kind=body.kind, params=params, customer_id=customer_id,
                                             status=RequestStatus.PENDING_APPROVAL, clock=rt.clock, **money)
            return await _publish(rt, row)
    result = await _apply(rt, kind=body.kind, params=params, customer_id=customer_id, amount=body.amount,
                          by=agent_id)
    async with rt.sessions() as session:
        row = await tools_service.create(session=session, conversation_id=conversation_id, agent_id=agent_id,
                                         kind=body.kind, params=params, customer_id=customer_id,
                                         status=RequestStatus.DONE, clock=rt.clock, result=result, **money)
    return await _applied(rt, row, authority)


async def decide(rt: Runtime, *, request_id: str, approver: Agent, approve: bool,
                 reason: str | None) -> ToolRequestPublic:
    """A supervisor approves (it is applied now) or declines (with a reason) a pending request. The
    decision is one conditional UPDATE: of two supervisors deciding at once exactly one does."""
    if approver.role != AgentRole.SUPERVISOR:
        raise ToolNotAllowed("only a supervisor can approve or decline")
    async with rt.sessions() as session:
        row = await tools_service.get(session=session, request_id=request_id)
        if row is None:
            raise RequestNotFound(request_id)
        if row.agent_id == approver.id:
            raise ToolNotAllowed("nobody can decide on their own request")
        if row.status != RequestStatus.PENDING_APPROVAL or row.approver_id is not None:
            raise AlreadyDecided(f"this request is already {row.status}")
        if not approve:
            if not await tools_service.decline(session=session, request_id=request_id, approver_id=approver.id,
                                               reason=reason or "", clock=rt.clock):
                raise AlreadyDecided("another supervisor decided first")
            return await _publish(rt, await _reload(session, request_id))
        if not await tools_service.take_for_approval(session=session, request_id=request_id,
                                                     approver_id=approver.id, reason=reason, clock=rt.clock):
            raise AlreadyDecided("another supervisor decided first")
        policy = await shop_service.get_policy(session=session)
    try:
        result = await _apply(rt, kind=ToolKind(row.kind), params=row.params, customer_id=row.customer_id,
                              amount=row.amount, by=row.agent_id, approver=approver.id)
    except Exception as exc:
        # The records changed while it waited (refunded meanwhile, order shipped): nothing applied.
        # Anything else is failed too, so a request is never left half-decided.
        if not isinstance(exc, shop_service.ShopRuleViolation | UnknownRecord):
            log.exception("applying tool request %s failed", request_id)
        async with rt.sessions() as session:
            await tools_service.finish(session=session, request_id=request_id, status=RequestStatus.FAILED,
                                       error=str(exc) or type(exc).__name__)
            return await _publish(rt, await _reload(session, request_id))
    async with rt.sessions() as session:
        await tools_service.finish(session=session, request_id=request_id, status=RequestStatus.DONE, result=result)
        row = await _reload(session, request_id)
    return await _applied(rt, row, policy.get("agents", {}))


async def _reload(session: AsyncSession, request_id: str) -> ToolRequest:
    row = await tools_service.get(session=session, request_id=request_id)
    assert row is not None
    return row


async def _currency(session: AsyncSession, kind: ToolKind, params: dict[str, Any], customer_id: str) -> str:
    """A refund is in the invoice's currency, a credit in the customer's (the same, in this shop)."""
    record = await session.get(Invoice, params["invoice_id"]) if kind == ToolKind.REFUND \
        else await session.get(Customer, customer_id)
    if record is None:
        raise UnknownRecord(f"there is no {params.get('invoice_id') or customer_id}")
    return str(record.data.get("currency", "USD"))


async def _apply(rt: Runtime, *, kind: ToolKind, params: dict[str, Any], customer_id: str, amount: float | None,
                 by: str, approver: str | None = None) -> dict[str, Any]:
    """The shop's effect of the tool (through its rules). What the shop answered, in brief."""
    reason = str(params.get("note") or DEFAULT_REASON) + (f" (approved by {approver})" if approver else "")
    clock = rt.clock
    async with rt.sessions() as session:
        try:
            match kind:
                case ToolKind.REFUND:
                    assert amount is not None
                    return await shop_service.refund_invoice(session=session, invoice_id=params["invoice_id"],
                                                             amount=amount, by=by, reason=reason, clock=clock)
                case ToolKind.CREDIT:
                    assert amount is not None
                    return await shop_service.add_credit(session=session, customer_id=customer_id, amount=amount,
                                                         by=by, reason=reason, clock=clock)
                case ToolKind.CANCEL_ORDER:
                    order = await shop_service.cancel_order(session=session, order_id=params["order_id"], clock=clock)
                    return {k: order.get(k) for k in ("order_id", "status", "cancelled_on")}
                case ToolKind.CHANGE_ADDRESS:
                    order = await shop_service.change_address(session=session, order_id=params["order_id"],
                                                              address=params["address"], clock=clock)
                    return {k: order.get(k) for k in ("order_id", "status", "shipping_address")}
                case ToolKind.RESEND_INVOICE:
                    return await shop_service.resend_invoice(session=session, invoice_id=params["invoice_id"],
                                                             clock=clock)
                case ToolKind.PAUSE_SUBSCRIPTION | ToolKind.CANCEL_SUBSCRIPTION:
                    action = "pause" if kind == ToolKind.PAUSE_SUBSCRIPTION else "cancel"
                    sub = await shop_service.change_subscription(
                        session=session, subscription_id=params["subscription_id"], action=action, clock=clock,
                        months=int(params.get("months") or 1))
                    return {k: sub.get(k) for k in ("subscription_id", "status", "paused_until", "ends_on")}
        except LookupError as exc:
            raise UnknownRecord(f"there is no {exc}") from exc
    raise ValueError(kind)


async def _applied(rt: Runtime, row: ToolRequest, authority: dict[str, Any]) -> ToolRequestPublic:
    """After the shop applied it: the audit log (money at or above the threshold), the customer told."""
    if row.amount_usd is not None and row.amount_usd >= float(authority.get("audit_at_or_above_usd", 0)):
        async with rt.sessions() as session:
            await tools_service.audit(session=session, request=row, clock=rt.clock)
    try:
        conversation = await notify.get(rt, row.conversation_id)
        await notify.say(rt, row.conversation_id, Sender.SYSTEM,
                         texts.system_message(f"tool_{row.kind}", conversation.language, **_values(row)))
    except Exception:  # the change is made and recorded; a lost notice must not undo the answer
        log.exception("could not tell the customer of tool request %s", row.id)
    return await _publish(rt, row)


def _values(row: ToolRequest) -> dict[str, str]:
    values = {k: str(v) for k, v in {**row.params, **(row.result or {})}.items()
              if isinstance(v, str | int | float) and not isinstance(v, bool)}
    if row.amount is not None:
        values["amount"] = f"{row.amount:,.2f} {row.currency}"
    return values


async def _publish(rt: Runtime, row: ToolRequest) -> ToolRequestPublic:
    public = ToolRequestPublic.of(row)
    await rt.broker.publish(channels.QUEUE, {"type": "approval", "request": public.model_dump(mode="json")})
    return public
