"""The support team in a real browser: an agent goes online in the console, a Hebrew customer asks
for a person in the widget, sees their place, and the Hebrew-speaking agent gets the chat pushed to
their console with its context. Runs on the team app instance (tests/conftest.py, team_url)."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect

from devstack.clients import Agent
from tests.support.pages import open_console

TIMEOUT = 30_000


async def test_the_hebrew_agent_gets_the_hebrew_customer(browser: Browser, team_url: str, screenshots: Path) -> None:
    noa = await open_console(browser, team_url, "noa")  # Hebrew
    bob = await open_console(browser, team_url, "bob")  # English and Indonesian
    for page in (noa, bob):
        await page.get_by_test_id("presence-select").select_option("online")
    widget = await browser.new_page(locale="he-IL")
    await widget.goto(f"{team_url}/widget")
    await widget.get_by_test_id("locale-select").select_option("he")
    await expect(widget.locator("html")).to_have_attribute("dir", "rtl", timeout=TIMEOUT)
    await widget.get_by_test_id("chat-input").fill("אני רוצה לדבר עם נציג אנושי")
    await widget.get_by_test_id("send-button").click()
    # The chat is pushed to Noa's console, opened, with the context.
    await expect(noa.get_by_test_id("context-reason")).to_contain_text("customer_request", timeout=TIMEOUT)
    await expect(noa.get_by_test_id("transcript")).to_contain_text("אני רוצה לדבר עם נציג", timeout=TIMEOUT)
    await expect(widget.get_by_test_id("status-line")).to_contain_text("Noa", timeout=TIMEOUT)
    await noa.get_by_test_id("reply-input").fill("שלום, כאן נועה. איך אפשר לעזור?")
    await noa.get_by_test_id("reply-send").click()
    await expect(widget.get_by_test_id("message").filter(has_text="כאן נועה")).to_have_count(1, timeout=TIMEOUT)
    await expect(bob.get_by_test_id("context-reason")).to_be_hidden()  # not Bob's: he speaks no Hebrew
    await noa.screenshot(path=str(screenshots / "console-routed-hebrew.png"))
    await widget.screenshot(path=str(screenshots / "widget-routed-hebrew.png"))
    # Noa sees whether the customer is there: the panel closed is away, the tab closed is gone.
    presence = noa.get_by_test_id("customer-presence")
    await expect(presence).to_have_attribute("data-presence", "online", timeout=TIMEOUT)
    await widget.evaluate("window.ShopbotWidget.close()")
    await expect(presence).to_have_attribute("data-presence", "away", timeout=TIMEOUT)
    await widget.evaluate("window.ShopbotWidget.open()")
    await expect(presence).to_have_attribute("data-presence", "online", timeout=TIMEOUT)
    await widget.close()
    await expect(presence).to_have_attribute("data-presence", "gone", timeout=TIMEOUT)
    await expect(presence).to_contain_text("gone")
    row = noa.locator("[data-testid=queue-item][data-state=assigned] [data-testid=presence-dot]")
    await expect(row).to_have_attribute("data-presence", "gone", timeout=TIMEOUT)
    await noa.screenshot(path=str(screenshots / "console-customer-gone.png"))
    # Leave the team app as found: the chat closed, everyone offline.
    await noa.get_by_test_id("close-resolution").select_option("customer_gone")
    await noa.get_by_test_id("close-button").click()
    await expect(noa.get_by_test_id("conversation-state")).to_contain_text("Closed", timeout=TIMEOUT)
    for page in (noa, bob):
        await page.get_by_test_id("presence-select").select_option("offline")
        await page.close()


async def test_a_ticket_left_outside_hours_is_answered_from_the_console(
    browser: Browser, hours_url: str, screenshots: Path
) -> None:
    widget = await browser.new_page(locale="id-ID")
    await widget.goto(f"{hours_url}/widget")
    await widget.get_by_test_id("locale-select").select_option("id")
    await widget.get_by_test_id("chat-input").fill("mau ngobrol sama cs aja kak")
    await widget.get_by_test_id("send-button").click()
    await expect(widget.get_by_test_id("status-line")).to_contain_text("tinggalkan pesan", timeout=TIMEOUT)
    await widget.get_by_test_id("chat-input").fill("tolong cek pesanan sy ya, email sy rina.w@example.com")
    await widget.get_by_test_id("send-button").click()
    sari = await open_console(browser, hours_url, "sari")
    ticket = sari.get_by_test_id("ticket-list").get_by_test_id("queue-item").filter(has_text="rina.w@example.com")
    await expect(ticket).to_be_visible(timeout=TIMEOUT)
    await sari.screenshot(path=str(screenshots / "console-ticket.png"))
    await ticket.get_by_test_id("claim-button").click()
    # The message left after the handoff is in the conversation (the context is what came before it).
    await expect(sari.get_by_test_id("message").filter(has_text="tolong cek pesanan")).to_have_count(
        1, timeout=TIMEOUT)
    await sari.get_by_test_id("reply-input").fill("Halo Kak, sudah kami cek, besok sampai ya.")
    await sari.get_by_test_id("reply-send").click()
    await expect(widget.get_by_test_id("message").filter(has_text="besok sampai")).to_have_count(1, timeout=TIMEOUT)
    await sari.get_by_test_id("close-button").click()
    await sari.close()
    await widget.close()


async def test_a_transfer_with_a_private_note_in_two_consoles(browser: Browser, team_url: str,
                                                              screenshots: Path) -> None:
    bob = await open_console(browser, team_url, "bob")
    alice = await open_console(browser, team_url, "alice")
    widget = await browser.new_page()
    await widget.goto(f"{team_url}/widget")
    await widget.get_by_test_id("chat-input").fill("I want to talk to a person")
    await widget.get_by_test_id("send-button").click()
    await expect(widget.get_by_test_id("status-line")).to_contain_text("in the queue", timeout=TIMEOUT)
    item = bob.locator("[data-testid=queue-item][data-state=queued]").first
    await item.get_by_test_id("claim-button").click()
    await expect(bob.get_by_test_id("conversation-state")).to_contain_text("Assigned to you", timeout=TIMEOUT)
    await bob.get_by_test_id("reply-input").fill("Hi, Bob here.")
    await bob.get_by_test_id("reply-send").click()
    note = "Wants a refund above my limit, please take over"
    await bob.get_by_test_id("transfer-button").click()
    await bob.get_by_test_id("transfer-target").select_option("agent:alice")
    await bob.get_by_test_id("transfer-note-input").fill(note)
    await bob.get_by_test_id("transfer-send").click()
    # Alice's console gets the chat with the note; the customer is told, and never sees the note.
    await expect(alice.get_by_test_id("transfer-note")).to_contain_text(note, timeout=TIMEOUT)
    await expect(widget.get_by_test_id("status-line")).to_contain_text("Alice", timeout=TIMEOUT)
    await expect(widget.get_by_test_id("message").filter(has_text="colleague")).to_have_count(1, timeout=TIMEOUT)
    assert note not in await widget.content()
    await alice.screenshot(path=str(screenshots / "console-transfer-note.png"))
    await alice.get_by_test_id("reply-input").fill("Alice here, I'll sort out the refund.")
    await alice.get_by_test_id("reply-send").click()
    await expect(widget.get_by_test_id("message").filter(has_text="Alice here")).to_have_count(1, timeout=TIMEOUT)
    # Closed as "customer gone": every console hears it with its resolution.
    watcher = await Agent(team_url, "sari", "sari-demo").login()
    await alice.get_by_test_id("close-resolution").select_option("customer_gone")
    await alice.get_by_test_id("close-button").click()
    await expect(widget.get_by_test_id("status-line")).not_to_contain_text("Alice", timeout=TIMEOUT)
    update = await watcher.ws.wait_for(lambda f: f["type"] == "queue_update"
                                       and f["conversation"]["state"] == "closed")
    assert update["conversation"]["resolution"] == "customer_gone"
    await watcher.ws.close()
    for page in (bob, alice, widget):
        await page.close()
