"""The agent's workspace in real pages, end to end: a signed-in customer reports a damaged item;
the agent sees the order highlighted, uses the assistant's suggested reply, issues a credit above
their authority; a supervisor approves it live in a second console; the customer sees the system
message and rates the chat. Screenshots in tests/artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect

from devstack import demo_shop as shop
from tests.support.pages import open_console

TIMEOUT = 30_000
POLICY = shop.load("policy")
LIMIT_USD = POLICY["agents"]["credit_or_refund_without_approval_usd"]


async def test_damaged_item_resolved_in_one_contact(browser: Browser, app_url: str, screenshots: Path) -> None:
    widget = await browser.new_page()
    await widget.goto(f"{app_url}/widget")
    # A demo-page customer (the page's "chat as" list) writing English, with a delivered order.
    options = await widget.get_by_test_id("customer-select").locator("option").evaluate_all(
        "els => els.map(e => e.value).filter(Boolean)")
    customer, order = next((c, o) for c in (shop.customer(i) for i in options) if c["language"] == "en"
                           for o in shop.orders("delivered") if o["customer_id"] == c["customer_id"])
    await widget.get_by_test_id("customer-select").select_option(customer["customer_id"])
    await widget.get_by_test_id("locale-select").select_option("en")
    await widget.get_by_test_id("chat-input").fill(f"my order {order['order_id']} arrived damaged, the box was crushed")
    await widget.get_by_test_id("send-button").click()
    await expect(widget.get_by_test_id("status-line")).to_contain_text("in the queue", timeout=TIMEOUT)

    bob = await open_console(browser, app_url, "bob")
    alice = await open_console(browser, app_url, "alice")  # the supervisor, watching her approvals
    await bob.locator("[data-testid=queue-item][data-state=queued]").last.get_by_test_id("claim-button").click()
    await expect(bob.get_by_test_id("conversation-state")).to_contain_text("Assigned to you", timeout=TIMEOUT)
    # The problem and the order it concerns, highlighted.
    await expect(bob.get_by_test_id("context-problem")).to_contain_text(order["order_id"], timeout=TIMEOUT)
    await expect(bob.get_by_test_id("order-highlighted")).to_contain_text(order["order_id"], timeout=TIMEOUT)

    # The customer says more; the assistant suggests a reply in their language, the agent uses it.
    await widget.get_by_test_id("chat-input").fill("the screen is cracked too, what can you do?")
    await widget.get_by_test_id("send-button").click()
    await expect(bob.get_by_test_id("assist-intent")).to_have_text("damaged_item", timeout=TIMEOUT)
    suggested = await bob.get_by_test_id("assist-reply").inner_text()
    await bob.get_by_test_id("assist-use-reply").click()
    await expect(bob.get_by_test_id("reply-input")).to_have_value(suggested)
    await bob.screenshot(path=str(screenshots / "workspace-assist.png"))
    await bob.get_by_test_id("reply-send").click()
    first_words = suggested.split("\n")[0][:30]
    await expect(widget.get_by_test_id("message").filter(has_text=first_words)).to_have_count(1, timeout=TIMEOUT)

    # A credit above Bob's authority waits for a supervisor.
    amount = str(int(LIMIT_USD) + 100)
    await bob.get_by_test_id("tool-kind").select_option("credit")
    await bob.get_by_test_id("tool-amount").fill(amount)
    await bob.get_by_test_id("tool-submit").click()
    await expect(bob.locator("[data-testid=tool-request][data-status=pending_approval]")).to_have_count(
        1, timeout=TIMEOUT)
    item = alice.get_by_test_id("approval-item").filter(has_text=amount)
    await expect(item).to_be_visible(timeout=TIMEOUT)
    await alice.screenshot(path=str(screenshots / "workspace-approval.png"))
    await item.get_by_test_id("approve-button").click()
    await expect(bob.locator("[data-testid=tool-request][data-status=done]")).to_have_count(1, timeout=TIMEOUT)
    await expect(widget.get_by_test_id("message").filter(has_text="credit")).to_have_count(1, timeout=TIMEOUT)

    # Closed; the customer rates it.
    await bob.get_by_test_id("close-button").click()
    await widget.get_by_test_id("csat-score-5").click()
    await widget.get_by_test_id("csat-comment").fill("Sorted in one go, thanks Bob")
    await widget.get_by_test_id("csat-send").click()
    await expect(widget.get_by_test_id("csat-thanks")).to_be_visible(timeout=TIMEOUT)
    await widget.screenshot(path=str(screenshots / "workspace-customer.png"))
    for page in (bob, alice, widget):
        await page.close()
