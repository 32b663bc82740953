"""Shop queries and the rules that need the shop's policy and today's date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.clock import Clock
from handoff.shop.models import Customer, Invoice, Order, Policy, Product, Subscription


class ShopRuleViolation(Exception):
    """The shop's policy does not allow this; `code` says which rule (clients branch on it)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class OrderNotCancellable(ShopRuleViolation):
    def __init__(self, order_id: str) -> None:
        super().__init__("not_cancellable", f"order {order_id} has already shipped or is closed")


async def get_policy(*, session: AsyncSession) -> dict[str, Any]:
    row = await session.get(Policy, "policy")
    return row.data if row else {}


def order_view(order: Order, policy: dict[str, Any], today: date) -> dict[str, Any]:
    """The order record plus what follows from policy on `today` (so clients never re-derive it)."""
    data = dict(order.data)
    data["status"] = order.status
    eta = data.get("estimated_delivery")
    data["late"] = order.status == "shipped" and eta is not None and date.fromisoformat(str(eta)) < today
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


async def resolve_reference(*, session: AsyncSession, reference: str) -> dict[str, Any] | None:
    """What a reference the customer gave points at: an order number, an invoice id or a
    subscription id, with the order (if any) and the customer it belongs to."""
    ref = reference.strip().upper()
    if ref.startswith("INV-"):
        invoice = await session.scalar(select(Invoice).where(Invoice.invoice_id == ref))
        return None if invoice is None else {"kind": "invoice", "reference": ref, "order_id": invoice.order_id,
                                             "customer_id": invoice.customer_id}
    if ref.startswith("SUB-"):
        sub = await session.scalar(select(Subscription).where(Subscription.subscription_id == ref))
        return None if sub is None else {"kind": "subscription", "reference": ref, "order_id": None,
                                         "customer_id": sub.customer_id}
    order = await session.scalar(select(Order).where(Order.order_id == ref))
    return None if order is None else {"kind": "order", "reference": ref, "order_id": order.order_id,
                                       "customer_id": order.customer_id}


async def verify_identity(*, session: AsyncSession, reference: str, email: str) -> str | None:
    """The customer id when `email` is the e-mail of the customer the reference (order number,
    invoice id or subscription id) belongs to."""
    found = await resolve_reference(session=session, reference=reference)
    if found is None:
        return None
    customer = await session.get(Customer, found["customer_id"])
    if customer is None or customer.email != email.strip().lower():
        return None
    return str(customer.customer_id)


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


def to_usd(amount: float, currency: str, policy: dict[str, Any]) -> float:
    rate = float(policy.get("rates_per_usd", {}).get(currency, 1.0))
    return round(amount / rate, 2)


async def _order_row(session: AsyncSession, order_id: str) -> Order:
    order = await session.get(Order, order_id)
    if order is None:
        raise LookupError(order_id)
    return order


async def _change_before_shipping(
    session: AsyncSession, order_id: str, clock: Clock, changes: Callable[[dict[str, Any]], dict[str, Any]]
) -> dict[str, Any]:
    """Applies `changes` to the order's record if policy still allows changes in its status."""
    policy = await get_policy(session=session)
    order = await _order_row(session, order_id)
    if order.status not in policy.get("changes", {}).get("items_or_address_while", []):
        raise ShopRuleViolation("not_changeable", f"order {order_id} is {order.status}")
    order.data = {**order.data, **changes(order.data)}
    await session.commit()
    return order_view(order, policy, clock.today())


async def request_change(*, session: AsyncSession, order_id: str, details: str, clock: Clock) -> dict[str, Any]:
    """Records a change of items or quantities for the warehouse to apply before shipping."""
    entry = {"details": details, "requested_on": clock.today().isoformat()}
    return await _change_before_shipping(
        session, order_id, clock, lambda data: {"change_requests": [*data.get("change_requests", []), entry]}
    )


async def change_address(*, session: AsyncSession, order_id: str, address: str, clock: Clock) -> dict[str, Any]:
    return await _change_before_shipping(session, order_id, clock, lambda data: {"shipping_address": address})


async def start_return(*, session: AsyncSession, order_id: str, clock: Clock) -> dict[str, Any]:
    policy = await get_policy(session=session)
    order = await _order_row(session, order_id)
    view = order_view(order, policy, clock.today())
    if order.status != "delivered":
        raise ShopRuleViolation("not_delivered", f"order {order_id} is {order.status}")
    if not view["returnable"]:
        raise ShopRuleViolation("outside_return_window", f"the return window ended on {view['return_window_ends']}")
    if order.data.get("pending_return_id"):
        return view
    return_id = f"RET-{order_id}"
    order.data = {**order.data, "pending_return_id": return_id, "return_requested_on": clock.today().isoformat()}
    await session.commit()
    return order_view(order, policy, clock.today())


async def refund_eligibility(*, session: AsyncSession, order_id: str, clock: Clock) -> dict[str, Any]:
    """Whether the bot may file a refund request itself, and for how much (shipping is not refunded)."""
    policy = await get_policy(session=session)
    order = await _order_row(session, order_id)
    view = order_view(order, policy, clock.today())
    invoice = await session.scalar(select(Invoice).where(Invoice.order_id == order_id))
    refunds = policy.get("refunds", {})
    shipping = 0.0 if refunds.get("shipping_refunded") else float(order.data.get("shipping", 0.0))
    amount = round(float(order.data.get("total", 0.0)) - shipping, 2)
    amount_usd = to_usd(amount, order.data.get("currency", "USD"), policy)
    limit = float(refunds.get("bot_may_request_up_to_usd", 0.0))
    result = {
        "order_id": order_id,
        "amount": amount,
        "currency": order.data.get("currency"),
        "amount_usd": amount_usd,
        "limit_usd": limit,
        "eligible": False,
        "reason": None,
        "to": refunds.get("to"),
        "processing_business_days": refunds.get("processing_business_days"),
    }
    if invoice is not None and invoice.data.get("anomaly") == "duplicate_charge":
        result["reason"] = "duplicate_charge"
    elif invoice is not None and invoice.data.get("refund"):
        result["reason"] = "already_refunded"
    elif order.status != "delivered":
        result["reason"] = "not_delivered"
    elif not view["returnable"]:
        result["reason"] = "outside_return_window"
    elif amount_usd > limit:
        result["reason"] = "above_bot_limit"
    else:
        result["eligible"] = True
    return result


async def request_refund(*, session: AsyncSession, order_id: str, clock: Clock) -> dict[str, Any]:
    check = await refund_eligibility(session=session, order_id=order_id, clock=clock)
    if not check["eligible"]:
        raise ShopRuleViolation(check["reason"], f"refund for order {order_id} needs a person: {check['reason']}")
    invoice = await session.scalar(select(Invoice).where(Invoice.order_id == order_id))
    assert invoice is not None
    refund = {
        "amount": check["amount"],
        "status": "pending",
        "requested_on": clock.today().isoformat(),
        "reason": "customer request via assistant",
    }
    invoice.data = {**invoice.data, "refund": refund}
    await session.commit()
    return {**check, "refund": refund, "invoice_id": invoice.invoice_id}


async def invoices_for_customer(*, session: AsyncSession, customer_id: str) -> list[dict[str, Any]]:
    rows = await session.scalars(select(Invoice).where(Invoice.customer_id == customer_id).order_by(Invoice.invoice_id))
    return [dict(i.data) for i in rows]


async def subscriptions_for_customer(*, session: AsyncSession, customer_id: str) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(Subscription).where(Subscription.customer_id == customer_id).order_by(Subscription.subscription_id)
    )
    return [dict(s.data) for s in rows]


async def change_subscription(
    *, session: AsyncSession, subscription_id: str, action: str, clock: Clock, months: int = 1
) -> dict[str, Any]:
    """action: cancel | pause | discount (the retention offers come from policy)."""
    policy = await get_policy(session=session)
    row = await session.get(Subscription, subscription_id)
    if row is None:
        raise LookupError(subscription_id)
    data = dict(row.data)
    today = clock.today()
    if data["status"] == "cancelled":
        raise ShopRuleViolation("already_cancelled", f"subscription {subscription_id} is already cancelled")
    if action == "cancel":
        # Effective at the end of the paid month: the day before the next renewal.
        renewal = data.get("next_renewal")
        ends = date.fromisoformat(renewal) - timedelta(days=1) if renewal else today
        data.update(status="cancelled", cancelled_on=today.isoformat(), ends_on=ends.isoformat())
        data.pop("next_renewal", None)
    elif action == "pause":
        limit = int(policy.get("subscriptions", {}).get("pause_max_months", 0))
        if not 1 <= months <= limit:
            raise ShopRuleViolation("pause_too_long", f"a subscription can be paused for 1 to {limit} months")
        until = today + timedelta(days=30 * months)
        data.update(status="paused", paused_until=until.isoformat())
    elif action == "discount":
        data["discount"] = {"percent": 20, "renewals": 3, "granted_on": today.isoformat()}
    else:
        raise ValueError(action)
    row.data = data
    await session.commit()
    return data


async def update_customer(*, session: AsyncSession, customer_id: str, changes: dict[str, str]) -> dict[str, Any]:
    customer = await session.get(Customer, customer_id)
    if customer is None:
        raise LookupError(customer_id)
    allowed = {k: v for k, v in changes.items() if k in ("email", "phone", "address") and v}
    if "email" in allowed:
        customer.email = allowed["email"].lower()
    customer.data = {**customer.data, **allowed}
    await session.commit()
    return dict(customer.data)


async def products(*, session: AsyncSession) -> list[dict[str, Any]]:
    return [dict(p.data) for p in await session.scalars(select(Product).order_by(Product.sku))]


# --- the agents' tools (handoff/tools): the same records and rules, with a person's authority ------

def paid_total(invoice: dict[str, Any]) -> float:
    """What the customer actually paid on an invoice (a duplicate charge counts twice)."""
    return round(sum(float(p.get("amount", 0.0)) for p in invoice.get("payments") or []), 2)


def refunded_total(invoice: dict[str, Any]) -> float:
    """Everything refunded (or on its way back) on an invoice: the agents' refunds are listed in
    `refunds`; a refund the shop recorded before that list existed is the single `refund`."""
    if "refunds" in invoice:
        return round(sum(float(r.get("amount", 0.0)) for r in invoice["refunds"]), 2)
    return round(float((invoice.get("refund") or {}).get("amount", 0.0)), 2)


def check_refund(invoice: dict[str, Any], amount: float) -> float:
    """What is left to refund on the invoice, if `amount` fits in it; else the rule it breaks."""
    currency, invoice_id = invoice.get("currency", "USD"), invoice.get("invoice_id")
    paid, refunded = paid_total(invoice), refunded_total(invoice)
    left = round(paid - refunded, 2)
    if amount > left:
        raise ShopRuleViolation("above_paid", f"at most {left:.2f} {currency} of invoice {invoice_id} can be refunded "
                                              f"(paid {paid:.2f}, already refunded {refunded:.2f}); "
                                              f"{amount:.2f} asked")
    return left


async def invoice_row(*, session: AsyncSession, invoice_id: str, lock: bool = False) -> Invoice | None:
    query = select(Invoice).where(Invoice.invoice_id == invoice_id).execution_options(populate_existing=True)
    # FOR UPDATE on PostgreSQL: two refunds of one invoice are checked one after the other.
    return await session.scalar(query.with_for_update() if lock else query)


async def refund_invoice(*, session: AsyncSession, invoice_id: str, amount: float, by: str, reason: str,
                         clock: Clock) -> dict[str, Any]:
    """A refund an agent issues: at most what was paid on the invoice less what was already refunded."""
    invoice = await invoice_row(session=session, invoice_id=invoice_id, lock=True)
    if invoice is None:
        raise LookupError(invoice_id)
    data = dict(invoice.data)
    currency = str(data.get("currency", "USD"))
    try:
        left = check_refund(data, amount)
    except ShopRuleViolation:
        await session.rollback()
        raise
    refund = {"amount": round(amount, 2), "status": "pending", "requested_on": clock.today().isoformat(),
              "reason": reason, "by": by}
    earlier = data["refunds"] if "refunds" in data else ([data["refund"]] if data.get("refund") else [])
    data["refunds"] = [*earlier, refund]
    data["refund"] = refund  # the latest, where the bot and the console look
    if round(left - amount, 2) <= 0:
        data["status"] = "refunded"
    invoice.data = data
    await session.commit()
    return {"invoice_id": invoice_id, "order_id": invoice.order_id, "currency": currency, "refund": refund,
            "refunded_total": refunded_total(data), "paid_total": paid_total(data)}


async def add_credit(*, session: AsyncSession, customer_id: str, amount: float, by: str, reason: str,
                     clock: Clock) -> dict[str, Any]:
    """Account credit in the customer's currency: a balance and its history on the customer's record."""
    query = select(Customer).where(Customer.customer_id == customer_id).execution_options(populate_existing=True)
    customer = await session.scalar(query.with_for_update())
    if customer is None:
        raise LookupError(customer_id)
    data = dict(customer.data)
    currency = str(data.get("currency", "USD"))
    credit = dict(data.get("credit") or {"balance": 0.0, "currency": currency, "history": []})
    entry = {"amount": round(amount, 2), "on": clock.today().isoformat(), "reason": reason, "by": by}
    credit["balance"] = round(float(credit.get("balance", 0.0)) + amount, 2)
    credit["history"] = [*credit.get("history", []), entry]
    data["credit"] = credit
    customer.data = data
    await session.commit()
    return {"customer_id": customer_id, "currency": currency, "credit": entry, "balance": credit["balance"]}


async def resend_invoice(*, session: AsyncSession, invoice_id: str, clock: Clock) -> dict[str, Any]:
    """Sends the invoice to the customer's e-mail again (recorded; the demo shop sends no mail)."""
    invoice = await invoice_row(session=session, invoice_id=invoice_id)
    if invoice is None:
        raise LookupError(invoice_id)
    if invoice.data.get("status") == "void":
        raise ShopRuleViolation("invoice_void", f"invoice {invoice_id} is void")
    invoice.data = {**invoice.data, "resent_on": clock.today().isoformat()}
    await session.commit()
    return {"invoice_id": invoice_id, "order_id": invoice.order_id, "resent_on": invoice.data["resent_on"]}
