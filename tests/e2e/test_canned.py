"""Canned responses through the real stack (docs/protocol.md, "Canned responses"): the demo seed
listed by language and shortcut, filled in for a real handed-off conversation (the customer's name,
the order they asked about, its tracking) in English and Indonesian; admins add, edit and delete
them; anyone else is refused."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from devstack import demo_shop as shop
from devstack.clients import Agent, Customer
from tests.support.tokens import customer_token

ASK = {"en": "where is my order {order_id}?", "id": "kak pesanan saya {order_id} udah sampai mana ya?"}
HANDOFF = {"en": "I want to talk to a person", "id": "saya mau bicara dengan orang, bukan bot"}


def _shipped(language: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A customer of this language and their latest shipped order (which has a tracking number)."""
    customers = {c["customer_id"]: c for c in shop.load("customers") if c["language"] == language}
    orders = [o for o in shop.orders("shipped") if o["customer_id"] in customers and o.get("tracking_number")]
    order = max(orders, key=lambda o: o["order_id"])
    return customers[order["customer_id"]], order


async def _handed_off(app_url: str, language: str, customer_id: str, order_id: str) -> Customer:
    """A signed-in customer who asked where their order is (giving the e-mail if asked), then for a person."""
    customer = await Customer(app_url).start(locale=language, customer_token=customer_token(customer_id))
    answer = " ".join(await customer.ask(ASK[language].format(order_id=order_id)))
    if "e-mail" in answer:
        answer = " ".join(await customer.ask(shop.customer(customer_id)["email"]))
    assert order_id in answer, answer
    await customer.say(HANDOFF[language])
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued", timeout=60)
    return customer


@pytest.fixture
async def dana(app_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The demo admin over HTTP."""
    async with httpx.AsyncClient(base_url=app_url) as http:
        login = await http.post("/api/agent/login", json={"agent_id": "dana", "password": "dana-demo"})
        login.raise_for_status()
        http.headers["Authorization"] = f"Bearer {login.json()['token']}"
        yield http


def _as(app_url: str, agent: Agent) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=app_url, headers={"Authorization": f"Bearer {agent.token}"})


async def _rendered(http: httpx.AsyncClient, conversation_id: str, canned_id: int) -> str:
    resp = await http.get(f"/api/agent/conversations/{conversation_id}/canned/{canned_id}/rendered")
    assert resp.status_code == 200, resp.text
    return str(resp.json()["text"])


async def test_the_seed_filled_in_for_a_real_conversation(app_url: str) -> None:
    person, order = _shipped("en")
    first_name = person["name"].split()[0]
    customer = await _handed_off(app_url, "en", person["customer_id"], order["order_id"])
    cid = customer.conversation_id
    bob = await Agent(app_url, "bob", "bob-demo").login()
    assert (await bob.claim(cid))["type"] == "claimed"

    async with _as(app_url, bob) as as_bob:
        listed = await as_bob.get("/api/agent/canned", params={"language": "en", "q": "where"})
        assert listed.status_code == 200, listed.text
        found = listed.json()
        assert found[0]["shortcut"] == "where-is-order" and {r["language"] for r in found} == {"en"}
        typed = (await as_bob.get("/api/agent/canned", params={"language": "en", "q": "/WHE"})).json()
        assert typed[0]["id"] == found[0]["id"]
        everything = (await as_bob.get("/api/agent/canned", params={"language": "en"})).json()
        assert {"greeting", "where-is-order", "refund-issued", "damaged-apology", "need-photo", "missing-item",
                "closing", "wait-a-moment"} <= {r["shortcut"] for r in everything}
        assert (await as_bob.get("/api/agent/canned", params={"language": "fr"})).status_code == 422

        # Filled in from the handoff context: name, the order asked about, its tracking and carrier.
        text = await _rendered(as_bob, cid, found[0]["id"])
        assert first_name in text and order["order_id"] in text and order["tracking_number"] in text, text
        assert order["carrier"] in text and "[" not in text and "{" not in text, text
        greeting = next(r for r in everything if r["shortcut"] == "greeting")
        assert "Bob" in await _rendered(as_bob, cid, greeting["id"])
        assert (await as_bob.get(f"/api/agent/conversations/{uuid.uuid4().hex}/canned/{found[0]['id']}/rendered")
                ).status_code == 404
        assert (await as_bob.get(f"/api/agent/conversations/{cid}/canned/999999/rendered")).status_code == 404
    async with httpx.AsyncClient(base_url=app_url) as anonymous:
        assert (await anonymous.get("/api/agent/canned")).status_code == 401

    # Sent like any reply: the customer gets exactly that text.
    start = len(customer.ws.frames)
    assert (await bob.say(cid, text))["type"] == "ack"
    got = await customer.ws.wait_for(lambda f: f["type"] == "message" and f["message"]["sender"] == "agent",
                                     start=start)
    assert got["message"]["text"] == text
    assert (await bob.close_conversation(cid))["type"] == "state"
    await bob.ws.close()
    await customer.ws.close()


async def test_indonesian_gets_the_indonesian_text(app_url: str) -> None:
    person, order = _shipped("id")
    customer = await _handed_off(app_url, "id", person["customer_id"], order["order_id"])
    cid = customer.conversation_id
    bob = await Agent(app_url, "bob", "bob-demo").login()  # English and Indonesian
    assert (await bob.claim(cid))["type"] == "claimed"
    async with _as(app_url, bob) as as_bob:
        found = (await as_bob.get("/api/agent/canned", params={"language": "id", "q": "whe"})).json()
        assert [(r["shortcut"], r["language"]) for r in found] == [("where-is-order", "id")]
        text = await _rendered(as_bob, cid, found[0]["id"])
    assert text.startswith(f"Halo Kak {person['name'].split()[0]},"), text
    assert "Nomor resinya" in text and order["tracking_number"] in text and order["order_id"] in text, text
    assert (await bob.close_conversation(cid))["type"] == "state"
    await bob.ws.close()
    await customer.ws.close()


async def test_admins_edit_and_nobody_else_does(app_url: str, dana: httpx.AsyncClient) -> None:
    shortcut = f"t-{uuid.uuid4().hex[:10]}"
    body = {"shortcut": shortcut, "language": "en", "title": "Test reply",
            "text": "Hi {first_name}, about {order_id}: {unknown} {0.__class__} {"}
    created = await dana.post("/api/admin/canned", json=body)
    assert created.status_code == 201, created.text
    item = created.json()
    assert item["updated_by"] == "dana" and item["shortcut"] == shortcut
    again = await dana.post("/api/admin/canned", json=body)
    assert again.status_code == 409 and again.json()["detail"]["code"] == "shortcut_taken"
    assert (await dana.post("/api/admin/canned", json={**body, "language": "he"})).status_code == 201
    for bad in ({"shortcut": "Not OK"}, {"language": "fr"}, {"title": " "}, {"text": "x" * 2001}, {"extra": 1}):
        assert (await dana.post("/api/admin/canned", json={**body, **bad})).status_code == 422, bad

    # A conversation without a handoff context: every placeholder stays a label, nothing crashes.
    guest = await Customer(app_url).start()
    shown = (await dana.get(f"/api/agent/conversations/{guest.conversation_id}/canned/{item['id']}/rendered")).json()
    assert shown["text"] == "Hi [first name], about [order number]: [unknown] [0.__class__] {"
    await guest.ws.close()

    changed = await dana.patch(f"/api/admin/canned/{item['id']}", json={"title": "Renamed", "text": "Bye {name}"})
    assert changed.status_code == 200 and changed.json()["title"] == "Renamed"
    assert changed.json()["shortcut"] == shortcut
    listed = (await dana.get("/api/agent/canned", params={"language": "en", "q": shortcut})).json()
    assert [(r["id"], r["text"]) for r in listed] == [(item["id"], "Bye {name}")]
    clash = await dana.patch(f"/api/admin/canned/{item['id']}", json={"shortcut": "where-is-order"})
    assert clash.status_code == 409
    assert (await dana.patch("/api/admin/canned/999999", json={"title": "x"})).status_code == 404
    assert (await dana.patch(f"/api/admin/canned/{item['id']}", json={"language": "xx"})).status_code == 422

    # Bob is an agent, not an admin: he reads them, but may not change them.
    bob = await Agent(app_url, "bob", "bob-demo").login()
    async with _as(app_url, bob) as as_bob:
        assert (await as_bob.post("/api/admin/canned", json={**body, "shortcut": f"{shortcut}-b"})).status_code == 403
        assert (await as_bob.patch(f"/api/admin/canned/{item['id']}", json={"title": "x"})).status_code == 403
        assert (await as_bob.delete(f"/api/admin/canned/{item['id']}")).status_code == 403
        assert [r["id"] for r in (await as_bob.get("/api/agent/canned", params={"q": shortcut})).json()
                if r["language"] == "en"] == [item["id"]]
    await bob.ws.close()

    assert (await dana.delete(f"/api/admin/canned/{item['id']}")).status_code == 204
    assert (await dana.delete(f"/api/admin/canned/{item['id']}")).status_code == 404
    left = (await dana.get("/api/agent/canned", params={"q": shortcut})).json()
    assert [r["language"] for r in left] == ["he"]
    assert (await dana.delete(f"/api/admin/canned/{left[0]['id']}")).status_code == 204
