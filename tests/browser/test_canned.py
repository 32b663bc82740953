"""Canned responses in a real browser, against the real stack: Bob types "/whe" in the console's reply
box, picks the suggestion with the keyboard, gets the text filled in for the conversation (the order
number and its tracking) and sends it; the customer's widget shows it. Then the admin adds, edits
and deletes one on /admin."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, expect

from devstack import demo_shop as shop

TIMEOUT = 30_000


def _order() -> dict[str, Any]:
    """The earliest shipped order of an English-speaking customer (it has a tracking number)."""
    english = {c["customer_id"] for c in shop.load("customers") if c["language"] == "en"}
    return min((o for o in shop.orders("shipped") if o["customer_id"] in english and o.get("tracking_number")),
               key=lambda o: o["order_id"])


async def _send(page: Page, text: str) -> None:
    await page.get_by_test_id("chat-input").fill(text)
    await page.get_by_test_id("send-button").click()


async def _sign_in(browser: Browser, url: str, page_path: str, agent: str) -> Page:
    page = await browser.new_page()
    await page.goto(f"{url}/{page_path}")
    await page.get_by_test_id("login-agent").fill(agent)
    await page.get_by_test_id("login-password").fill(f"{agent}-demo")
    await page.get_by_test_id("login-button").click()
    return page


async def test_the_agent_picks_a_canned_response_with_slash(browser: Browser, app_url: str,
                                                            screenshots: Path) -> None:
    order = _order()
    widget = await browser.new_page()
    await widget.goto(f"{app_url}/widget")
    messages = widget.get_by_test_id("message")
    await _send(widget, f"where is my order {order['order_id']}?")
    await expect(messages.filter(has_text="e-mail address")).to_have_count(1, timeout=TIMEOUT)
    await _send(widget, shop.email_for(order))
    await expect(messages.filter(has_text=order["tracking_number"])).to_have_count(1, timeout=TIMEOUT)
    await _send(widget, "I want to talk to a person")
    await expect(widget.get_by_test_id("status-line")).to_contain_text("in the queue", timeout=TIMEOUT)
    cid = await widget.evaluate("""() => {
        const key = Object.keys(localStorage).find((k) => k.startsWith('shopbot.widget.conversation@'));
        return JSON.parse(localStorage.getItem(key)).conversation_id;
    }""")

    console = await _sign_in(browser, app_url, "console", "bob")
    item = console.locator(f"[data-testid=queue-item][data-conversation-id='{cid}']")
    await item.get_by_test_id("claim-button").click(timeout=TIMEOUT)
    await expect(console.get_by_test_id("conversation-state")).to_contain_text("Assigned to you", timeout=TIMEOUT)

    reply = console.get_by_test_id("reply-input")
    suggestions = console.get_by_test_id("canned-suggestions")
    await reply.click()
    await reply.press_sequentially("/")
    await expect(suggestions).to_be_visible(timeout=TIMEOUT)
    await expect(suggestions.get_by_test_id("canned-item").first).to_be_visible()
    assert await suggestions.get_by_test_id("canned-item").count() > 1
    await reply.press_sequentially("whe")  # filtered as Bob types
    first = suggestions.get_by_test_id("canned-item").first
    await expect(first).to_have_attribute("data-shortcut", "where-is-order", timeout=TIMEOUT)
    await expect(first).to_have_attribute("aria-selected", "true")
    await console.screenshot(path=str(screenshots / "console-canned-suggestions.png"))
    await reply.press("Escape")
    await expect(suggestions).to_be_hidden()
    await expect(reply).to_have_value("/whe")  # Escape closes the list, nothing is sent
    # Typed and Enter at once, before (or after) the list is in: picks the first match, never sends "/whe".
    await reply.fill("")
    await reply.press_sequentially("/whe")
    await reply.press("Enter")

    await expect(reply).to_have_value(f"Hi {shop.customer(order['customer_id'])['name'].split()[0]}, your order "
                                      f"{order['order_id']} is on its way with {order['carrier']}. The tracking "
                                      f"number is {order['tracking_number']}: you can follow the parcel on the "
                                      "carrier's website.", timeout=TIMEOUT)
    await expect(suggestions).to_be_hidden()
    await expect(widget.get_by_test_id("message").filter(has_text="/whe")).to_have_count(0)
    await console.screenshot(path=str(screenshots / "console-canned.png"))
    await reply.press("End")
    await reply.press_sequentially(" Anything else?")
    await console.get_by_test_id("reply-send").click()
    sent = messages.filter(has_text=f"The tracking number is {order['tracking_number']}")
    await expect(sent).to_have_count(1, timeout=TIMEOUT)
    await expect(sent).to_contain_text("Anything else?")
    assert await sent.get_attribute("data-sender") == "agent"
    await widget.screenshot(path=str(screenshots / "widget-canned.png"))
    await console.get_by_test_id("close-button").click()
    await expect(console.get_by_test_id("conversation-state")).to_contain_text("Closed", timeout=TIMEOUT)
    await widget.close()
    await console.close()


async def test_the_admin_adds_edits_and_deletes_one(browser: Browser, app_url: str, screenshots: Path) -> None:
    page = await _sign_in(browser, app_url, "admin", "dana")
    section = page.get_by_test_id("canned-admin")
    await expect(section).to_be_visible(timeout=TIMEOUT)
    table = page.get_by_test_id("canned-table")
    await expect(table.locator("[data-testid=canned-row][data-shortcut=where-is-order]")).to_be_visible()
    await page.get_by_test_id("canned-language").select_option("id")
    await expect(table.locator("[data-testid=canned-row][data-shortcut=where-is-order] [data-col=title]")
                 ).to_have_text("Di mana pesanan saya", timeout=TIMEOUT)
    await page.get_by_test_id("canned-language").select_option("en")

    # Taken in that language: refused at the shortcut field.
    await page.get_by_test_id("canned-shortcut").fill("where-is-order")
    await page.get_by_test_id("canned-title").fill("Again")
    await page.get_by_test_id("canned-text").fill("Again {order_id}")
    await page.get_by_test_id("canned-save").click()
    await expect(page.get_by_test_id("canned-error-shortcut")).to_contain_text("exists in en", timeout=TIMEOUT)

    shortcut = f"t-{uuid.uuid4().hex[:8]}"
    await page.get_by_test_id("canned-shortcut").fill(shortcut)
    await page.get_by_test_id("canned-save").click()
    row = table.locator(f"[data-testid=canned-row][data-shortcut='{shortcut}']")
    await expect(row.locator("[data-col=title]")).to_have_text("Again", timeout=TIMEOUT)
    await expect(page.get_by_test_id("canned-error-shortcut")).to_be_empty()

    await row.get_by_test_id("canned-edit").click()
    await expect(page.get_by_test_id("canned-form")).to_have_attribute("data-mode", "edit")
    await page.get_by_test_id("canned-title").fill("Edited title")
    await page.get_by_test_id("canned-save").click()
    await expect(row.locator("[data-col=title]")).to_have_text("Edited title", timeout=TIMEOUT)
    await expect(row.locator("[data-col=updated]")).to_contain_text("dana")
    await page.screenshot(path=str(screenshots / "admin-canned.png"), full_page=True)

    await row.get_by_test_id("canned-delete").click()
    await expect(row.get_by_test_id("canned-delete")).to_contain_text(f"Delete /{shortcut}?")
    await row.get_by_test_id("canned-delete").click()
    await expect(row).to_have_count(0, timeout=TIMEOUT)
    await page.close()
