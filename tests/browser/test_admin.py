"""The team admin page (/admin) in a real browser, against the real stack: the demo admin signs in,
sees the team, adds an agent and edits them, and the change is in the admin API; the API's
refusals (409 id taken, 422) show in the form; a non-admin is refused and sees no team."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
from playwright.async_api import Browser, Page, Response, expect

TIMEOUT = 30_000


async def _sign_in(browser: Browser, url: str, agent: str) -> Page:
    page = await browser.new_page()
    await page.goto(f"{url}/admin")
    await page.get_by_test_id("login-agent").fill(agent)
    await page.get_by_test_id("login-password").fill(f"{agent}-demo")
    async with page.expect_response(lambda r: r.url.endswith("/api/admin/agents")) as listed:
        await page.get_by_test_id("login-button").click()
    await listed.value
    return page


def _agents_call(method: str, status: int) -> Callable[[Response], bool]:
    """Matches the page's call to the admin API with this method, answered with this status."""
    def match(response: Response) -> bool:
        return (response.request.method == method and "/api/admin/agents" in response.url
                and response.status == status)
    return match


async def _team(url: str) -> dict[str, dict[str, object]]:
    async with httpx.AsyncClient(base_url=url) as http:
        login = await http.post("/api/agent/login", json={"agent_id": "dana", "password": "dana-demo"})
        login.raise_for_status()
        listed = await http.get("/api/admin/agents", headers={"Authorization": f"Bearer {login.json()['token']}"})
        listed.raise_for_status()
        return {a["id"]: a for a in listed.json()}


async def test_the_admin_adds_and_edits_an_agent(browser: Browser, app_url: str, screenshots: Path) -> None:
    page = await _sign_in(browser, app_url, "dana")
    table = page.get_by_test_id("team-table")
    await expect(table).to_be_visible(timeout=TIMEOUT)
    await expect(page.get_by_test_id("admin-refused")).to_be_hidden()
    alice = table.locator("[data-testid=agent-row][data-agent-id=alice]")
    await expect(alice.locator("[data-col=role]")).to_have_text("Supervisor")
    noa = table.locator("[data-testid=agent-row][data-agent-id=noa]")
    await expect(noa.locator("[data-col=languages]")).to_have_attribute("data-value", "he")
    # The choices are the server's lists (GET /api/meta).
    await expect(page.get_by_test_id("agent-role").locator("option")).to_have_count(3)
    await expect(page.get_by_test_id("languages-id")).to_be_attached()
    await expect(page.get_by_test_id("skills-billing")).to_be_attached()

    # Add an agent.
    agent_id = f"t{uuid.uuid4().hex[:12]}"
    name = f"Tess {agent_id[-4:]}"
    form = page.get_by_test_id("agent-form")
    await expect(form).to_have_attribute("data-mode", "add")
    await page.get_by_test_id("agent-id").fill(agent_id)
    await page.get_by_test_id("agent-display-name").fill(name)
    await page.get_by_test_id("agent-password").fill("tess-secret-1")
    await page.get_by_test_id("agent-role").select_option("agent")
    await page.get_by_test_id("skills-orders").check()
    await page.get_by_test_id("languages-en").check()
    await page.get_by_test_id("agent-max-chats").fill("2")
    async with page.expect_response(_agents_call("POST", 201)):
        await page.get_by_test_id("agent-save").click()
    row = table.locator(f"[data-testid=agent-row][data-agent-id={agent_id}]")
    await expect(row.locator("[data-col=name]")).to_have_text(name, timeout=TIMEOUT)
    await expect(row.locator("[data-col=languages]")).to_have_attribute("data-value", "en")
    await expect(row.locator("[data-col=presence]")).to_have_attribute("data-value", "offline")
    await expect(page.get_by_test_id("notice")).to_contain_text(f"Added {name}")

    # Edit their languages and max chats.
    await row.get_by_test_id("edit-agent").click()
    await expect(form).to_have_attribute("data-mode", "edit")
    await expect(page.get_by_test_id("agent-id")).to_have_value(agent_id)
    await expect(page.get_by_test_id("languages-en")).to_be_checked()
    await page.get_by_test_id("languages-en").uncheck()
    await page.get_by_test_id("languages-id").check()
    await page.get_by_test_id("languages-he").check()
    await page.get_by_test_id("agent-max-chats").fill("5")
    async with page.expect_response(_agents_call("PATCH", 200)):
        await page.get_by_test_id("agent-save").click()
    await expect(row.locator("[data-col=languages]")).to_have_attribute("data-value", "id he", timeout=TIMEOUT)
    await expect(row.locator("[data-col=languages]")).to_contain_text("Bahasa Indonesia")
    await expect(row.locator("[data-col=max_chats]")).to_have_text("5")
    await expect(form).to_have_attribute("data-mode", "add")
    saved = (await _team(app_url))[agent_id]
    assert saved["languages"] == ["id", "he"] and saved["max_chats"] == 5, saved
    assert saved["skills"] == ["orders"] and saved["display_name"] == name and saved["role"] == "agent", saved

    # The session is kept in the tab, like the console's.
    async with page.expect_response(_agents_call("GET", 200)):
        await page.reload()
    await expect(row).to_be_visible(timeout=TIMEOUT)
    await expect(page.get_by_test_id("login-button")).to_be_hidden()

    # Refusals show in the form: 422 (at the id field), then 409 (the id is taken).
    await page.get_by_test_id("agent-id").fill("Not An Id!")
    await page.get_by_test_id("agent-display-name").fill("Someone")
    await page.get_by_test_id("agent-password").fill("someone-secret")
    async with page.expect_response(_agents_call("POST", 422)):
        await page.get_by_test_id("agent-save").click()
    await expect(page.get_by_test_id("error-id")).not_to_be_empty()
    await expect(page.get_by_test_id("agent-id")).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_test_id("agent-form-error")).to_contain_text("refused")
    await page.get_by_test_id("agent-id").fill("bob")
    async with page.expect_response(_agents_call("POST", 409)):
        await page.get_by_test_id("agent-save").click()
    await expect(page.get_by_test_id("error-id")).to_have_text("“bob” is taken: choose another id.")
    await expect(page.get_by_test_id("agent-form-error")).to_contain_text("Not added")
    await page.screenshot(path=str(screenshots / "admin-team.png"), full_page=True)
    assert (await _team(app_url))["bob"]["display_name"] != "Someone"
    await page.close()


async def test_a_non_admin_is_refused_and_sees_no_team(browser: Browser, app_url: str, screenshots: Path) -> None:
    page = await browser.new_page()
    await page.goto(f"{app_url}/admin")
    await page.get_by_test_id("login-agent").fill("bob")
    await page.get_by_test_id("login-password").fill("bob-demo")
    async with page.expect_response(_agents_call("GET", 403)):
        await page.get_by_test_id("login-button").click()
    refused = page.get_by_test_id("admin-refused")
    await expect(refused).to_be_visible(timeout=TIMEOUT)
    await expect(refused).to_contain_text("Admins only")
    await expect(refused).to_contain_text("Bob")
    await expect(page.get_by_test_id("team-table")).to_be_hidden()
    await expect(page.get_by_test_id("agent-form")).to_be_hidden()
    await expect(page.get_by_test_id("agent-row")).to_have_count(0)
    await page.screenshot(path=str(screenshots / "admin-refused.png"))
    # Signing out from there offers the sign-in form again.
    await page.get_by_test_id("refused-logout").click()
    await expect(page.get_by_test_id("login-button")).to_be_visible()
    await expect(refused).to_be_hidden()
    await page.close()
