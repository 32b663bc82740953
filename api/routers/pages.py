"""The widget demo page, the agent console and the team admin page, served as static pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import BaseModel

from api.deps import RuntimeDep, SessionDep
from handoff.security import TokenPurpose
from handoff.shop import service as shop_service

STATIC = Path(__file__).resolve().parent.parent / "static"
router = APIRouter(include_in_schema=False)


@router.get("/")
async def index() -> RedirectResponse:
    return RedirectResponse("/widget")


@router.get("/widget")
async def widget_page() -> FileResponse:
    return FileResponse(STATIC / "widget.html")


@router.get("/console")
async def console_page() -> FileResponse:
    return FileResponse(STATIC / "console.html")


@router.get("/admin")
async def admin_page() -> FileResponse:
    return FileResponse(STATIC / "admin.html")


@router.get("/dashboard")
async def dashboard_page() -> FileResponse:
    return FileResponse(STATIC / "dashboard.html")


class DemoToken(BaseModel):
    customer_id: str
    customer_token: str


@router.get("/demo/customer-token/{customer_id}", include_in_schema=True, tags=["demo"],
            responses={404: {"description": "not in demo mode, or not one of the demo page's customers"}})
async def demo_customer_token(customer_id: str, session: SessionDep, rt: RuntimeDep) -> DemoToken:
    """Demo mode only (SHOPBOT_DEMO_MODE), for the customers the demo page offers
    (SHOPBOT_DEMO_CUSTOMERS): what a shop's back end would do for a signed-in customer (sign their
    id). Anyone may call it, so for anyone else it would hand out their orders and account: 404."""
    settings = rt.settings
    if not settings.demo_mode or customer_id not in settings.demo_customers:  # (never on in production)
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    if await shop_service.get_customer(session=session, customer_id=customer_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"customer {customer_id} not found")
    token = rt.tokens.sign(TokenPurpose.CUSTOMER, customer_id, 3600)
    return DemoToken(customer_id=customer_id, customer_token=token)
