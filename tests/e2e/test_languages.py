"""Indonesian and Hebrew through the real stack: the bot answers in the customer's language,
follows a switch mid-conversation, formats dates per language, and the agent sees the language."""

from __future__ import annotations

import httpx

from devstack import demo_shop as shop
from devstack.clients import Agent, Customer


def _shipped(skip: int) -> dict:
    return shop.orders("shipped")[skip]


async def test_indonesian_order_status_in_indonesian(app_url: str) -> None:
    order = _shipped(9)
    customer = await Customer(app_url).start(locale="id")
    asked = " ".join(await customer.ask(f"kak pesanan saya {order['order_id']} udah sampai mana ya?"))
    assert "alamat e-mail" in asked
    answer = " ".join(await customer.ask(shop.email_for(order)))
    assert "nomor resi" in answer and order["tracking_number"] in answer
    assert "dikirim" in answer


async def test_hebrew_then_english_switches_language(app_url: str) -> None:
    order = _shipped(10)
    customer = await Customer(app_url).start(locale="he")
    asked = " ".join(await customer.ask(f"איפה ההזמנה שלי {order['order_id']}?"))
    assert "כתובת המייל" in asked
    answer = " ".join(await customer.ask(shop.email_for(order)))
    assert "מספר מעקב" in answer and order["tracking_number"] in answer
    english = " ".join(await customer.ask("which payment methods do you accept?"))
    assert "pay with" in english or "We accept" in english


async def test_agent_sees_the_customers_language(app_url: str) -> None:
    agent = await Agent(app_url, "alice", "alice-demo").login()
    customer = await Customer(app_url).start(locale="en")
    await customer.say("saya mau bicara dengan orang, bukan bot")
    frame = await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued")
    assert frame["reason"] == "customer_request"
    # The system message follows the customer's language, not the widget's.
    note = await customer.ws.wait_for(lambda f: f["type"] == "message" and f["message"]["sender"] == "system")
    assert "antrean" in note["message"]["text"]
    async with httpx.AsyncClient(base_url=app_url, headers={"Authorization": f"Bearer {agent.token}"}) as http:
        context = (await http.get(f"/api/agent/conversations/{customer.conversation_id}/context")).json()
    assert context["language"] == "id" and context["widget_locale"] == "en"
    await agent.ws.close()
