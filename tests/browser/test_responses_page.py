"""The Responses section of /admin in a real browser: the demo admin finds a response by filtering,
sees its three languages side by side (Hebrew right to left), edits the Indonesian text in place (a
placeholder the bot does not fill is refused first, said in the language's cell), sees it saved with
her name, markup shown as text, finds her change in the history, and restores the original. An agent
gets "Admins only", and the page never asks for the responses.

The app is a process of the real stack (the suite's Rasa and action server) on a database of its own,
so no edit is left in the suite's shared app, even when a step fails half-way."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, Request, Response, expect

from devstack.stack import Stack
from tests.conftest import extra_app

TIMEOUT = 30_000
NAME = "utter_status_pending"
API = "/api/admin/responses"


@pytest.fixture(scope="module")
def responses_url(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from extra_app(stack, tmp_path_factory, "responses-page", {})


async def _sign_in(page: Page, url: str, agent: str, status: int) -> Page:
    await page.goto(f"{url}/admin")
    await page.get_by_test_id("login-agent").fill(agent)
    await page.get_by_test_id("login-password").fill(f"{agent}-demo")
    async with page.expect_response(lambda r: r.url.endswith("/api/admin/agents") and r.status == status):
        await page.get_by_test_id("login-button").click()
    return page


def _put(language: str, status: int) -> Callable[[Response], bool]:
    def match(response: Response) -> bool:
        return (response.request.method == "PUT" and response.url.endswith(f"{API}/{NAME}/{language}")
                and response.status == status)
    return match


async def _listed(url: str) -> dict[str, dict[str, object]]:
    async with httpx.AsyncClient(base_url=url) as http:
        login = await http.post("/api/agent/login", json={"agent_id": "dana", "password": "dana-demo"})
        login.raise_for_status()
        resp = await http.get(API, headers={"Authorization": f"Bearer {login.json()['token']}"})
        resp.raise_for_status()
    found = next(r for r in resp.json() if r["name"] == NAME)
    return {lang["language"]: lang for lang in found["languages"]}


async def test_the_admin_edits_and_restores_the_indonesian_text(browser: Browser, responses_url: str,
                                                               screenshots: Path) -> None:
    original = (await _listed(responses_url))["id"]["original"]
    assert isinstance(original, str)
    page = await _sign_in(await browser.new_page(viewport={"width": 1280, "height": 900}), responses_url, "dana", 200)
    section = page.get_by_test_id("responses-admin")
    await expect(section).to_be_visible(timeout=TIMEOUT)
    await expect(section.get_by_test_id("responses-next-model")).to_contain_text("next trained and promoted model")
    cards = section.get_by_test_id("response-card")
    card = section.locator(f"[data-testid=response-card][data-response={NAME}]")
    await expect(card).to_be_visible(timeout=TIMEOUT)
    await section.get_by_test_id("responses-filter").fill("status_pending")
    await expect(cards.locator("visible=true")).to_have_count(1)
    await expect(section.get_by_test_id("responses-count")).to_contain_text("(1 of ")

    cells = {code: card.locator(f"[data-testid=response-lang][data-language={code}]") for code in ("en", "id", "he")}
    await expect(cells["he"].get_by_test_id("response-text")).to_have_attribute("dir", "rtl")
    await expect(cells["en"].get_by_test_id("response-text")).to_have_attribute("dir", "ltr")
    indonesian = cells["id"]
    await expect(indonesian.get_by_test_id("response-text")).to_have_text(original)

    # A placeholder the bot never fills: refused, said in the cell, the text kept for correcting.
    await indonesian.get_by_test_id("response-edit").click()
    textarea = indonesian.get_by_test_id("response-textarea")
    await expect(textarea).to_have_value(original)
    await expect(textarea).to_have_attribute("dir", "ltr")
    await textarea.fill("Halo {nama}, pesanan {order_id} sudah kami terima.")
    async with page.expect_response(_put("id", 422)):
        await indonesian.get_by_test_id("response-save").click()
    await expect(indonesian.get_by_test_id("response-error")).to_contain_text("{nama}")
    assert (await _listed(responses_url))["id"]["edited"] is None

    edited = "Pesanan {order_id} sudah kami terima <b>ya</b>, tinggal menunggu pembayaran."
    await textarea.fill(edited)
    async with page.expect_response(_put("id", 200)):
        await indonesian.get_by_test_id("response-save").click()
    await expect(indonesian).to_have_attribute("data-edited", "true", timeout=TIMEOUT)
    await expect(indonesian.get_by_test_id("response-text")).to_have_text(edited)  # markup as text
    assert await indonesian.get_by_test_id("response-text").locator("b").count() == 0
    await expect(indonesian.get_by_test_id("response-edited-by")).to_contain_text("dana")
    await expect(page.get_by_test_id("notice")).to_contain_text(f"Saved {NAME} (id)")
    await expect(cells["en"]).to_have_attribute("data-edited", "false")
    listed = await _listed(responses_url)
    assert listed["id"]["edited"] == edited and listed["id"]["edited_by"] == "dana"

    await section.get_by_test_id("responses-edited-only").check()
    await expect(cards.locator("visible=true")).to_have_count(1)
    await card.get_by_test_id("response-history").locator("summary").click()
    entry = card.locator("[data-testid=response-history-entry][data-admin=dana][data-language=id]")
    await expect(entry).to_contain_text(edited, timeout=TIMEOUT)
    await card.scroll_into_view_if_needed()
    await page.screenshot(path=str(screenshots / "admin-responses.png"))

    async with page.expect_response(_put("id", 200)):
        await indonesian.get_by_test_id("response-restore").click()
    await expect(indonesian).to_have_attribute("data-edited", "false", timeout=TIMEOUT)
    await expect(indonesian.get_by_test_id("response-text")).to_have_text(original)
    await expect(indonesian.get_by_test_id("response-edited-by")).to_contain_text("Restored by dana")
    await expect(indonesian.get_by_test_id("response-restore")).to_have_count(0)
    listed = await _listed(responses_url)
    assert listed["id"]["edited"] is None and listed["id"]["original"] == original
    await page.close()


async def test_an_agent_sees_no_responses(browser: Browser, responses_url: str) -> None:
    asked: list[str] = []
    page = await browser.new_page()

    def record(request: Request) -> None:
        if API in request.url:
            asked.append(request.url)

    page.on("request", record)
    await _sign_in(page, responses_url, "bob", 403)
    await expect(page.get_by_test_id("admin-refused")).to_be_visible(timeout=TIMEOUT)
    await expect(page.get_by_test_id("responses-admin")).to_be_hidden()
    assert await page.get_by_test_id("response-card").count() == 0
    assert asked == []
    await page.close()

