"""The one place actions talk to the shop: the app's service API over HTTP."""

from __future__ import annotations

import os
from typing import Any

import aiohttp


class ShopApiError(Exception):
    """The shop API could not answer (down, timed out, or an unexpected status)."""


class Refused(Exception):
    """The shop's policy refused the change; `code` names the rule (e.g. outside_return_window)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


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
                if resp.status >= 500 or resp.status in (401, 403, 422):
                    raise ShopApiError(f"{method} {path}: HTTP {resp.status}")
                return resp.status, body
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise ShopApiError(f"{method} {path}: {exc}") from exc

    async def _get(self, path: str) -> Any:
        status, body = await self._request("GET", path)
        return body if status == 200 else None

    async def _change(self, method: str, path: str, json: Any = None) -> dict[str, Any]:
        status, body = await self._request(method, path, json)
        if status == 409:
            detail = body.get("detail") or {}
            raise Refused(detail.get("code", "refused"), detail.get("detail", ""))
        if status != 200:
            raise ShopApiError(f"{method} {path}: HTTP {status}")
        return dict(body)

    async def order(self, order_id: str) -> dict[str, Any] | None:
        return await self._get(f"/orders/{order_id}")  # type: ignore[no-any-return]

    async def verify(self, reference: str, email: str) -> str | None:
        """The customer id if `email` is the e-mail of the customer the order number, invoice id or
        subscription id belongs to, else None."""
        status, body = await self._request("POST", "/identity/verify", {"reference": reference, "email": email})
        if status != 200:
            return None
        return body.get("customer_id") if body.get("verified") else None

    async def reference(self, reference: str) -> dict[str, Any] | None:
        """{kind, reference, order_id, customer_id} for an order number, invoice or subscription id."""
        return await self._get(f"/references/{reference}")  # type: ignore[no-any-return]

    async def invoice_for_order(self, order_id: str) -> dict[str, Any] | None:
        return await self._get(f"/orders/{order_id}/invoice")  # type: ignore[no-any-return]

    async def cancel_order(self, order_id: str) -> dict[str, Any]:
        return await self._change("POST", f"/orders/{order_id}/cancel")

    async def request_change(self, order_id: str, details: str) -> dict[str, Any]:
        return await self._change("POST", f"/orders/{order_id}/change-requests", {"details": details})

    async def change_address(self, order_id: str, address: str) -> dict[str, Any]:
        return await self._change("POST", f"/orders/{order_id}/address", {"address": address})

    async def start_return(self, order_id: str) -> dict[str, Any]:
        return await self._change("POST", f"/orders/{order_id}/returns")

    async def refund_eligibility(self, order_id: str) -> dict[str, Any]:
        return await self._change("GET", f"/orders/{order_id}/refund-eligibility")

    async def request_refund(self, order_id: str) -> dict[str, Any]:
        return await self._change("POST", f"/orders/{order_id}/refund-requests")

    async def customer(self, customer_id: str) -> dict[str, Any] | None:
        return await self._get(f"/customers/{customer_id}")  # type: ignore[no-any-return]

    async def update_customer(self, customer_id: str, changes: dict[str, str]) -> dict[str, Any]:
        return await self._change("PATCH", f"/customers/{customer_id}", changes)

    async def orders(self, customer_id: str) -> list[dict[str, Any]]:
        """The customer's orders, newest first."""
        return list(await self._get(f"/customers/{customer_id}/orders") or [])

    async def invoices(self, customer_id: str) -> list[dict[str, Any]]:
        return list(await self._get(f"/customers/{customer_id}/invoices") or [])

    async def subscriptions(self, customer_id: str) -> list[dict[str, Any]]:
        return list(await self._get(f"/customers/{customer_id}/subscriptions") or [])

    async def change_subscription(self, subscription_id: str, action: str, months: int = 1) -> dict[str, Any]:
        return await self._change("POST", f"/subscriptions/{subscription_id}", {"action": action, "months": months})

    async def products(self) -> list[dict[str, Any]]:
        return list(await self._get("/products") or [])

    async def policy(self) -> dict[str, Any]:
        return dict(await self._get("/policy") or {})
