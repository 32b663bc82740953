"""The context panel in a real browser: after a signed-in customer reports a damaged item, the agent's
console shows the problem's sub-reason with the order it concerns highlighted, the customer's
invoices and subscriptions, and their earlier conversation with how it ended."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, expect

from devstack import demo_shop as shop
from devstack.clients import Agent, Customer
from tests.support.pages import open_console
from tests.support.tokens import customer_token

TIMEOUT = 30_000


def _customer_with_many_orders() -> dict[str, Any]:
    """An English-speaking customer with a subscription and invoices, and the most delivered orders
    (so the highlighted one stands among others)."""
    delivered = Counter(o["customer_id"] for o in shop.orders("delivered"))
    subscribed = {s["customer_id"] for s in shop.load("subscriptions")}
    invoiced = {i["customer_id"] for i in shop.load("invoices")}
    candidates = [c for c in shop.load("customers") if c["language"] == "en"
                  and c["customer_id"] in subscribed and c["customer_id"] in invoiced]
    return max(candidates, key=lambda c: (delivered[c["customer_id"]], c["customer_id"]))


async def _signed_in(app_url: str, customer_id: str) -> Customer:
    return await Customer(app_url).start(customer_token=customer_token(customer_id))


async def _queued(customer: Customer) -> None:
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued", timeout=60)


async def test_the_panel_shows_the_problem_the_records_and_the_history(
    browser: Browser, app_url: str, screenshots: Path
) -> None:
    person = _customer_with_many_orders()
    cid = person["customer_id"]
    order = next(o for o in shop.orders("delivered") if o["customer_id"] == cid)
    # An earlier contact, closed as resolved by a colleague.
    alice = await Agent(app_url, "alice", "alice-demo").login()
    earlier = await _signed_in(app_url, cid)
    await earlier.say("I want to talk to a person")
    await _queued(earlier)
    assert (await alice.claim(earlier.conversation_id))["type"] == "claimed"
    assert (await alice.close_conversation(earlier.conversation_id, "resolved"))["type"] == "state"

    bob = await open_console(browser, app_url, "bob", viewport={"width": 1400, "height": 1000})
    customer = await _signed_in(app_url, cid)
    await customer.say(f"my order {order['order_id']} arrived broken")
    await _queued(customer)
    item = bob.locator(f"[data-testid=queue-item][data-conversation-id='{customer.conversation_id}']")
    await item.get_by_test_id("claim-button").click()
    await expect(bob.get_by_test_id("conversation-state")).to_contain_text("Assigned to you", timeout=TIMEOUT)

    problem = bob.get_by_test_id("context-problem")
    await expect(problem).to_contain_text("Item arrived damaged", timeout=TIMEOUT)
    await expect(problem).to_contain_text(order["order_id"])
    highlighted = bob.get_by_test_id("order-highlighted")
    await expect(highlighted).to_have_count(1)
    await expect(highlighted).to_have_attribute("data-order-id", order["order_id"])
    await expect(bob.get_by_test_id("context-invoices")).to_be_visible()
    await expect(bob.get_by_test_id("context-subscriptions")).to_be_visible()
    history = bob.get_by_test_id("context-history")
    await expect(history).to_be_visible()
    entry = history.locator(f"[data-conversation-id='{earlier.conversation_id}']")
    await expect(entry).to_contain_text("Resolved")
    await expect(entry).to_contain_text("not rated")
    await bob.screenshot(path=str(screenshots / "console-context-problem.png"))
    await history.scroll_into_view_if_needed()
    await bob.get_by_test_id("context-panel").screenshot(path=str(screenshots / "console-context-history.png"))

    await bob.get_by_test_id("close-button").click()
    await expect(bob.get_by_test_id("conversation-state")).to_contain_text("Closed", timeout=TIMEOUT)
    await bob.close()
    for ws in (earlier.ws, customer.ws, alice.ws):
        await ws.close()
