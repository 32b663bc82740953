"""Which pages may open our websockets (the Origin check; docs/security.md).

Websockets are not covered by CORS or the same-origin policy: any page a customer or agent visits
could open `ws://APP/ws/agent` in their browser (cross-site websocket hijacking), and only the
Origin header, which a browser always sends and a page cannot forge, tells us where it came from.
So a present Origin must be the app's own (the Host the request came to, over http or https) or,
for the customer socket only, one of the shops in `settings.widget_origins`.

A missing Origin is allowed: only non-browser clients (our tests, a shop's back end, curl) leave it
out, and they gain nothing from it; they must still present a valid token like everyone else.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from fastapi import WebSocket

from api import frames
from api.streams import SocketSender

CLOSE_FORBIDDEN_ORIGIN = 4403
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def _host_port(netloc: str, scheme: str) -> tuple[str, int] | None:
    """("shop.example", 443) from "shop.example" (the scheme's default port) or "shop.example:443"."""
    try:
        parts = urlsplit(f"//{netloc}")
        port = parts.port or _DEFAULT_PORTS[scheme]
    except (ValueError, KeyError):
        return None
    if not parts.hostname or parts.username is not None or parts.path:
        return None
    return parts.hostname.lower(), port


def _origin(value: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an Origin header or a configured origin; None for anything else
    (including "null", which sandboxed frames and file: pages send)."""
    parts = urlsplit(value.strip().rstrip("/"))
    if parts.scheme not in ("http", "https") or parts.path or parts.query or parts.fragment:
        return None
    where = _host_port(parts.netloc, parts.scheme)
    return None if where is None else (parts.scheme, *where)


def is_allowed(origin: str | None, host: str | None, also: Iterable[str] = ()) -> bool:
    """Whether a socket with this Origin header, sent to this Host header, may go on. `also`: other
    allowed origins ("*" for any)."""
    if origin is None:
        return True  # not a browser (see the module's docstring)
    theirs = _origin(origin)
    if theirs is None:
        return False
    scheme, their_host, their_port = theirs
    if host and _host_port(host, scheme) == (their_host, their_port):
        return True  # our own page, whether TLS ends here or at a proxy that keeps the Host
    return any(extra.strip() == "*" or _origin(extra) == theirs for extra in also)


async def refuse_foreign_origin(websocket: WebSocket, sender: SocketSender, also: Iterable[str] = ()) -> bool:
    """On an accepted socket: if its Origin is not allowed, says so and closes it (True)."""
    origin = websocket.headers.get("origin")
    if is_allowed(origin, websocket.headers.get("host"), also):
        return False
    await sender.send(frames.error_frame("forbidden_origin", "this page may not open this socket"))
    await websocket.close(code=CLOSE_FORBIDDEN_ORIGIN)
    return True
