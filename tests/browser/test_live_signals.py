"""A person at each end, in two real pages: the agent sees the customer typing and the customer the
agent; each side's messages are marked seen once the other has them on screen; a private note
stays in the console. Runs on the main app (the team is always there, routing is by hand)."""

from __future__ import annotations

import uuid
from pathlib import Path

from playwright.async_api import Browser, expect

from tests.support.pages import open_console

TIMEOUT = 30_000


async def test_typing_seen_marks_and_a_private_note(browser: Browser, app_url: str, screenshots: Path) -> None:
    widget = await browser.new_page()
    await widget.goto(f"{app_url}/widget")
    marker = uuid.uuid4().hex[:6]
    await widget.get_by_test_id("chat-input").fill(f"I want to talk to a person ({marker})")
    await widget.get_by_test_id("send-button").click()
    await expect(widget.get_by_test_id("status-line")).to_contain_text("in the queue", timeout=TIMEOUT)

    bob = await open_console(browser, app_url, "bob")
    # The list shows reasons, not texts: the newest waiting chat is this one (queued last).
    row = bob.locator("[data-testid=queue-item][data-state=queued]").last
    await row.get_by_test_id("claim-button").click()
    await expect(bob.get_by_test_id("conversation-state")).to_contain_text("Assigned to you", timeout=TIMEOUT)
    await expect(bob.get_by_test_id("transcript")).to_contain_text(marker, timeout=TIMEOUT)

    # The customer types: Bob sees it; the customer's message, on Bob's screen, is marked seen.
    await expect(widget.get_by_test_id("status-line")).to_contain_text("Bob", timeout=TIMEOUT)
    await widget.get_by_test_id("chat-input").press_sequentially("my parcel", delay=20)
    await expect(bob.get_by_test_id("typing-indicator")).to_contain_text("typing", timeout=TIMEOUT)
    await widget.get_by_test_id("chat-input").fill("my parcel is late, can you check?")
    await widget.get_by_test_id("send-button").click()
    mine = widget.get_by_test_id("message").filter(has_text="my parcel is late")
    await expect(mine).to_have_attribute("data-status", "seen", timeout=TIMEOUT)
    await expect(bob.get_by_test_id("typing-indicator")).to_be_hidden(timeout=TIMEOUT)

    # Bob types: the customer sees who; his answer, on the customer's screen, is marked seen.
    await bob.get_by_test_id("reply-input").press_sequentially("Let me", delay=20)
    await expect(widget.get_by_test_id("typing-indicator")).to_contain_text("Bob", timeout=TIMEOUT)
    await bob.get_by_test_id("reply-input").fill("Let me check that for you.")
    await bob.get_by_test_id("reply-send").click()
    await expect(widget.get_by_test_id("message").filter(has_text="Let me check")).to_have_count(1, timeout=TIMEOUT)
    answer = bob.get_by_test_id("message").filter(has_text="Let me check")
    await expect(answer).to_have_attribute("data-status", "seen", timeout=TIMEOUT)

    # A private note: in the console, marked as a note; never in the widget, also after a reload.
    note = f"Customer is a repeat late-parcel case {marker}"
    await bob.get_by_test_id("note-toggle").check()
    await bob.get_by_test_id("reply-input").fill(note)
    await bob.get_by_test_id("reply-send").click()
    await expect(bob.locator("[data-testid=message][data-sender=note]").filter(has_text=marker)).to_have_count(
        1, timeout=TIMEOUT)
    await bob.get_by_test_id("note-toggle").uncheck()
    await bob.get_by_test_id("reply-input").fill("Found it: it arrives tomorrow.")
    await bob.get_by_test_id("reply-send").click()
    await expect(widget.get_by_test_id("message").filter(has_text="arrives tomorrow")).to_have_count(
        1, timeout=TIMEOUT)
    await bob.screenshot(path=str(screenshots / "console-note-and-seen.png"))
    await widget.screenshot(path=str(screenshots / "widget-seen-marks.png"))
    assert note not in await widget.content()
    await widget.reload()
    await expect(widget.get_by_test_id("message").filter(has_text="arrives tomorrow")).to_have_count(
        1, timeout=TIMEOUT)
    assert note not in await widget.content()
    # After the reload the widget still knows what Bob has read.
    await expect(widget.get_by_test_id("message").filter(has_text="my parcel is late")).to_have_attribute(
        "data-status", "seen", timeout=TIMEOUT)

    await bob.get_by_test_id("close-button").click()
    await expect(bob.get_by_test_id("conversation-state")).to_contain_text("Closed", timeout=TIMEOUT)
    for page in (bob, widget):
        await page.close()
