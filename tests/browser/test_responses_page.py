"""The Responses section of /admin in a real browser: the demo admin finds a response by filtering,
sees its three languages side by side (Hebrew right to left), edits the Indonesian text in place (a
placeholder the bot does not fill is refused first, said in the language's cell), sees it saved with
her name, markup shown as text, finds her change in the history, and restores the original. An agent
gets "Admins only", and the page never asks for the responses.

The section needs no assistant (its texts come from bot/domain), so the app runs here, in this test's
event loop, with the in-process tier's fake bot and a database of its own: no Rasa, and no edits left
in the suite's shared app."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.async_api import Browser, Page, Request, Response, expect

from api.main import create_app
from tests.app.conftest import settings_for
from tests.app.fakes import FakeBot

TIMEOUT = 30_000
NAME = "utter_status_pending"
API = "/api/admin/responses"


@pytest.fixture(scope="module")
async def responses_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """The app served by uvicorn in this event loop. The socket listens before the server starts, so
    the browser's first request simply waits for the app's start-up: nothing to poll."""
    app = create_app(settings_for(tmp_path_factory.mktemp("responses-page")), bot=FakeBot())
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


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

