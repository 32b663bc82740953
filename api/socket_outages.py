"""A socket whose database (or broker connection) fails under it: one warning line and a close the
clients reconnect after, instead of an "Exception in ASGI application" traceback per socket (the
PostgreSQL fault scenario logged dozens). Nothing acknowledged is lost: what was acknowledged is
stored, and the clients resend what was not."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from fastapi import WebSocket, WebSocketDisconnect
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from starlette.websockets import WebSocketDisconnected

log = logging.getLogger(__name__)

CLOSE_TRY_AGAIN = 1013  # RFC 6455's "try again later": the widget and console reconnect with backoff


def failure_name(exc: BaseException) -> str:
    """The exception's type and, for a database error, the driver's own code (no message: it may
    quote a statement's values): "OperationalError SQLITE_BUSY" tells a lock waited out from a
    stale snapshot (SQLITE_BUSY_SNAPSHOT), "... 57P01" a PostgreSQL restart."""
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlite_errorname", None) or getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return f"{type(exc).__name__} {code}" if code else type(exc).__name__


@contextlib.asynccontextmanager
async def outages_close(websocket: WebSocket, kind: str) -> AsyncIterator[None]:
    try:
        yield
    # Gone before the receive loop (while refused, greeted or caught up): nobody left to answer, and
    # not an application error to log (tests/e2e/test_ws_fuzz.py).
    except WebSocketDisconnect:
        pass
    # A reply to the client after the socket was closed under it (by its pump: cut off from the
    # broker, or too far behind): the client reconnects and catches up anyway.
    except WebSocketDisconnected:
        pass
    except (SQLAlchemyError, RedisError, OSError) as exc:
        log.warning("%s socket closed: a backing service failed (%s)", kind, failure_name(exc))
        with contextlib.suppress(Exception):  # it may be half gone already
            await websocket.close(code=CLOSE_TRY_AGAIN, reason="service briefly unavailable; reconnect")
