"""The customer rates the conversation in a real browser: an Indonesian customer asks for a person,
the agent closes the chat, the widget asks for a rating in Indonesian, the customer gives 4 with a
comment and is thanked; the console's summary has the score, and a reload does not ask again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, expect

from devstack.clients import Agent

TIMEOUT = 30_000


async def _conversation_id(widget: Page) -> str:
    """The conversation the widget keeps in localStorage (widget/chat.js)."""
    stored: dict[str, Any] = await widget.evaluate("""() => {
        const key = Object.keys(localStorage).find((k) => k.startsWith('shopbot.widget.conversation@'));
        return key ? JSON.parse(localStorage.getItem(key)) : null;
    }""")
    assert stored and stored.get("conversation_id"), stored
    return str(stored["conversation_id"])


async def test_an_indonesian_customer_rates_the_closed_conversation(browser: Browser, app_url: str,
                                                                     screenshots: Path) -> None:
    bob = await Agent(app_url, "bob", "bob-demo").login()  # English and Indonesian
    widget = await browser.new_page(locale="id-ID")
    await widget.goto(f"{app_url}/widget")
    await widget.get_by_test_id("locale-select").select_option("id")
    await widget.get_by_test_id("chat-input").fill("mau ngobrol sama cs aja kak")
    await widget.get_by_test_id("send-button").click()
    status = widget.get_by_test_id("status-line")
    await expect(status).to_have_attribute("data-state", "queued", timeout=TIMEOUT)
    form = widget.get_by_test_id("csat")
    await expect(form).to_be_hidden()  # only once it is closed

    conversation_id = await _conversation_id(widget)
    assert (await bob.claim(conversation_id))["type"] == "claimed"
    await expect(status).to_have_attribute("data-state", "assigned", timeout=TIMEOUT)
    assert (await bob.close_conversation(conversation_id))["type"] == "state"

    # The rating form, in Indonesian, with the closed banner.
    await expect(status).to_have_attribute("data-state", "closed", timeout=TIMEOUT)
    await expect(form).to_be_visible(timeout=TIMEOUT)
    await expect(form).to_contain_text("Bagaimana layanan kami")
    await expect(widget.get_by_test_id("conversation-banner")).to_contain_text("telah berakhir")
    four = widget.get_by_test_id("csat-score-4")
    await expect(four).to_have_attribute("aria-label", "4 dari 5: baik")
    send = widget.get_by_test_id("csat-send")
    await expect(send).to_have_text("Kirim penilaian")
    await expect(send).to_be_disabled()  # a score first
    await four.click()
    await expect(four).to_have_attribute("aria-pressed", "true")
    await expect(widget.get_by_test_id("csat-score-5")).to_have_attribute("aria-pressed", "false")
    comment = "Cepat dan ramah, makasih kak!"
    await widget.get_by_test_id("csat-comment").fill(comment)
    await widget.screenshot(path=str(screenshots / "widget-rating-form-id.png"))
    start = len(bob.ws.frames)
    await send.click()
    await expect(widget.get_by_test_id("csat-thanks")).to_have_text("Terima kasih atas penilaian Anda!",
                                                                     timeout=TIMEOUT)
    await expect(widget.get_by_test_id("csat-form")).to_be_hidden()
    await widget.screenshot(path=str(screenshots / "widget-rating-thanks-id.png"))

    # Stored: the consoles get the closed conversation's summary with the rating.
    update = await bob.ws.wait_for(lambda f: f["type"] == "queue_update"
                                   and f["conversation"]["id"] == conversation_id, start=start)
    assert update["conversation"]["csat_score"] == 4
    assert update["conversation"]["csat_comment"] == comment

    # Back on the page later: the conversation is still closed, and nobody asks again.
    await widget.reload()
    await expect(status).to_have_attribute("data-state", "closed", timeout=TIMEOUT)
    await expect(widget.get_by_test_id("conversation-banner")).to_be_visible()
    await expect(form).to_be_hidden()
    await bob.ws.close()
    await widget.close()


async def test_hebrew_right_to_left_and_a_rating_given_elsewhere(browser: Browser, app_url: str,
                                                                 screenshots: Path) -> None:
    """The form follows the page's direction; rated meanwhile in another tab, the server's 409
    `already_rated` counts as done (the first rating stands)."""
    noa = await Agent(app_url, "noa", "noa-demo").login()  # Hebrew
    widget = await browser.new_page(locale="he-IL")
    await widget.goto(f"{app_url}/widget")
    await widget.get_by_test_id("locale-select").select_option("he")
    await expect(widget.locator("html")).to_have_attribute("dir", "rtl", timeout=TIMEOUT)
    await widget.get_by_test_id("chat-input").fill("אני רוצה לדבר עם נציג אנושי")
    await widget.get_by_test_id("send-button").click()
    status = widget.get_by_test_id("status-line")
    await expect(status).to_have_attribute("data-state", "queued", timeout=TIMEOUT)
    conversation_id = await _conversation_id(widget)
    assert (await noa.claim(conversation_id))["type"] == "claimed"
    assert (await noa.close_conversation(conversation_id))["type"] == "state"

    form = widget.get_by_test_id("csat")
    await expect(form).to_be_visible(timeout=TIMEOUT)
    await expect(form).to_contain_text("איך היה השירות")
    assert await form.evaluate("(el) => getComputedStyle(el).direction") == "rtl"
    five = widget.get_by_test_id("csat-score-5")
    await expect(five).to_have_attribute("aria-label", "5 מתוך 5: מצוין")
    # Right to left: 1 is the rightmost button.
    one_box = await widget.get_by_test_id("csat-score-1").bounding_box()
    five_box = await five.bounding_box()
    assert one_box and five_box and one_box["x"] > five_box["x"]
    await widget.screenshot(path=str(screenshots / "widget-rating-form-he.png"))

    stored = await widget.evaluate("""async (id) => {
        const key = Object.keys(localStorage).find((k) => k.startsWith('shopbot.widget.conversation@'));
        const { token } = JSON.parse(localStorage.getItem(key));
        const response = await fetch(`/api/widget/conversations/${id}/rating`, {
            method: 'POST', headers: {'Content-Type': 'application/json', 'X-Conversation-Token': token},
            body: JSON.stringify({score: 2}) });
        return response.status;
    }""", conversation_id)
    assert stored == 201
    # Chosen and sent with the keyboard.
    await five.focus()
    await widget.keyboard.press("Enter")
    await expect(five).to_have_attribute("aria-pressed", "true")
    await widget.get_by_test_id("csat-send").focus()
    await widget.keyboard.press("Enter")
    await expect(widget.get_by_test_id("csat-thanks")).to_have_text("תודה על המשוב!", timeout=TIMEOUT)
    start = len(noa.ws.frames)
    await noa.ws.send({"type": "resume", "conversation_id": conversation_id, "last_seq": 0})
    frame = await noa.ws.wait_for(lambda f: f["type"] == "conversation", start=start)
    assert frame["conversation"]["csat_score"] == 2
    await noa.ws.close()
    await widget.close()
