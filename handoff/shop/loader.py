"""Loads the demo shop's JSON files into an empty database on first start."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.shop.models import Customer, Invoice, Order, Policy, Product, Subscription


async def load_demo_store(session: AsyncSession, directory: Path) -> bool:
    """Returns False (and changes nothing) when the shop already has data."""
    if await session.scalar(select(func.count()).select_from(Customer)):
        return False

    def read(name: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
        return rows

    session.add_all(Customer(customer_id=c["customer_id"], email=c["email"].lower(), language=c["language"], data=c)
                    for c in read("customers"))
    session.add_all(Product(sku=p["sku"], data=p) for p in read("products"))
    await session.flush()
    session.add_all(Order(order_id=o["order_id"], customer_id=o["customer_id"], status=o["status"], data=o)
                    for o in read("orders"))
    await session.flush()
    session.add_all(Invoice(invoice_id=i["invoice_id"], order_id=i["order_id"], customer_id=i["customer_id"], data=i)
                    for i in read("invoices"))
    session.add_all(Subscription(subscription_id=s["subscription_id"], customer_id=s["customer_id"], data=s)
                    for s in read("subscriptions"))
    session.add(Policy(key="policy", data=json.loads((directory / "policy.json").read_text(encoding="utf-8"))))
    await session.commit()
    return True
