"""The widget and the console in a real browser, against the real stack."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page, expect

from devstack import demo_shop as shop

TIMEOUT = 30_000


async def _send(page: Page, text: str) -> None:
    await page.get_by_test_id("chat-input").fill(text)
    await page.get_by_test_id("send-button").click()


async def test_customer_reaches_an_agent_and_they_talk(browser: Browser, app_url: str, screenshots: Path) -> None:
    order = shop.orders("shipped")[5]
    widget = await browser.new_page()
    await widget.goto(f"{app_url}/widget")
    await _send(widget, f"where is my order {order['order_id']}?")
    messages = widget.get_by_test_id("message")
    await expect(messages.filter(has_text="e-mail address")).to_have_count(1, timeout=TIMEOUT)
    await _send(widget, shop.email_for(order))
    await expect(messages.filter(has_text=order["tracking_number"])).to_have_count(1, timeout=TIMEOUT)
    await _send(widget, "I want to talk to a person")
    # From the first second of the handoff the customer sees their place in the line.
    await expect(widget.get_by_test_id("status-line")).to_contain_text("in the queue", timeout=TIMEOUT)
    await widget.screenshot(path=str(screenshots / "widget-queue-position.png"))

    console = await browser.new_page()
    await console.goto(f"{app_url}/console")
    await console.get_by_test_id("login-agent").fill("alice")
    await console.get_by_test_id("login-password").fill("alice-demo")
    await console.get_by_test_id("login-button").click()
    item = console.locator("[data-testid=queue-item][data-conversation-id]").filter(
        has_text="customer_request").last
    await expect(item).to_be_visible(timeout=TIMEOUT)
    await item.get_by_test_id("claim-button").click()
    context = console.get_by_test_id("context-panel")
    await expect(context.get_by_test_id("context-reason")).to_contain_text("customer_request", timeout=TIMEOUT)
    transcript = console.get_by_test_id("transcript")
    await expect(transcript).to_contain_text("order_status", timeout=TIMEOUT)
    await expect(transcript).to_contain_text(order["order_id"])

    await console.get_by_test_id("reply-input").fill("Hi, this is Alice. I can see your order.")
    await console.get_by_test_id("reply-send").click()
    await expect(messages.filter(has_text="this is Alice")).to_have_count(1, timeout=TIMEOUT)
    agent_bubble = messages.filter(has_text="this is Alice").first
    assert await agent_bubble.get_attribute("data-sender") == "agent"

    # Markup in a message is shown as text, never run.
    await _send(widget, "<img src=x onerror=alert(1)> thanks")
    console_messages = console.get_by_test_id("message")
    await expect(console_messages.filter(has_text="<img src=x onerror=alert(1)> thanks")).to_have_count(
        1, timeout=TIMEOUT)
    assert await console.locator("img[src=x]").count() == 0
    await widget.screenshot(path=str(screenshots / "widget-with-agent.png"))
    await console.screenshot(path=str(screenshots / "console-claimed.png"))
    await widget.close()
    await console.close()
