"""The FastAPI application factory. `uvicorn api.main:create_app --factory`"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api import log_filters, log_format
from api.lifespan import lifespan_for
from api.limits import BodyLimit
from api.routers import (
    admin,
    agent,
    assist,
    bot_responses,
    canned,
    dashboard,
    examples,
    health,
    meta,
    metrics,
    pages,
    review,
    shop,
    tools,
    training,
    widget,
    ws_agent,
    ws_customer,
)
from api.routers.pages import STATIC
from api.security_headers import SecurityHeaders
from handoff.config import Settings
from handoff.ports import Bot


def create_app(settings: Settings | None = None, bot: Bot | None = None) -> FastAPI:
    """bot: another implementation of the Bot port (tests' fake) instead of the Rasa client."""
    settings = settings or Settings()
    if settings.log_format == "json":
        log_format.install_json()
    log_filters.install()  # no tokens in uvicorn's logs (it has configured logging by now)
    # Swagger UI and ReDoc load their scripts from a CDN: a third party's code on our origin, and
    # nothing offline. Development keeps them; production serves only /openapi.json (docs/security.md).
    docs = settings.environment != "production"
    app = FastAPI(title="Shopbot handoff service", version="0.1.0", lifespan=lifespan_for(settings, bot),
                  docs_url="/docs" if docs else None, redoc_url="/redoc" if docs else None,
                  description="Customer widget, agent console and shop API of the support assistant. "
                              "Websocket frames are documented in docs/protocol.md.")
    for module in (health, metrics, meta, widget, agent, canned, assist, admin, review, examples, bot_responses,
                   training, dashboard, shop, tools, ws_customer, ws_agent, pages):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if settings.widget_origins:
        # The embedded widget on a shop's page loads its modules and calls the widget API from that
        # page's origin; only the listed shops may. (Websockets are not covered by CORS; see docs.)
        app.add_middleware(CORSMiddleware, allow_origins=settings.widget_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type", "X-Conversation-Token"], allow_credentials=False,
                           expose_headers=["X-Has-More", "X-Next-After-Seq"])  # history paging
    # The last added is the outermost: the headers go on every response, the body limit's 413 too.
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders, widget_origins=settings.widget_origins)
    return app
