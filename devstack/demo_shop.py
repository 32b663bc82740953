"""The demo shop as the tests see it: read straight from data/, independently of the app."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data" / "demo-store"


@cache
def load(name: str) -> Any:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


def customer(customer_id: str) -> dict[str, Any]:
    return next(c for c in load("customers") if c["customer_id"] == customer_id)


def orders(status: str | None = None, currency: str | None = None) -> list[dict[str, Any]]:
    return [o for o in load("orders") if (status is None or o["status"] == status)
            and (currency is None or o["currency"] == currency)]


def email_for(order: dict[str, Any]) -> str:
    return str(customer(order["customer_id"])["email"])


def invoice_for(order_id: str) -> dict[str, Any]:
    return next(i for i in load("invoices") if i["order_id"] == order_id)
