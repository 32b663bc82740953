"""Shop queries and the rules that need the shop's policy and today's date."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.clock import Clock
from handoff.shop.models import Customer, Invoice, Order, Policy


class OrderNotCancellable(Exception):
    pass


async def get_policy(*, session: AsyncSession) -> dict[str, Any]:
    row = await session.get(Policy, "policy")
    return row.data if row else {}


def order_view(order: Order, policy: dict[str, Any], today: date) -> dict[str, Any]:
    """The order record plus what follows from policy on `today` (so clients never re-derive it)."""
    data = dict(order.data)
    data["status"] = order.status
    eta = data.get("estimated_delivery")
    data["late"] = order.status == "shipped" and bool(eta) and date.fromisoformat(eta) < today
    data["cancellable"] = order.status in policy.get("cancellation", {}).get("free_while", [])
    data["changeable"] = order.status in policy.get("changes", {}).get("items_or_address_while", [])
    delivered = data.get("delivered_on")
    if order.status == "delivered" and delivered:
        window = int(policy.get("returns", {}).get("window_days", 0))
        ends = date.fromisoformat(delivered) + timedelta(days=window)
        data["return_window_ends"] = ends.isoformat()
        data["returnable"] = today <= ends
    else:
        data["returnable"] = False
    return data


async def get_order(*, session: AsyncSession, order_id: str, clock: Clock) -> dict[str, Any] | None:
    order = await session.get(Order, order_id)
    if order is None:
        return None
    return order_view(order, await get_policy(session=session), clock.today())


async def orders_for_customer(*, session: AsyncSession, customer_id: str, clock: Clock) -> list[dict[str, Any]]:
    policy = await get_policy(session=session)
    rows = await session.scalars(select(Order).where(Order.customer_id == customer_id).order_by(Order.order_id.desc()))
    return [order_view(o, policy, clock.today()) for o in rows]


async def get_customer(*, session: AsyncSession, customer_id: str) -> dict[str, Any] | None:
    customer = await session.get(Customer, customer_id)
    return dict(customer.data) if customer else None


async def verify_identity(*, session: AsyncSession, order_id: str, email: str) -> str | None:
    """The customer id when `email` is the e-mail of the customer who placed the order."""
    row = await session.execute(
        select(Customer.customer_id, Customer.email).join(Order, Order.customer_id == Customer.customer_id)
        .where(Order.order_id == order_id)
    )
    found = row.first()
    if found is None or found.email != email.strip().lower():
        return None
    return found.customer_id


async def invoice_for_order(*, session: AsyncSession, order_id: str) -> dict[str, Any] | None:
    invoice = await session.scalar(select(Invoice).where(Invoice.order_id == order_id))
    if invoice is None:
        return None
    data = dict(invoice.data)
    policy = await get_policy(session=session)
    data["refund_processing_business_days"] = policy.get("refunds", {}).get("processing_business_days")
    return data


async def cancel_order(*, session: AsyncSession, order_id: str, clock: Clock) -> dict[str, Any]:
    policy = await get_policy(session=session)
    allowed = policy.get("cancellation", {}).get("free_while", [])
    # Conditional update: two concurrent cancels (or a cancel racing a shipment) cannot both apply.
    result = await session.execute(
        update(Order).where(Order.order_id == order_id, Order.status.in_(allowed)).values(status="cancelled")
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        await session.rollback()
        raise OrderNotCancellable(order_id)
    order = await session.get(Order, order_id)
    assert order is not None
    order.data = {**order.data, "status": "cancelled", "cancelled_on": clock.today().isoformat()}
    await session.commit()
    return order_view(order, policy, clock.today())
