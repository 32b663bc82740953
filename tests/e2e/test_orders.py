"""Order questions answered from the demo shop through the real stack:
widget websocket -> app -> Rasa -> action server -> app's shop API."""

from __future__ import annotations

import pytest

from devstack import demo_shop as shop
from devstack.clients import Customer
from tests.support.tokens import customer_token


def _first(status: str, skip: int = 0) -> dict:
    return shop.orders(status)[skip]


@pytest.mark.parametrize("status", ["shipped", "delivered", "processing", "pending", "cancelled", "returned"])
async def test_order_status_answered_from_the_record(app_url: str, status: str) -> None:
    order = _first(status)
    customer = await Customer(app_url).start()
    asked = await customer.ask(f"where is my order {order['order_id']}?")
    assert any("e-mail" in r for r in asked), asked
    answer = " ".join(await customer.ask(shop.email_for(order)))
    assert order["order_id"] in answer
    expected = {
        "shipped": [order.get("tracking_number"), order.get("carrier")],
        "delivered": ["delivered", order.get("tracking_number")],
        "processing": ["prepared", "hasn't shipped"],
        "pending": ["waiting for payment"],
        "cancelled": ["cancelled"],
        "returned": ["returned", order.get("return_id")],
    }[status]
    for fact in expected:
        assert fact and fact in answer, (fact, answer)


async def test_late_parcel_is_called_late(app_url: str) -> None:
    late = [o for o in shop.orders("shipped") if o["estimated_delivery"] < shop.load("policy")["as_of"]]
    assert late, "the demo shop has late parcels"
    customer = await Customer(app_url).start()
    await customer.ask(f"track order {late[0]['order_id']}")
    answer = " ".join(await customer.ask(shop.email_for(late[0])))
    assert "running late" in answer and late[0]["tracking_number"] in answer


async def test_wrong_email_is_refused_and_nothing_leaks(app_url: str) -> None:
    order = _first("shipped", skip=1)
    other = next(c for c in shop.load("customers") if c["customer_id"] != order["customer_id"])
    customer = await Customer(app_url).start()
    await customer.ask(f"where is order {order['order_id']}")
    refused = " ".join(await customer.ask(other["email"]))
    assert "doesn't match" in refused
    transcript = " ".join(m["text"] for m in customer.ws.messages())
    assert order["tracking_number"] not in transcript
    # The right e-mail still works afterwards.
    answer = " ".join(await customer.ask(shop.email_for(order)))
    assert order["tracking_number"] in answer


async def test_signed_in_customer_is_not_asked_for_email(app_url: str) -> None:
    order = _first("delivered", skip=2)
    customer = await Customer(app_url).start(customer_token=customer_token(order["customer_id"]))
    answer = " ".join(await customer.ask(f"where is my order {order['order_id']}"))
    assert "e-mail" not in answer
    assert order["tracking_number"] in answer


async def test_signed_in_customer_cannot_see_someone_elses_order(app_url: str) -> None:
    mine = _first("delivered", skip=3)
    theirs = next(o for o in shop.orders("shipped") if o["customer_id"] != mine["customer_id"])
    customer = await Customer(app_url).start(customer_token=customer_token(mine["customer_id"]))
    asked = " ".join(await customer.ask(f"where is my order {theirs['order_id']}"))
    assert "e-mail" in asked and theirs["tracking_number"] not in asked


async def test_cancel_a_processing_order_after_confirmation(app_url: str, stack) -> None:
    import httpx

    order = _first("processing", skip=1)
    customer = await Customer(app_url).start()
    await customer.ask(f"I want to cancel order {order['order_id']}")
    offer = " ".join(await customer.ask(shop.email_for(order)))
    assert "Shall I cancel it?" in offer
    done = " ".join(await customer.ask("yes please"))
    assert "is cancelled" in done
    async with httpx.AsyncClient(base_url=app_url,
                                 headers={"Authorization": f"Bearer {stack.config.service_token}"}) as http:
        record = (await http.get(f"/api/shop/orders/{order['order_id']}")).json()
    assert record["status"] == "cancelled"


async def test_cancel_a_shipped_order_is_refused(app_url: str) -> None:
    order = _first("shipped", skip=2)
    customer = await Customer(app_url).start()
    await customer.ask(f"cancel my order {order['order_id']}")
    answer = " ".join(await customer.ask(shop.email_for(order)))
    assert "can't be cancelled" in answer


async def test_invoice_lines_and_total(app_url: str) -> None:
    order = _first("delivered", skip=4)
    invoice = shop.invoice_for(order["order_id"])
    customer = await Customer(app_url).start()
    await customer.ask(f"can you send me the invoice for order {order['order_id']}")
    answer = " ".join(await customer.ask(shop.email_for(order)))
    assert invoice["invoice_id"] in answer
    for line in invoice["lines"]:
        assert line["description"] in answer


async def test_refund_status_from_the_invoice(app_url: str) -> None:
    invoice = next(i for i in shop.load("invoices")
                   if i.get("refund", {}).get("status") == "pending" and "anomaly" not in i)
    order = next(o for o in shop.orders() if o["order_id"] == invoice["order_id"])
    customer = await Customer(app_url).start()
    await customer.ask(f"where is my refund for order {order['order_id']}")
    answer = " ".join(await customer.ask(shop.email_for(order)))
    assert "being processed" in answer and "refund" in answer


async def test_payment_methods_from_policy(app_url: str) -> None:
    customer = await Customer(app_url).start()
    answer = " ".join(await customer.ask("which payment methods do you accept?"))
    for method in shop.load("policy")["payment_methods"]["all"]:
        assert method in answer
