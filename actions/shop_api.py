"""The one place actions talk to the shop: the app's service API over HTTP."""

from __future__ import annotations

import os
from typing import Any

import aiohttp


class ShopApiError(Exception):
    """The shop API could not answer (down, timed out, or an unexpected status)."""


class ShopApi:
    def __init__(self, base_url: str | None = None, token: str | None = None, timeout_s: float = 10.0) -> None:
        self.base_url = (base_url or os.environ.get("SHOP_API_URL", "http://127.0.0.1:8000")).rstrip("/")
        self.token = token or os.environ.get("SHOP_API_TOKEN", "dev-service-token")
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)

    async def _request(self, method: str, path: str, json: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            # A session per call: actions run concurrently and must not share connection state.
            async with (
                aiohttp.ClientSession(timeout=self.timeout, headers=headers) as session,
                session.request(method, f"{self.base_url}/api/shop{path}", json=json) as resp,
            ):
                body = await resp.json(content_type=None)
                if resp.status >= 500 or resp.status in (401, 403):
                    raise ShopApiError(f"{method} {path}: HTTP {resp.status}")
                return resp.status, body
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise ShopApiError(f"{method} {path}: {exc}") from exc

    async def order(self, order_id: str) -> dict[str, Any] | None:
        status, body = await self._request("GET", f"/orders/{order_id}")
        return body if status == 200 else None

    async def verify(self, order_id: str, email: str) -> str | None:
        """The customer id if `email` is the e-mail on the order, else None."""
        status, body = await self._request("POST", "/identity/verify", {"order_id": order_id, "email": email})
        if status != 200:
            return None
        return body.get("customer_id") if body.get("verified") else None

    async def invoice_for_order(self, order_id: str) -> dict[str, Any] | None:
        status, body = await self._request("GET", f"/orders/{order_id}/invoice")
        return body if status == 200 else None

    async def cancel_order(self, order_id: str) -> tuple[bool, dict[str, Any]]:
        status, body = await self._request("POST", f"/orders/{order_id}/cancel")
        return status == 200, body

    async def customer(self, customer_id: str) -> dict[str, Any] | None:
        status, body = await self._request("GET", f"/customers/{customer_id}")
        return body if status == 200 else None

    async def policy(self) -> dict[str, Any]:
        _, body = await self._request("GET", "/policy")
        return body
