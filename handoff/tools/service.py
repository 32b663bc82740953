"""Tool requests and the audit log in the database: plain keyword-only functions, no side effects
beyond it. Every status move is one conditional UPDATE, so of two racing deciders exactly one wins."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.clock import Clock, as_utc
from handoff.conversations import service as conversation_service
from handoff.conversations.models import Conversation
from handoff.shop.models import Invoice, Order, Subscription
from handoff.tools.enums import RequestStatus, ToolKind
from handoff.tools.exceptions import NotThisCustomer, UnknownRecord
from handoff.tools.models import AuditEntry, ToolRequest
from handoff.tools.schemas import AuditFilter


async def customer_of(*, session: AsyncSession, conversation: Conversation) -> str | None:
    """The conversation's customer: signed in, else verified in the chat (the latest handoff context)."""
    if conversation.customer_id:
        return conversation.customer_id
    context = await conversation_service.latest_context(session=session, conversation_id=conversation.id)
    customer = (context.data.get("customer") if context else None) or {}
    found = customer.get("customer_id")
    return str(found) if found else None


async def owned_by(*, session: AsyncSession, customer_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """Checks that every record named in `params` is the customer's, and fills in the invoice of an
    order (or the order of an invoice). Returns the completed params."""
    out = dict(params)
    order_id, invoice_id, subscription_id = (params.get(k) for k in ("order_id", "invoice_id", "subscription_id"))
    if invoice_id is not None:
        invoice = await session.get(Invoice, invoice_id)
        _check(invoice.customer_id if invoice else None, customer_id, f"invoice {invoice_id}")
        assert invoice is not None
        if order_id is not None and order_id != invoice.order_id:
            raise UnknownRecord(f"invoice {invoice_id} is not the invoice of order {order_id}")
        out["order_id"] = invoice.order_id
    if order_id is not None:
        order = await session.get(Order, order_id)
        _check(order.customer_id if order else None, customer_id, f"order {order_id}")
        if invoice_id is None:
            out["invoice_id"] = await session.scalar(select(Invoice.invoice_id).where(Invoice.order_id == order_id))
    if subscription_id is not None:
        sub = await session.get(Subscription, subscription_id)
        _check(sub.customer_id if sub else None, customer_id, f"subscription {subscription_id}")
    return out


def _check(owner: str | None, customer_id: str, what: str) -> None:
    if not owner:
        raise UnknownRecord(f"there is no {what}")
    if owner != customer_id:
        raise NotThisCustomer(f"{what} is not this conversation's customer's")


async def create(*, session: AsyncSession, conversation_id: str, agent_id: str, kind: ToolKind,
                 params: dict[str, Any], customer_id: str, status: RequestStatus, clock: Clock,
                 amount: float | None = None, currency: str | None = None, amount_usd: float | None = None,
                 result: dict[str, Any] | None = None, error: str | None = None) -> ToolRequest:
    row = ToolRequest(conversation_id=conversation_id, agent_id=agent_id, kind=kind, params=params,
                      customer_id=customer_id, amount=amount, currency=currency, amount_usd=amount_usd,
                      status=status, result=result, error=error, created_at=clock.now(),
                      decided_at=None if status == RequestStatus.PENDING_APPROVAL else clock.now())
    session.add(row)
    await session.commit()
    return row


async def get(*, session: AsyncSession, request_id: str) -> ToolRequest | None:
    return await session.get(ToolRequest, request_id, populate_existing=True)


async def for_conversation(*, session: AsyncSession, conversation_id: str) -> list[ToolRequest]:
    rows = await session.scalars(select(ToolRequest).where(ToolRequest.conversation_id == conversation_id)
                                 .order_by(ToolRequest.created_at))
    return list(rows)


async def pending(*, session: AsyncSession) -> list[ToolRequest]:
    """Waiting for a supervisor, oldest first (one being applied right now is no longer listed)."""
    rows = await session.scalars(select(ToolRequest).where(ToolRequest.status == RequestStatus.PENDING_APPROVAL,
                                                           ToolRequest.approver_id.is_(None))
                                 .order_by(ToolRequest.created_at))
    return list(rows)


def _undecided(request_id: str) -> Any:
    return update(ToolRequest).where(ToolRequest.id == request_id,
                                     ToolRequest.status == RequestStatus.PENDING_APPROVAL,
                                     ToolRequest.approver_id.is_(None))


async def take_for_approval(*, session: AsyncSession, request_id: str, approver_id: str, reason: str | None,
                            clock: Clock) -> bool:
    """The approver claims the pending request to apply it; of racing decisions only one gets it."""
    result = await session.execute(_undecided(request_id).values(approver_id=approver_id, decision_reason=reason,
                                                                 decided_at=clock.now()))
    await session.commit()
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def decline(*, session: AsyncSession, request_id: str, approver_id: str, reason: str, clock: Clock) -> bool:
    result = await session.execute(_undecided(request_id).values(
        status=RequestStatus.DECLINED, approver_id=approver_id, decision_reason=reason, decided_at=clock.now()))
    await session.commit()
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def finish(*, session: AsyncSession, request_id: str, status: RequestStatus,
                 result: dict[str, Any] | None = None, error: str | None = None) -> None:
    """An approved request, applied (done) or refused by the shop when applied (failed)."""
    await session.execute(update(ToolRequest).where(ToolRequest.id == request_id,
                                                    ToolRequest.status == RequestStatus.PENDING_APPROVAL)
                          .values(status=status, result=result, error=error))
    await session.commit()


async def audit(*, session: AsyncSession, request: ToolRequest, clock: Clock) -> AuditEntry:
    """The audit log's entry for an applied refund or credit (at most one per request)."""
    assert request.amount is not None and request.currency and request.amount_usd is not None
    params = request.params
    entry = AuditEntry(at=clock.now(), agent_id=request.agent_id, approver_id=request.approver_id, kind=request.kind,
                       customer_id=request.customer_id, conversation_id=request.conversation_id,
                       order_id=params.get("order_id"), invoice_id=params.get("invoice_id"), amount=request.amount,
                       currency=request.currency, amount_usd=request.amount_usd, request_id=request.id)
    session.add(entry)
    await session.commit()
    return entry


async def search_audit(*, session: AsyncSession, where: AuditFilter) -> Sequence[AuditEntry]:
    """Newest first."""
    query = select(AuditEntry)
    for column, value in ((AuditEntry.agent_id, where.agent_id), (AuditEntry.customer_id, where.customer_id),
                          (AuditEntry.kind, where.kind)):
        if value is not None:
            query = query.where(column == value)
    if where.since is not None:
        query = query.where(AuditEntry.at >= as_utc(where.since))
    if where.until is not None:
        query = query.where(AuditEntry.at < as_utc(where.until))
    if where.q:
        q = where.q.strip()
        query = query.where(or_(*(column.icontains(q, autoescape=True) for column in (
            AuditEntry.agent_id, AuditEntry.approver_id, AuditEntry.customer_id, AuditEntry.conversation_id,
            AuditEntry.order_id, AuditEntry.invoice_id, AuditEntry.request_id))))
    return list(await session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(where.limit)))
