"""The Training examples section of /admin in a real browser, against the real stack: the demo admin
writes an example with an entity in Rasa's inline form and a phone number in it, sees it listed
redacted with the entity marked, edits it, is told why an unknown entity is refused, and deletes it
(a second click confirms)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.async_api import Browser, Response, expect

TIMEOUT = 30_000


def _call(method: str, status: int) -> Callable[[Response], bool]:
    def match(response: Response) -> bool:
        return (response.request.method == method and "/api/admin/examples" in response.url
                and response.status == status)
    return match


async def test_the_admin_writes_edits_and_deletes_an_example(browser: Browser, app_url: str,
                                                            screenshots: Path) -> None:
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{app_url}/admin")
    await page.get_by_test_id("login-agent").fill("dana")
    await page.get_by_test_id("login-password").fill("dana-demo")
    await page.get_by_test_id("login-button").click()
    section = page.get_by_test_id("examples-admin")
    await expect(section).to_be_visible(timeout=TIMEOUT)

    await section.get_by_test_id("example-language").select_option("en")
    await section.get_by_test_id("example-intent").fill("cancel_order")
    await section.get_by_test_id("example-text").fill("pls cancel [10007](order_id), call me 415-555-0134")
    async with page.expect_response(_call("POST", 201)):
        await section.get_by_test_id("example-save").click()
    row = section.get_by_test_id("example").filter(has_text="cancel")
    await expect(row).to_have_count(1, timeout=TIMEOUT)
    shown = row.get_by_test_id("example-shown")
    await expect(shown).to_have_text("pls cancel 19001, call me [phone]")  # redacted before it was stored
    await expect(shown.get_by_test_id("review-entity")).to_have_text(["19001"])
    await expect(shown.get_by_test_id("review-entity")).to_have_attribute("data-entity", "order_id")
    await expect(section.get_by_test_id("example-text")).to_have_value("")

    # Editing puts the stored form back in the field; an entity the assistant lacks is refused, saying why.
    await row.get_by_test_id("example-edit").click()
    await expect(section.get_by_test_id("example-text")).to_have_value("pls cancel [19001](order_id), call me [phone]")
    await section.get_by_test_id("example-text").fill("pls cancel [19001](colour)")
    async with page.expect_response(_call("PUT", 422)):
        await section.get_by_test_id("example-save").click()
    await expect(section.get_by_test_id("example-error")).to_contain_text("colour is not an entity")
    await section.get_by_test_id("example-text").fill("cancel [19001](order_id) now")
    async with page.expect_response(_call("PUT", 200)):
        await section.get_by_test_id("example-save").click()
    await expect(section.get_by_test_id("example").filter(has_text="now").get_by_test_id("example-shown")).to_have_text(
        "cancel 19001 now")
    await section.screenshot(path=str(screenshots / "admin-examples.png"))

    row = section.get_by_test_id("example").filter(has_text="now")
    await row.get_by_test_id("example-delete").click()
    await expect(row.get_by_test_id("example-delete")).to_have_text("Delete for good?")
    async with page.expect_response(_call("DELETE", 204)):
        await row.get_by_test_id("example-delete").click()
    await expect(section.get_by_test_id("example").filter(has_text="now")).to_have_count(0)
    await page.close()
