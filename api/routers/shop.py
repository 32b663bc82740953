"""The shop's service API, used by the Rasa action server. Service token required."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from api.deps import RuntimeDep, ServiceDep, SessionDep
from handoff.shop import service as shop_service

router = APIRouter(prefix="/api/shop", tags=["shop"], dependencies=[ServiceDep])


class VerifyRequest(BaseModel):
    order_id: str
    email: str


class VerifyResult(BaseModel):
    verified: bool
    customer_id: str | None = None


@router.get("/orders/{order_id}")
async def get_order(order_id: str, session: SessionDep, rt: RuntimeDep) -> dict[str, Any]:
    order = await shop_service.get_order(session=session, order_id=order_id, clock=rt.clock)
    if order is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"order {order_id} not found")
    return order


@router.post("/identity/verify")
async def verify_identity(body: VerifyRequest, session: SessionDep) -> VerifyResult:
    customer_id = await shop_service.verify_identity(session=session, order_id=body.order_id, email=body.email)
    return VerifyResult(verified=customer_id is not None, customer_id=customer_id)


@router.get("/orders/{order_id}/invoice")
async def get_invoice(order_id: str, session: SessionDep) -> dict[str, Any]:
    invoice = await shop_service.invoice_for_order(session=session, order_id=order_id)
    if invoice is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no invoice for order {order_id}")
    return invoice


@router.post("/orders/{order_id}/cancel")
async def cancel_order(order_id: str, session: SessionDep, rt: RuntimeDep) -> dict[str, Any]:
    if await shop_service.get_order(session=session, order_id=order_id, clock=rt.clock) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"order {order_id} not found")
    try:
        return await shop_service.cancel_order(session=session, order_id=order_id, clock=rt.clock)
    except shop_service.OrderNotCancellable as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, "the order has already shipped or is closed") from exc


@router.get("/customers/{customer_id}")
async def get_customer(customer_id: str, session: SessionDep) -> dict[str, Any]:
    customer = await shop_service.get_customer(session=session, customer_id=customer_id)
    if customer is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"customer {customer_id} not found")
    return customer


@router.get("/policy")
async def get_policy(session: SessionDep) -> dict[str, Any]:
    return await shop_service.get_policy(session=session)
