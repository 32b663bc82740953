"""The pages under their Content-Security-Policy (api/security_headers.py): each one works and the
browser reports no violation, so nothing on them needs inline script or style."""

from __future__ import annotations

import asyncio

from playwright.async_api import Browser, Page, WebSocket, expect

TIMEOUT = 30_000

# Runs before the page's own scripts (Playwright injects it, outside the page's policy).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


async def _open(browser: Browser, url: str) -> Page:
    page = await browser.new_page()
    await page.add_init_script(RECORD_VIOLATIONS)
    response = await page.goto(url)
    assert response is not None
    assert "frame-ancestors" in (await response.all_headers())["content-security-policy"]
    return page


async def _violations(page: Page) -> list[str]:
    return list(await page.evaluate("window.__cspViolations"))


async def test_the_widget_works_under_its_policy(browser: Browser, app_url: str) -> None:
    page = await _open(browser, f"{app_url}/widget")
    await page.get_by_test_id("chat-input").fill("hi")
    await page.get_by_test_id("send-button").click()
    await expect(page.locator("[data-testid=message][data-sender=bot]").first).to_be_visible(timeout=TIMEOUT)
    assert await _violations(page) == []
    await page.close()


async def test_the_console_works_under_its_policy(browser: Browser, app_url: str) -> None:
    page = await _open(browser, f"{app_url}/console")
    queue_arrived = asyncio.Event()

    def on_frame(payload: str | bytes) -> None:
        if '"queue"' in str(payload):
            queue_arrived.set()

    def on_socket(ws: WebSocket) -> None:  # the console's socket, allowed by connect-src
        ws.on("framereceived", on_frame)

    page.on("websocket", on_socket)
    await page.get_by_test_id("login-agent").fill("bob")
    await page.get_by_test_id("login-password").fill("bob-demo")
    await page.get_by_test_id("login-button").click()
    await expect(page.get_by_test_id("agent-name")).to_have_text("Bob", timeout=TIMEOUT)
    await asyncio.wait_for(queue_arrived.wait(), TIMEOUT / 1000)
    assert await _violations(page) == []
    await page.close()


async def test_the_admin_page_works_under_its_policy(browser: Browser, app_url: str) -> None:
    page = await _open(browser, f"{app_url}/admin")
    await page.get_by_test_id("login-agent").fill("dana")
    await page.get_by_test_id("login-password").fill("dana-demo")
    await page.get_by_test_id("login-button").click()
    await expect(page.get_by_test_id("team-table")).to_be_visible(timeout=TIMEOUT)
    await expect(page.get_by_test_id("canned-admin")).to_be_visible(timeout=TIMEOUT)
    assert await _violations(page) == []
    await page.close()
