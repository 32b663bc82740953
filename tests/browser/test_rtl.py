"""Hebrew in the widget and the console: right-to-left where the text is Hebrew, left-to-right
where it is not, mixed Hebrew with numbers kept in order; a screenshot is kept as an artifact."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Locator, expect

TIMEOUT = 30_000


async def _direction(locator: Locator) -> str:
    return str(await locator.evaluate("el => getComputedStyle(el).direction"))


async def test_hebrew_conversation_renders_right_to_left(browser: Browser, app_url: str, screenshots: Path) -> None:
    page = await browser.new_page(locale="he-IL")
    await page.goto(f"{app_url}/widget")
    await page.get_by_test_id("locale-select").select_option("he")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl", timeout=TIMEOUT)
    await expect(page.locator("html")).to_have_attribute("lang", "he")

    messages = page.get_by_test_id("message")
    hebrew = "איפה ההזמנה שלי 10042?"
    await page.get_by_test_id("chat-input").fill(hebrew)
    await page.get_by_test_id("send-button").click()
    mine = messages.filter(has_text="איפה ההזמנה שלי")
    await expect(mine).to_have_count(1, timeout=TIMEOUT)
    # The bot answers in Hebrew (it asks for the e-mail on the order).
    reply = page.locator("[data-testid=message][data-sender=bot]").last
    await expect(reply).to_contain_text("10042", timeout=TIMEOUT)
    await expect(reply).to_contain_text("מייל", timeout=TIMEOUT)

    assert await _direction(mine.first.locator(".bubble")) == "rtl"
    assert await _direction(reply.locator(".bubble")) == "rtl"
    # The order number inside the Hebrew sentence stays one left-to-right run in the right place.
    assert "10042" in (await mine.first.inner_text())

    # An English message in the same Hebrew page is laid out left to right.
    await page.get_by_test_id("chat-input").fill("sorry, english: where is order 10042")
    await page.get_by_test_id("send-button").click()
    english = messages.filter(has_text="sorry, english")
    await expect(english).to_have_count(1, timeout=TIMEOUT)
    assert await _direction(english.first.locator(".bubble")) == "ltr"
    assert await _direction(english.first) == "rtl"  # the row itself follows the Hebrew page
    # ... and the bot follows the customer into English.
    last_bot = page.locator("[data-testid=message][data-sender=bot]").last
    await expect(last_bot).to_contain_text("e-mail", timeout=TIMEOUT)

    # The widget's own chrome is translated and mirrored.
    await expect(page.get_by_test_id("send-button")).not_to_have_text("Send")
    assert await _direction(page.get_by_test_id("status-line")) == "rtl"
    await page.screenshot(path=str(screenshots / "widget-hebrew-rtl.png"), full_page=True)
    await page.close()
