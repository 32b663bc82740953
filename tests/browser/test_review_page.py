"""The review section of /admin in a real browser, against the real stack: customers write gibberish
the live model cannot place (in English and in Hebrew), the app records it beside the turn, and the
demo admin finds it on the page: text as text, right to left in Hebrew, the model's reading, why it is
there. She annotates her message from its group (a malformed intent first: the server's 422 is shown
in the card), sees it leave the open list and appear under "annotated" with her name in its history,
exports the training data and sees the files and their counts, then reopens and dismisses it. Without
the assistant (a 503 for its intents) the page says so and an intent can still be typed. A non-admin
gets "Admins only" and nothing of the inbox."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx
from playwright.async_api import Browser, Locator, Page, Request, Response, expect

from devstack.clients import Customer

TIMEOUT = 30_000
# Words the model has never seen: a fallback or out of scope, so the app puts them in the inbox.
GIBBERISH = "zorbly quandrix vempt plokk"
HEBREW_GIBBERISH = "זורבלי קוונדריקס ומפט פלוק"


async def _admin_headers(app_url: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=app_url) as http:
        resp = await http.post("/api/agent/login", json={"agent_id": "dana", "password": "dana-demo"})
        resp.raise_for_status()
        return {"Authorization": f"Bearer {resp.json()['token']}"}


async def _recorded(app_url: str, conversation_ids: set[str]) -> None:
    """Until each conversation's message is in the open inbox. Recording runs beside the conversation
    after the turn (an NLU parse, then a write) and nothing tells a client when it is done, so the
    inbox is polled, as tests/e2e/test_review_loop.py does (at most 30 s)."""
    headers = await _admin_headers(app_url)
    async with httpx.AsyncClient(base_url=app_url, headers=headers) as http:
        for _ in range(150):
            inbox = (await http.get("/api/admin/review")).json()
            seen = {i["conversation_id"] for g in inbox["groups"] for i in g["items"]}
            if conversation_ids <= seen:
                return
            await asyncio.sleep(0.2)
    raise AssertionError("the messages never reached the review inbox")


async def _item(app_url: str, conversation_id: str, status: str) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=app_url, headers=await _admin_headers(app_url)) as http:
        inbox = (await http.get("/api/admin/review", params={"status": status})).json()
    found = [i for g in inbox["groups"] for i in g["items"] if i["conversation_id"] == conversation_id]
    assert len(found) == 1, (status, inbox)
    return dict(found[0])


async def _sign_in(browser: Browser, url: str, agent: str) -> Page:
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(f"{url}/admin")
    await page.get_by_test_id("login-agent").fill(agent)
    await page.get_by_test_id("login-password").fill(f"{agent}-demo")
    async with page.expect_response(lambda r: r.url.endswith("/api/admin/agents") and r.status == 200):
        await page.get_by_test_id("login-button").click()
    return page


def _review_call(method: str, path: str, status: int) -> Callable[[Response], bool]:
    """Matches the page's call to the review API (path after /api/admin/review) answered with status."""
    def match(response: Response) -> bool:
        url = response.url.split("?")[0]
        return (response.request.method == method and url.endswith(f"/api/admin/review{path}")
                and response.status == status)
    return match


async def _show_status(section: Locator, status: str) -> None:
    """Lists the items of `status` and waits until that list is on screen."""
    page = section.page
    async with page.expect_response(_review_call("GET", "", 200)):
        await section.get_by_test_id("review-filter-status").select_option(status)
    await expect(section.locator(f"[data-testid=review-groups][data-status={status}]")).to_be_attached()
    await expect(section.get_by_test_id("review-groups")).not_to_have_attribute("aria-busy", "true")


async def test_the_admin_reviews_annotates_and_exports(browser: Browser, app_url: str, screenshots: Path) -> None:
    english = await Customer(app_url).start()
    assert await english.ask(GIBBERISH)  # the bot answered (a fallback)
    hebrew = await Customer(app_url).start(locale="he")
    assert await hebrew.ask(HEBREW_GIBBERISH)
    await _recorded(app_url, {english.conversation_id, hebrew.conversation_id})

    page = await _sign_in(browser, app_url, "dana")
    section = page.get_by_test_id("review-admin")
    await expect(section).to_be_visible(timeout=TIMEOUT)
    my_item = f"[data-testid=review-item][data-conversation-id='{english.conversation_id}']"
    mine = section.locator(my_item)
    await expect(mine).to_have_count(1, timeout=TIMEOUT)
    await expect(mine).to_have_attribute("data-status", "open")

    # What the admin sees of a message: its text as text, the model's reading, why it is here.
    text = mine.get_by_test_id("review-text")
    await expect(text).to_have_text(GIBBERISH)
    await expect(text).to_have_attribute("dir", "auto")
    await expect(mine.locator("[data-testid=review-reason][data-reason=fallback]")).to_have_text("fallback")
    await expect(mine.get_by_test_id("review-prediction")).to_contain_text("%")
    await expect(mine.get_by_test_id("review-runner-up")).not_to_be_empty()
    await expect(mine.get_by_test_id("review-conversation")).to_contain_text(english.conversation_id)
    await expect(mine.get_by_test_id("review-select")).to_be_checked()
    assert await text.evaluate("el => getComputedStyle(el).direction") == "ltr"
    # A Hebrew message reads right to left on this English page.
    hebrew_text = section.locator(f"[data-testid=review-item][data-conversation-id='{hebrew.conversation_id}'] "
                                  "[data-testid=review-text]")
    await expect(hebrew_text).to_have_text(HEBREW_GIBBERISH)
    assert await hebrew_text.evaluate("el => getComputedStyle(el).direction") == "rtl"
    await section.screenshot(path=str(screenshots / "admin-review-inbox.png"))
    # The intents to pick from are the live model's, and out_of_scope.
    await expect(page.locator("#review-intents option[value=order_status]")).to_be_attached(timeout=TIMEOUT)
    await expect(page.locator("#review-intents option[value=out_of_scope]")).to_be_attached()
    await expect(section.get_by_test_id("review-intents-error")).to_be_hidden()

    # The language filter: Hebrew only, then all again.
    async with page.expect_response(_review_call("GET", "", 200)):
        await section.get_by_test_id("review-filter-language").select_option("he")
    await expect(mine).to_have_count(0)
    await expect(hebrew_text).to_be_visible()
    async with page.expect_response(_review_call("GET", "", 200)):
        await section.get_by_test_id("review-filter-language").select_option("")
    await expect(mine).to_have_count(1)

    # In its group, only this message selected (other tests' gibberish may share the neighbourhood).
    group = section.get_by_test_id("review-group").filter(has=page.locator(my_item))
    await group.get_by_test_id("review-select-all").uncheck()
    await mine.get_by_test_id("review-select").check()
    await expect(group.get_by_test_id("review-selected")).to_contain_text("1 of ")

    # A malformed intent: the server's 422, in the card; nothing changes.
    intent = group.get_by_test_id("review-group-intent")
    await intent.fill("Not An Intent")
    async with page.expect_response(_review_call("POST", "/decisions", 422)):
        await group.get_by_test_id("review-annotate").click()
    error = group.get_by_test_id("review-card-error")
    await expect(error).to_contain_text("refused")
    await expect(error).to_contain_text("intent")
    await expect(mine).to_have_count(1)

    # Annotated: it leaves the open list...
    await intent.fill("out_of_scope")
    async with page.expect_response(_review_call("POST", "/decisions", 200)):
        await group.get_by_test_id("review-annotate").click()
    await expect(mine).to_have_count(0, timeout=TIMEOUT)
    await expect(page.get_by_test_id("notice")).to_contain_text("Annotated 1 message as out_of_scope")
    # ...and is under "annotated", with who did it, in the page and in its history.
    await _show_status(section, "annotated")
    await expect(mine).to_have_count(1, timeout=TIMEOUT)
    await expect(mine).to_have_attribute("data-status", "annotated")
    await expect(mine.get_by_test_id("review-decision")).to_contain_text("out_of_scope")
    await expect(mine.get_by_test_id("review-decision")).to_contain_text("dana")
    async with page.expect_response(_review_call("GET", f"/{await mine.get_attribute('data-item-id')}/history", 200)):
        await mine.get_by_test_id("review-history").locator("summary").click()
    entry = mine.get_by_test_id("review-history-entry")
    await expect(entry).to_have_count(1)
    await expect(entry).to_have_attribute("data-admin", "dana")
    await expect(entry).to_contain_text("dana annotated as out_of_scope")

    # Export: the files written, with their example counts.
    async with page.expect_response(_review_call("POST", "/export", 200)):
        await section.get_by_test_id("review-export-button").click()
    summary = section.get_by_test_id("review-export-summary")
    await expect(summary).to_contain_text("Wrote")
    assert int(await summary.get_attribute("data-files") or 0) >= 1
    english_file = section.locator("[data-testid=review-export-file][data-language=en]")
    await expect(english_file).to_contain_text("reviewed_en.yml")
    assert int(await english_file.get_attribute("data-examples") or 0) >= 1
    await page.get_by_test_id("notice").click()  # the toast would cover the card in the picture
    await section.screenshot(path=str(screenshots / "admin-review.png"))

    # Reopened, it leaves the annotated list; back in the open one, dismissed on its own.
    async with page.expect_response(_review_call("POST", "/decisions", 200)):
        await mine.get_by_test_id("review-item-reopen").click()
    await expect(mine).to_have_count(0)
    await _show_status(section, "open")
    await expect(mine).to_have_attribute("data-status", "open", timeout=TIMEOUT)
    async with page.expect_response(_review_call("POST", "/decisions", 200)):
        await mine.get_by_test_id("review-item-dismiss").click()
    await expect(mine).to_have_count(0)
    await _show_status(section, "dismissed")
    await expect(mine.get_by_test_id("review-decision")).to_contain_text("Dismissed by dana", timeout=TIMEOUT)
    item = await _item(app_url, english.conversation_id, "dismissed")
    assert item["annotated_by"] == "dana" and item["annotated_intent"] is None, item
    await page.close()


async def test_the_admin_corrects_a_messages_entities(browser: Browser, app_url: str, screenshots: Path) -> None:
    """The model's entities are marked in the redacted text (the synthetic order number, never the
    customer's); the admin removes one, marks a stretch she selects, saves, and finds it on reload."""
    customer = await Customer(app_url).start()
    assert await customer.ask(f"{GIBBERISH} 10007")
    await _recorded(app_url, {customer.conversation_id})
    item = await _item(app_url, customer.conversation_id, "open")
    text = str(item["text"])
    assert "10007" not in text and "19001" in text
    assert [(text[e["start"]:e["end"]], e["entity"]) for e in item["entities"]] == [("19001", "order_id")]  # type: ignore[index,attr-defined]

    page = await _sign_in(browser, app_url, "dana")
    section = page.get_by_test_id("review-admin")
    mine = section.locator(f"[data-testid=review-item][data-conversation-id='{customer.conversation_id}']")
    await expect(mine).to_have_count(1, timeout=TIMEOUT)
    marks = mine.get_by_test_id("review-text").get_by_test_id("review-entity")
    await expect(marks).to_have_text(["19001"])
    await expect(marks).to_have_attribute("data-entity", "order_id")

    editor = mine.get_by_test_id("review-entities")
    await editor.locator("summary").click()
    await expect(editor.get_by_test_id("review-entities-summary")).to_have_text("Entities (1)")
    await editor.get_by_test_id("review-entity-mark").click()  # nothing selected yet
    await expect(editor.get_by_test_id("review-entity-error")).to_have_text("Select part of the message first.")
    await editor.get_by_test_id("review-entity-remove").click()
    await expect(marks).to_have_count(0)
    # She selects "quandrix" and marks it (any entity of the assistant's will do for the test).
    await expect(editor.locator("[data-testid=review-entity-choice] option[value=email]")).to_be_attached()
    await editor.get_by_test_id("review-entity-choice").select_option("email")
    await mine.get_by_test_id("review-text").evaluate("""(el, word) => {
        const node = el.firstChild, start = node.textContent.indexOf(word), range = document.createRange();
        range.setStart(node, start); range.setEnd(node, start + word.length);
        getSelection().removeAllRanges(); getSelection().addRange(range);
    }""", "quandrix")
    await editor.get_by_test_id("review-entity-mark").click()
    await expect(marks).to_have_text(["quandrix"])
    async with page.expect_response(_review_call("PUT", f"/{item['id']}/entities", 200)):
        await editor.get_by_test_id("review-entity-save").click()
    await expect(editor.get_by_test_id("review-entity-save")).to_be_disabled()
    await section.screenshot(path=str(screenshots / "admin-review-entities.png"))

    saved = await _item(app_url, customer.conversation_id, "open")
    start = text.index("quandrix")
    assert saved["entities"] == [{"start": start, "end": start + len("quandrix"), "entity": "email"}]
    await page.reload()
    await expect(section.locator(f"[data-testid=review-item][data-conversation-id='{customer.conversation_id}'] "
                                 "[data-testid=review-entity]")).to_have_text(["quandrix"], timeout=TIMEOUT)
    await page.close()


async def test_an_unreachable_assistant_is_said_and_an_intent_can_still_be_typed(browser: Browser,
                                                                                   app_url: str) -> None:
    # The intents' 503 is the API's answer when Rasa is down. Stopping this session's Rasa would break
    # the tests sharing the stack, so the page gets that answer from Playwright instead.
    page = await browser.new_page()
    await page.route("**/api/admin/review/intents", lambda route: route.fulfill(
        status=503, json={"detail": "the assistant is not reachable"}))
    await page.goto(f"{app_url}/admin")
    await page.get_by_test_id("login-agent").fill("dana")
    await page.get_by_test_id("login-password").fill("dana-demo")
    await page.get_by_test_id("login-button").click()
    warning = page.get_by_test_id("review-intents-error")
    await expect(warning).to_be_visible(timeout=TIMEOUT)
    await expect(warning).to_contain_text("assistant is unreachable")
    await expect(page.locator("#review-intents option")).to_have_count(1)  # out_of_scope, always offered
    await expect(page.locator("#review-intents option[value=out_of_scope]")).to_be_attached()
    await expect(page.get_by_test_id("review-filters")).to_be_visible()
    await page.close()


async def test_a_non_admin_sees_admins_only_and_no_inbox(browser: Browser, app_url: str,
                                                         screenshots: Path) -> None:
    page = await browser.new_page()
    asked: list[str] = []

    def on_request(request: Request) -> None:
        if "/api/admin/review" in request.url:
            asked.append(request.url)

    page.on("request", on_request)
    await page.goto(f"{app_url}/admin#review-view")
    await page.get_by_test_id("login-agent").fill("bob")
    await page.get_by_test_id("login-password").fill("bob-demo")
    async with page.expect_response(lambda r: r.url.endswith("/api/admin/agents") and r.status == 403):
        await page.get_by_test_id("login-button").click()
    refused = page.get_by_test_id("admin-refused")
    await expect(refused).to_be_visible(timeout=TIMEOUT)
    await expect(refused).to_contain_text("Admins only")
    await expect(page.get_by_test_id("review-admin")).to_be_hidden()
    await expect(page.get_by_test_id("review-item")).to_have_count(0)
    await expect(page.get_by_test_id("nav-review")).to_be_hidden()
    await page.screenshot(path=str(screenshots / "admin-review-refused.png"))
    assert asked == []  # the page never asked for the inbox on Bob's behalf
    await page.close()
