"""Security headers on every HTTP response (pure ASGI, so streaming and file responses pass through).

Every response: `X-Content-Type-Options: nosniff` (a JSON or .js file is never run as something
else) and `Referrer-Policy: strict-origin-when-cross-origin` (a conversation id in a URL never
leaks to another site). The HTML pages also get a Content-Security-Policy: only our own scripts,
styles and connections (the pages are build-free ES modules under api/static/, no inline code), and
no framing: the console, the admin page and the dashboard by no one (clickjacking), the widget demo page only by
the shops listed in `settings.widget_origins`.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           "connect-src 'self' ws: wss:; ")


def page_policies(widget_origins: Iterable[str]) -> dict[str, str]:
    """The Content-Security-Policy of each HTML page, by path."""
    framers = " ".join(["'self'", *(o.strip().rstrip("/") for o in widget_origins)])
    return {
        "/console": _POLICY + "frame-ancestors 'none'",
        "/admin": _POLICY + "frame-ancestors 'none'",
        "/dashboard": _POLICY + "frame-ancestors 'none'",
        "/widget": _POLICY + f"frame-ancestors {framers}",
    }


class SecurityHeaders:
    def __init__(self, app: ASGIApp, widget_origins: Iterable[str] = ()) -> None:
        self.app = app
        self.policies = page_policies(widget_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.policies.get(scope["path"].rstrip("/") or "/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                if policy is not None:
                    headers.setdefault("Content-Security-Policy", policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)
