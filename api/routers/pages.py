"""The widget demo page, the agent console and the team admin page, served as static pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import BaseModel

from api.deps import RuntimeDep, SessionDep
from handoff import security
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


class DemoToken(BaseModel):
    customer_id: str
    customer_token: str


@router.get("/demo/customer-token/{customer_id}", include_in_schema=True, tags=["demo"])
async def demo_customer_token(customer_id: str, session: SessionDep, rt: RuntimeDep) -> DemoToken:
    """Development only: what a shop's back end would do for a signed-in customer (sign their id)."""
    if rt.settings.environment == "production":
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    if await shop_service.get_customer(session=session, customer_id=customer_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"customer {customer_id} not found")
    token = security.sign(rt.settings.secret_key, "customer", customer_id, 3600)
    return DemoToken(customer_id=customer_id, customer_token=token)
