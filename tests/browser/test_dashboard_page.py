"""The supervisors' dashboard (/dashboard) in a real browser, against the real stack: customers talk
to the real assistant (one is handed to bob, who answers and closes; one is answered by the bot; one
writes in Hebrew), then alice signs in and sees the figures the API answered the page with, as text
and as SVG charts (a column per day, 24 hours, 5 scores, a bar per handoff reason); she filters by
language and by a single day, is told when the dates are reversed, and exports the CSV. The page
works under the pages' Content-Security-Policy. An agent (bob) gets "Supervisors only" and no figures."""

from __future__ import annotations

import asyncio
import csv
import io
import math
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, Page, Request, Response, expect

from devstack.clients import Agent, Customer
from handoff.dashboard import export

TIMEOUT = 30_000
# Runs before the page's own scripts (Playwright injects it, outside the page's policy).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


async def _conversations(app_url: str) -> None:
    """One handed off, answered, closed and rated; one the bot answers alone; one in Hebrew."""
    bob = await Agent(app_url, "bob", "bob-demo").login()
    handed = await Customer(app_url).start()
    await handed.say("I want to talk to a person")
    await handed.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued")
    assert (await bob.claim(handed.conversation_id))["type"] == "claimed"
    assert (await bob.say(handed.conversation_id, "Hi, this is Bob."))["type"] == "ack"
    assert (await bob.close_conversation(handed.conversation_id))["type"] == "state"
    async with httpx.AsyncClient(base_url=app_url) as http:
        rated = await http.post(f"/api/widget/conversations/{handed.conversation_id}/rating", json={"score": 4},
                                headers={"X-Conversation-Token": handed.token})
        assert rated.status_code == 201, rated.text
    alone = await Customer(app_url).start()
    assert await alone.ask("hello")
    hebrew = await Customer(app_url).start(locale="he")
    assert await hebrew.ask("שלום, מה שלומך?")
    for socket in (bob.ws, handed.ws, alone.ws, hebrew.ws):
        await socket.close()


def _is_dashboard(response: Response) -> bool:
    return response.url.split("?")[0].endswith("/api/dashboard")


async def _open(browser: Browser, app_url: str) -> Page:
    page = await browser.new_page(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    await page.add_init_script(RECORD_VIOLATIONS)
    response = await page.goto(f"{app_url}/dashboard")
    assert response is not None  # the app's own policy for the page (api/security_headers.py)
    assert (await response.header_value("content-security-policy") or "").endswith("frame-ancestors 'none'")
    return page


async def _sign_in(page: Page, agent: str) -> Response:
    await page.get_by_test_id("login-agent").fill(agent)
    await page.get_by_test_id("login-password").fill(f"{agent}-demo")
    async with page.expect_response(_is_dashboard) as answered:
        await page.get_by_test_id("login-button").click()
    return await answered.value


def _percent(rate: float | None) -> str:
    """As format.js writes a share: one decimal at most, rounded half up."""
    return "—" if rate is None else f"{math.floor(rate * 1000 + 0.5) / 10:g}%"


async def _shows(page: Page, board: dict[str, Any]) -> None:
    """The page shows this answer of the API: its figures as text, its charts with a bar per item."""
    view = page.get_by_test_id("dashboard")
    await expect(view).to_have_attribute("data-state", "ready", timeout=TIMEOUT)
    totals = board["totals"]
    await expect(page.get_by_test_id("figure-conversations")).to_have_text(f"{totals['conversations']:,}")
    await expect(page.get_by_test_id("figure-containment")).to_have_text(_percent(totals["containment_rate"]))
    await expect(page.get_by_test_id("figure-handoff-rate")).to_have_text(_percent(totals["handoff_rate"]))
    await expect(page.locator("[data-figure=containment]")).to_contain_text(
        f"{totals['contained']} resolved without a person")
    await expect(page.get_by_test_id("filter-from")).to_have_value(board["start"])
    await expect(page.get_by_test_id("filter-to")).to_have_value(board["end"])
    days = page.locator("[data-testid=chart-days] svg [data-testid=bar]")
    await expect(days).to_have_count(2 * len(board["days"]))
    for day in board["days"]:
        handed = page.locator(f"[data-testid=chart-days] rect[data-key='{day['day']}'][data-series=handed_off]")
        await expect(handed).to_have_attribute("data-value", str(day["handed_off"]))
    await expect(page.locator("[data-testid=chart-hours] svg [data-testid=bar]")).to_have_count(24)
    await expect(page.locator("[data-testid=chart-csat] svg [data-testid=bar]")).to_have_count(5)
    reasons = page.locator("[data-testid=chart-reasons] svg [data-testid=bar]")
    await expect(reasons).to_have_count(len(board["handoff_reasons"]))
    for reason in board["handoff_reasons"]:
        bar = page.locator(f"[data-testid=chart-reasons] rect[data-key={reason['reason']}]")
        await expect(bar).to_have_attribute("data-value", str(reason["count"]))
    await expect(page.locator("[data-testid=languages-table] tbody tr")).to_have_count(len(board["languages"]))


async def test_a_supervisor_sees_filters_and_exports_the_figures(browser: Browser, app_url: str,
                                                                 screenshots: Path) -> None:
    await _conversations(app_url)
    page = await _open(browser, app_url)
    answered = await _sign_in(page, "alice")
    assert answered.status == 200, await answered.text()
    board = await answered.json()
    # This run's conversations are today's, so the default range (the last 7 days) has them.
    assert len(board["days"]) == 7 and board["totals"]["conversations"] >= 3
    assert board["csat"]["rated"] >= 1 and any(r["reason"] == "customer_request" for r in board["handoff_reasons"])
    await _shows(page, board)
    await expect(page.get_by_test_id("dashboard-name")).to_have_text("Alice")
    await page.screenshot(path=str(screenshots / "dashboard-supervisor.png"), full_page=True)

    # One language, one day: the server's answer for them, shown.
    await page.get_by_test_id("filter-language").select_option("he")
    await page.get_by_test_id("filter-from").fill(board["end"])
    async with page.expect_response(_is_dashboard) as narrowed:
        await page.get_by_test_id("filter-apply").click()
    response = await narrowed.value
    assert "language=he" in response.url and f"from={board['end']}" in response.url
    hebrew = await response.json()
    assert hebrew["language"] == "he" and len(hebrew["days"]) == 1 and hebrew["totals"]["conversations"] >= 1
    await _shows(page, hebrew)
    await expect(page.get_by_test_id("dashboard-range")).to_contain_text("עברית")

    # Reversed dates: said under the filters, and nothing asked of the server.
    asked: list[str] = []

    def on_request(request: Request) -> None:
        if "/api/dashboard" in request.url:
            asked.append(request.url)

    page.on("request", on_request)
    await page.get_by_test_id("filter-from").fill("2026-12-31")
    await page.get_by_test_id("filter-to").fill("2026-12-01")
    await page.get_by_test_id("filter-apply").click()
    await expect(page.get_by_test_id("filter-error")).to_have_text("“From” is after “To”.")
    assert asked == []

    # The export is what is on screen (Hebrew, one day): a row for the range, the day, the language.
    async with page.expect_download() as downloading:
        await page.get_by_test_id("export-csv").click()
    download = await downloading.value
    assert download.suggested_filename == f"dashboard-{board['end']}-{board['end']}-he.csv"
    text = await asyncio.to_thread(Path(await download.path()).read_text)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["scope"], r["key"]) for r in rows] == [
        ("total", f"{board['end']}..{board['end']}"), ("day", board["end"]), ("language", "he")]
    assert int(rows[0]["conversations"]) == hebrew["totals"]["conversations"]
    assert tuple(rows[0]) == export.COLUMNS
    assert await page.evaluate("window.__cspViolations") == []
    await page.close()


async def test_an_agent_is_told_supervisors_only(browser: Browser, app_url: str, screenshots: Path) -> None:
    page = await _open(browser, app_url)
    answered = await _sign_in(page, "bob")
    assert answered.status == 403
    refused = page.get_by_test_id("dashboard-refused")
    await expect(refused).to_be_visible(timeout=TIMEOUT)
    await expect(refused).to_contain_text("Supervisors only")
    await expect(refused).to_contain_text("Bob is signed in")
    await expect(page.get_by_test_id("dashboard")).to_be_hidden()
    await expect(page.locator("[data-testid=bar]")).to_have_count(0)
    await page.screenshot(path=str(screenshots / "dashboard-refused.png"))
    # Signing in again as a supervisor from there shows the figures.
    await page.get_by_test_id("refused-logout").click()
    assert (await _sign_in(page, "alice")).status == 200
    await expect(page.get_by_test_id("dashboard")).to_be_visible(timeout=TIMEOUT)
    assert await page.evaluate("window.__cspViolations") == []
    await page.close()
