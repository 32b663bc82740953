"""The FastAPI application factory. `uvicorn api.main:create_app --factory`"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api.lifespan import lifespan_for
from api.routers import admin, agent, assist, canned, health, meta, pages, shop, tools, widget, ws_agent, ws_customer
from api.routers.pages import STATIC
from handoff.config import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(title="Shopbot handoff service", version="0.1.0", lifespan=lifespan_for(settings),
                  description="Customer widget, agent console and shop API of the support assistant. "
                              "Websocket frames are documented in docs/protocol.md.")
    for module in (health, meta, widget, agent, canned, assist, admin, shop, tools, ws_customer, ws_agent, pages):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if settings.widget_origins:
        # The embedded widget on a shop's page loads its modules and calls the widget API from that
        # page's origin; only the listed shops may. (Websockets are not covered by CORS; see docs.)
        app.add_middleware(CORSMiddleware, allow_origins=settings.widget_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type", "X-Conversation-Token"], allow_credentials=False)
    return app
