"""Every self-service journey through the real stack (widget websocket -> app -> Rasa -> actions ->
shop API): its happy path and its main refusal or escalation path, checked against the shop's records."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from devstack import demo_shop as shop
from devstack.clients import Customer

AS_OF = date.fromisoformat(shop.load("policy")["as_of"])
RATES = shop.load("policy")["rates_per_usd"]


def _usd(order: dict[str, Any]) -> float:
    return (order["total"] - order["shipping"]) / RATES[order["currency"]]


def _age(order: dict[str, Any]) -> int:
    return (AS_OF - date.fromisoformat(order["delivered_on"])).days


def _clean(order: dict[str, Any]) -> bool:
    invoice = shop.invoice_for(order["order_id"])
    return not invoice.get("refund") and not invoice.get("anomaly")


def _pick(predicate: Any, skip: int = 0) -> dict[str, Any]:
    return [o for o in shop.orders() if predicate(o)][skip]


@pytest.fixture
async def records(stack: Any) -> Any:
    async with httpx.AsyncClient(
        base_url=f"{stack.config.app_url}/api/shop", headers={"Authorization": f"Bearer {stack.config.service_token}"}
    ) as http:
        yield http


async def _verified(app_url: str, opener: str, order: dict[str, Any]) -> tuple[Customer, str]:
    """Starts a conversation and answers the bot's identity questions; returns the bot's answer."""
    customer = await Customer(app_url).start()
    replies = " ".join(await customer.ask(opener))
    if "like 10042" in replies:  # the bot asks for an order number
        replies = " ".join(await customer.ask(order["order_id"]))
    if "e-mail" in replies:
        replies = " ".join(await customer.ask(shop.email_for(order)))
    return customer, replies


async def _queued_reason(customer: Customer) -> str:
    frame = await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued")
    return str(frame["reason"])


async def test_change_items_before_shipping(app_url: str, records: httpx.AsyncClient) -> None:
    order = _pick(lambda o: o["status"] == "processing", skip=3)
    customer, asked = await _verified(app_url, f"I'd like to change the items in order {order['order_id']}", order)
    assert "What would you like to change" in asked
    done = " ".join(await customer.ask("please add one more USB-C charger"))
    assert "Noted" in done
    stored = (await records.get(f"/orders/{order['order_id']}")).json()
    assert stored["change_requests"][-1]["details"] == "please add one more USB-C charger"


async def test_change_address_before_and_after_shipping(app_url: str, records: httpx.AsyncClient) -> None:
    order = _pick(lambda o: o["status"] == "pending", skip=2)
    customer, asked = await _verified(
        app_url, f"please change the delivery address of order {order['order_id']}", order
    )
    assert "new delivery address" in asked
    done = " ".join(await customer.ask("77 Harbour Road, Portland 97201"))
    assert "77 Harbour Road" in done
    assert (await records.get(f"/orders/{order['order_id']}")).json()[
        "shipping_address"
    ] == "77 Harbour Road, Portland 97201"

    shipped = _pick(lambda o: o["status"] == "shipped", skip=6)
    _, refused = await _verified(
        app_url, f"I need to change the shipping address for order {shipped['order_id']}", shipped
    )
    assert "can't be changed" in refused


async def test_return_within_the_window(app_url: str, records: httpx.AsyncClient) -> None:
    order = _pick(lambda o: o["status"] == "delivered" and _age(o) <= 30 and _clean(o), skip=8)
    customer, offer = await _verified(app_url, f"I want to return an item from order {order['order_id']}", order)
    assert "Shall I start the return?" in offer
    done = " ".join(await customer.ask("yes"))
    assert f"RET-{order['order_id']}" in done
    assert (await records.get(f"/orders/{order['order_id']}")).json()["pending_return_id"] == f"RET-{order['order_id']}"


async def test_return_after_the_window_goes_to_a_person(app_url: str) -> None:
    order = _pick(lambda o: o["status"] == "delivered" and _age(o) > 30 and _clean(o), skip=1)
    customer, answer = await _verified(app_url, f"I want to return an item from order {order['order_id']}", order)
    assert "return window" in answer
    assert await _queued_reason(customer) == "return_outside_window"


async def test_refund_within_policy_is_filed(app_url: str, records: httpx.AsyncClient) -> None:
    order = _pick(lambda o: o["status"] == "delivered" and _age(o) <= 30 and _clean(o) and _usd(o) <= 250, skip=9)
    customer, offer = await _verified(app_url, f"I want a refund for order {order['order_id']}", order)
    assert "Shall I?" in offer
    done = " ".join(await customer.ask("yes please"))
    assert "refund request" in done
    invoice = (await records.get(f"/orders/{order['order_id']}/invoice")).json()
    assert invoice["refund"]["status"] == "pending"
    assert invoice["refund"]["amount"] == round(order["total"] - order["shipping"], 2)  # shipping is not refunded


async def test_refund_above_the_bots_limit_goes_to_a_person(app_url: str, records: httpx.AsyncClient) -> None:
    order = _pick(lambda o: o["status"] == "delivered" and _age(o) <= 30 and _clean(o) and _usd(o) > 250)
    customer, answer = await _verified(app_url, f"I want a refund for order {order['order_id']}", order)
    assert "beyond what I can approve" in answer
    assert await _queued_reason(customer) == "refund_beyond_policy"
    assert not (await records.get(f"/orders/{order['order_id']}/invoice")).json().get("refund")


async def test_duplicate_charge_is_never_explained_by_the_bot(app_url: str) -> None:
    invoice = next(i for i in shop.load("invoices") if i.get("anomaly") == "duplicate_charge")
    order = next(o for o in shop.orders() if o["order_id"] == invoice["order_id"])
    customer, answer = await _verified(app_url, f"why was I charged this amount on order {order['order_id']}?", order)
    assert "unusual" in answer and "Here is how the total" not in answer
    assert await _queued_reason(customer) == "billing_anomaly"


async def test_overdue_invoices_are_listed(app_url: str) -> None:
    invoice = next(i for i in shop.load("invoices") if i["status"] == "overdue")
    order = next(o for o in shop.orders() if o["order_id"] == invoice["order_id"])
    _, answer = await _verified(app_url, "I got a reminder that my invoice is overdue", order)
    assert invoice["invoice_id"] in answer


async def test_cancel_subscription_offers_retention_first_then_cancels(
    app_url: str, records: httpx.AsyncClient
) -> None:
    sub = [s for s in shop.load("subscriptions") if s["status"] == "active"][6]
    order = next(o for o in shop.orders() if o["customer_id"] == sub["customer_id"])
    customer, offer = await _verified(app_url, "I want to cancel my subscription", order)
    assert "Before you go" in offer and "20% off" in offer
    done = " ".join(await customer.ask("no, just cancel it"))
    assert "is cancelled" in done
    subs = (await records.get(f"/customers/{sub['customer_id']}/subscriptions")).json()
    cancelled = next(s for s in subs if s["subscription_id"] == sub["subscription_id"])
    assert cancelled["status"] == "cancelled"
    assert cancelled["ends_on"] < sub["next_renewal"]  # paid month runs out first


async def test_retention_offer_accepted_keeps_the_subscription(app_url: str, records: httpx.AsyncClient) -> None:
    sub = [s for s in shop.load("subscriptions") if s["status"] == "active"][7]
    order = next(o for o in shop.orders() if o["customer_id"] == sub["customer_id"])
    customer, offer = await _verified(app_url, "please cancel my subscription", order)
    assert "Before you go" in offer
    await customer.ask("yes")
    subs = (await records.get(f"/customers/{sub['customer_id']}/subscriptions")).json()
    kept = next(s for s in subs if s["subscription_id"] == sub["subscription_id"])
    assert kept["status"] == "active" and kept["discount"]["percent"] == 20


async def test_pause_subscription(app_url: str, records: httpx.AsyncClient) -> None:
    sub = [s for s in shop.load("subscriptions") if s["status"] == "active"][8]
    order = next(o for o in shop.orders() if o["customer_id"] == sub["customer_id"])
    _, answer = await _verified(app_url, "can I pause my subscription?", order)
    assert "paused until" in answer
    subs = (await records.get(f"/customers/{sub['customer_id']}/subscriptions")).json()
    assert next(s for s in subs if s["subscription_id"] == sub["subscription_id"])["status"] == "paused"


async def test_change_account_phone_after_verification(app_url: str, records: httpx.AsyncClient) -> None:
    order = _pick(lambda o: o["status"] == "delivered", skip=20)
    customer, asked = await _verified(app_url, "I want to update my phone number", order)
    assert "What would you like to change on your account" in asked
    done = " ".join(await customer.ask("phone +1 512 555 0142"))
    assert "+15125550142" in done
    assert (await records.get(f"/customers/{order['customer_id']}")).json()["phone"] == "+15125550142"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("what delivery options do you have?", "Express"),
        ("what is your return policy?", "30 days"),
        ("my card payment failed", "didn't go through"),
        ("how do I update my credit card details?", "Payment methods"),
        ("are you a bot?", "virtual assistant"),
        ("how do I place an order?", "order on our website"),
    ],
)
async def test_questions_answered_without_identity(app_url: str, message: str, expected: str) -> None:
    customer = await Customer(app_url).start()
    answer = " ".join(await customer.ask(message))
    assert expected in answer


async def test_stock_from_the_catalogue(app_url: str) -> None:
    products = shop.load("products")
    out = next(p for p in products if p["stock"] == 0)
    plenty = next(p for p in products if p["stock"] > 10)
    customer = await Customer(app_url).start()
    answer = " ".join(await customer.ask(f"is the {out['name']} in stock?"))
    assert out["name"] in answer and "out of stock" in answer
    answer = " ".join(await customer.ask(f"do you have the {plenty['name']} in stock?"))
    assert plenty["name"] in answer and "in stock" in answer


async def test_complaint_and_frustration_reach_a_person(app_url: str) -> None:
    customer = await Customer(app_url).start()
    await customer.say("I want to file a complaint about your service")
    assert await _queued_reason(customer) == "complaint"
    angry = await Customer(app_url).start()
    await angry.say("WHERE IS MY ORDER, THIS IS THE THIRD TIME I ASK")
    assert await _queued_reason(angry) == "frustration"


async def test_digression_inside_the_form_then_back(app_url: str) -> None:
    order = _pick(lambda o: o["status"] == "shipped", skip=7)
    customer = await Customer(app_url).start()
    asked = " ".join(await customer.ask(f"where is my order {order['order_id']}"))
    assert "e-mail" in asked
    side = " ".join(await customer.ask("what payment methods do you accept?"))
    assert "Visa" in side and "e-mail" in side  # answered, then the form asks again
    answer = " ".join(await customer.ask(shop.email_for(order)))
    assert order["tracking_number"] in answer
