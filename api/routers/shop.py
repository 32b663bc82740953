"""The shop's service API, used by the Rasa action server. Service token required."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from api.deps import RuntimeDep, ServiceDep, SessionDep
from api.routers.responses import SERVICE, UNREADABLE_BODY, Responses
from handoff.shop import service as shop_service

router = APIRouter(prefix="/api/shop", tags=["shop"], dependencies=[ServiceDep], responses=SERVICE)

_NOT_FOUND: Responses = {404: {"description": "no such order, customer, invoice, reference or subscription"}}
_REFUSED: Responses = {409: {"description": "the shop's rules refuse it: detail.code (e.g. `not_cancellable`, "
                                            "`not_changeable`, `outside_return_window`, `pause_too_long`)"}}


class VerifyRequest(BaseModel):
    # An order number, an invoice id (INV-...) or a subscription id (SUB-...).
    reference: str = Field(min_length=1, max_length=32)
    email: str = Field(max_length=254)


class VerifyResult(BaseModel):
    verified: bool
    customer_id: str | None = None


@router.get("/orders/{order_id}", responses=_NOT_FOUND)
async def get_order(order_id: str, session: SessionDep, rt: RuntimeDep) -> dict[str, Any]:
    order = await shop_service.get_order(session=session, order_id=order_id, clock=rt.clock)
    if order is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"order {order_id} not found")
    return order


@router.post("/identity/verify", responses=UNREADABLE_BODY)
async def verify_identity(body: VerifyRequest, session: SessionDep) -> VerifyResult:
    customer_id = await shop_service.verify_identity(session=session, reference=body.reference, email=body.email)
    return VerifyResult(verified=customer_id is not None, customer_id=customer_id)


@router.get("/references/{reference}", responses=_NOT_FOUND)
async def resolve_reference(reference: str, session: SessionDep) -> dict[str, Any]:
    """What an order number, invoice id or subscription id points at (order and customer)."""
    found = await shop_service.resolve_reference(session=session, reference=reference)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{reference} not found")
    return found


@router.get("/orders/{order_id}/invoice", responses=_NOT_FOUND)
async def get_invoice(order_id: str, session: SessionDep) -> dict[str, Any]:
    invoice = await shop_service.invoice_for_order(session=session, order_id=order_id)
    if invoice is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no invoice for order {order_id}")
    return invoice


@router.post("/orders/{order_id}/cancel", responses=_NOT_FOUND | _REFUSED)
async def cancel_order(order_id: str, session: SessionDep, rt: RuntimeDep) -> dict[str, Any]:
    if await shop_service.get_order(session=session, order_id=order_id, clock=rt.clock) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"order {order_id} not found")
    return await _guard(shop_service.cancel_order(session=session, order_id=order_id, clock=rt.clock),
                        f"order {order_id}")


@router.get("/customers/{customer_id}", responses=_NOT_FOUND)
async def get_customer(customer_id: str, session: SessionDep) -> dict[str, Any]:
    customer = await shop_service.get_customer(session=session, customer_id=customer_id)
    if customer is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"customer {customer_id} not found")
    return customer


@router.get("/customers/{customer_id}/orders")
async def customer_orders(customer_id: str, session: SessionDep, rt: RuntimeDep) -> list[dict[str, Any]]:
    """The customer's orders, newest first."""
    return await shop_service.orders_for_customer(session=session, customer_id=customer_id, clock=rt.clock)


@router.get("/policy")
async def get_policy(session: SessionDep) -> dict[str, Any]:
    return await shop_service.get_policy(session=session)


def _refused(exc: shop_service.ShopRuleViolation) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, {"code": exc.code, "detail": exc.detail})


async def _guard(call: Awaitable[dict[str, Any]], what: str) -> dict[str, Any]:
    try:
        return await call
    except shop_service.ShopRuleViolation as exc:
        raise _refused(exc) from exc
    except LookupError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{what} not found") from exc


class ChangeRequest(BaseModel):
    details: str = Field(min_length=1, max_length=1000)


class AddressChange(BaseModel):
    address: str = Field(min_length=5, max_length=300)


class SubscriptionChange(BaseModel):
    action: Literal["cancel", "pause", "discount"]
    months: int = 1


class CustomerChange(BaseModel):
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=300)


@router.post("/orders/{order_id}/change-requests", responses=_NOT_FOUND | _REFUSED | UNREADABLE_BODY)
async def request_change(order_id: str, body: ChangeRequest, session: SessionDep, rt: RuntimeDep) -> dict[str, Any]:
    return await _guard(shop_service.request_change(session=session, order_id=order_id, details=body.details,
                                                    clock=rt.clock), f"order {order_id}")


@router.post("/orders/{order_id}/address", responses=_NOT_FOUND | _REFUSED | UNREADABLE_BODY)
async def change_address(order_id: str, body: AddressChange, session: SessionDep, rt: RuntimeDep) -> dict[str, Any]:
    return await _guard(shop_service.change_address(session=session, order_id=order_id, address=body.address,
                                                    clock=rt.clock), f"order {order_id}")


@router.post("/orders/{order_id}/returns", responses=_NOT_FOUND | _REFUSED)
async def start_return(order_id: str, session: SessionDep, rt: RuntimeDep) -> dict[str, Any]:
    return await _guard(shop_service.start_return(session=session, order_id=order_id, clock=rt.clock),
                        f"order {order_id}")


@router.get("/orders/{order_id}/refund-eligibility", responses=_NOT_FOUND)
async def refund_eligibility(order_id: str, session: SessionDep, rt: RuntimeDep) -> dict[str, Any]:
    return await _guard(shop_service.refund_eligibility(session=session, order_id=order_id, clock=rt.clock),
                        f"order {order_id}")


@router.post("/orders/{order_id}/refund-requests", responses=_NOT_FOUND | _REFUSED)
async def request_refund(order_id: str, session: SessionDep, rt: RuntimeDep) -> dict[str, Any]:
    return await _guard(shop_service.request_refund(session=session, order_id=order_id, clock=rt.clock),
                        f"order {order_id}")


@router.get("/customers/{customer_id}/invoices")
async def customer_invoices(customer_id: str, session: SessionDep) -> list[dict[str, Any]]:
    return await shop_service.invoices_for_customer(session=session, customer_id=customer_id)


@router.get("/customers/{customer_id}/subscriptions")
async def customer_subscriptions(customer_id: str, session: SessionDep) -> list[dict[str, Any]]:
    return await shop_service.subscriptions_for_customer(session=session, customer_id=customer_id)


@router.patch("/customers/{customer_id}", responses=_NOT_FOUND | UNREADABLE_BODY)
async def update_customer(customer_id: str, body: CustomerChange, session: SessionDep) -> dict[str, Any]:
    return await _guard(shop_service.update_customer(session=session, customer_id=customer_id,
                                                     changes=body.model_dump(exclude_none=True)),
                        f"customer {customer_id}")


@router.post("/subscriptions/{subscription_id}", responses=_NOT_FOUND | _REFUSED | UNREADABLE_BODY)
async def change_subscription(subscription_id: str, body: SubscriptionChange, session: SessionDep,
                              rt: RuntimeDep) -> dict[str, Any]:
    return await _guard(shop_service.change_subscription(session=session, subscription_id=subscription_id,
                                                         action=body.action, months=body.months, clock=rt.clock),
                        f"subscription {subscription_id}")


@router.get("/products")
async def products(session: SessionDep) -> list[dict[str, Any]]:
    return await shop_service.products(session=session)
