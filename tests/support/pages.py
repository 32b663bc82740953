"""Opening the product's pages in the browser tests the way a person does."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Browser, Page, expect

TIMEOUT = 30_000  # ms: how long a page may take to show what a test waits for


async def open_console(browser: Browser, url: str, agent: str, **page_options: Any) -> Page:
    """A console signed in as a demo agent (password `<agent>-demo`), ready once presence shows."""
    page = await browser.new_page(**page_options)
    await page.goto(f"{url}/console")
    await page.get_by_test_id("login-agent").fill(agent)
    await page.get_by_test_id("login-password").fill(f"{agent}-demo")
    await page.get_by_test_id("login-button").click()
    await expect(page.get_by_test_id("presence-select")).to_be_visible(timeout=TIMEOUT)
    return page
