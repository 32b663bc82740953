"""Agents never miss a handoff: a new waiting conversation and a customer writing in a chat that is
not on screen beep, show a browser notification and count as unread, on the chat's row in the queue
and in the tab title; opening the chat clears its count. Runs on the team app instance (tests/conftest.py,
team_url) and leaves no open conversation there."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Locator, Page, expect

TIMEOUT = 30_000

# Records every notification the page shows (keeping the real one) and every beep it starts.
RECORD = """
(() => {
  window.__notifications = [];
  window.__beeps = 0;
  const Real = window.Notification;
  if (Real) {
    class Recorded extends Real {
      constructor(title, options) {
        super(title, options);
        window.__notifications.push(title);
      }
    }
    window.Notification = Recorded;
  }
  if (window.OscillatorNode) {
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (...args) {
      window.__beeps += 1;
      return start.apply(this, args);
    };
  }
})();
"""

NOTIFICATIONS = "() => window.__notifications"

# Playwright's page stays visible; this makes the console believe its tab was hidden or shown again.
SET_TAB_HIDDEN = """(hidden) => {
  Object.defineProperty(document, 'hidden', {configurable: true, get: () => hidden});
  Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => hidden ? 'hidden' : 'visible'});
  document.dispatchEvent(new Event('visibilitychange'));
}"""


async def _agent_context(browser: Browser, url: str) -> BrowserContext:
    context = await browser.new_context()
    await context.grant_permissions(["notifications"], origin=url)
    await context.add_init_script(RECORD)
    return context


async def _login(page: Page, url: str, agent: str) -> None:
    await page.goto(f"{url}/console")
    await page.get_by_test_id("login-agent").fill(agent)
    await page.get_by_test_id("login-password").fill(f"{agent}-demo")
    await page.get_by_test_id("login-button").click()
    await expect(page.get_by_test_id("presence-select")).to_be_visible(timeout=TIMEOUT)
    await expect(page.get_by_test_id("presence-select")).to_have_value("offline", timeout=TIMEOUT)


async def _customer(browser: Browser, url: str, status: str = "in the queue") -> Page:
    widget = await browser.new_page()
    await widget.goto(f"{url}/widget")
    await widget.get_by_test_id("chat-input").fill("I want to talk to a person")
    await widget.get_by_test_id("send-button").click()
    await expect(widget.get_by_test_id("status-line")).to_contain_text(status, timeout=TIMEOUT)
    return widget


async def _conversation_id(widget: Page) -> str:
    return str(await widget.evaluate("""() => {
      const key = Object.keys(localStorage).find((k) => k.startsWith('shopbot.widget.conversation@'));
      return JSON.parse(localStorage.getItem(key)).conversation_id;
    }"""))


def _row(console: Page, conversation_id: str) -> Locator:
    return console.locator(f"[data-testid=queue-item][data-conversation-id='{conversation_id}']")


async def _claim_and_greet(console: Page, conversation_id: str, greeting: str, widget: Page) -> None:
    await _row(console, conversation_id).get_by_test_id("claim-button").click()
    await _greet(console, conversation_id, greeting, widget)


async def _on_screen(console: Page, conversation_id: str) -> None:
    await expect(console.locator("#conv-title")).to_have_attribute("title", conversation_id, timeout=TIMEOUT)
    await expect(console.get_by_test_id("conversation-state")).to_have_text("Assigned to you", timeout=TIMEOUT)


async def _greet(console: Page, conversation_id: str, greeting: str, widget: Page) -> None:
    await _on_screen(console, conversation_id)
    # Answer at once: an unanswered chat is offered again after a few seconds here.
    await console.get_by_test_id("reply-input").fill(greeting)
    await console.get_by_test_id("reply-send").click()
    await expect(widget.get_by_test_id("message").filter(has_text=greeting)).to_have_count(1, timeout=TIMEOUT)


async def test_agent_is_alerted_and_unread_is_counted(browser: Browser, team_url: str, screenshots: Path) -> None:
    context = await _agent_context(browser, team_url)
    bob = await context.new_page()
    await _login(bob, team_url, "bob")  # presence stays offline: nothing is routed to him
    assert await bob.evaluate("() => Notification.permission") == "granted"
    await bob.get_by_test_id("queue").click()  # the first click: permission (granted here) and audio
    await expect(bob).to_have_title("Agent console")

    # A new waiting conversation: a notification, a beep, an unread count in the title and on its row.
    first = await _customer(browser, team_url)
    first_id = await _conversation_id(first)
    await bob.wait_for_function("() => window.__notifications.includes('New conversation waiting')", timeout=TIMEOUT)
    await expect(bob).to_have_title("(1) Agent console", timeout=TIMEOUT)
    await expect(_row(bob, first_id).get_by_test_id("unread-badge")).to_have_text("1")
    await expect(_row(bob, first_id).get_by_test_id("waited")).to_have_text(re.compile(r"^waiting "))
    assert await bob.evaluate("() => window.__beeps") > 0

    # Claiming it opens it: read.
    await _claim_and_greet(bob, first_id, "Hi, this is Bob.", first)
    await expect(bob).to_have_title("Agent console")
    await expect(_row(bob, first_id).get_by_test_id("unread-badge")).to_have_count(0)

    # A second customer; Bob takes that chat too, so the first one is no longer on screen.
    second = await _customer(browser, team_url)
    second_id = await _conversation_id(second)
    await expect(bob).to_have_title("(1) Agent console", timeout=TIMEOUT)
    await _claim_and_greet(bob, second_id, "Hello, Bob here.", second)
    await expect(bob).to_have_title("Agent console")
    seen = len(await bob.evaluate(NOTIFICATIONS))

    # The first customer writes: unread on the first chat's row, in the title, and a notification.
    await first.get_by_test_id("chat-input").fill("hello?")
    await first.get_by_test_id("send-button").click()
    first_row = _row(bob, first_id)
    await expect(first_row.get_by_test_id("unread-badge")).to_have_text("1", timeout=TIMEOUT)
    await expect(bob).to_have_title("(1) Agent console")
    await bob.wait_for_function(f"() => window.__notifications.length > {seen}", timeout=TIMEOUT)
    assert (await bob.evaluate(NOTIFICATIONS))[-1].startswith("New message")
    await expect(_row(bob, second_id).get_by_test_id("unread-badge")).to_have_count(0)
    await bob.screenshot(path=str(screenshots / "console-notifications.png"))

    # Opening the first chat clears its count; the second one's state was kept meanwhile.
    await first_row.locator(".queue-open").click()
    await expect(bob.get_by_test_id("message").filter(has_text="hello?")).to_have_count(1, timeout=TIMEOUT)
    await expect(first_row.get_by_test_id("unread-badge")).to_have_count(0)
    await expect(bob).to_have_title("Agent console")

    # With the tab hidden, a message in the chat on screen counts too, until the tab is shown again.
    await bob.evaluate(SET_TAB_HIDDEN, True)
    await first.get_by_test_id("chat-input").fill("are you there?")
    await first.get_by_test_id("send-button").click()
    await expect(bob).to_have_title("(1) Agent console", timeout=TIMEOUT)
    await expect(first_row.get_by_test_id("unread-badge")).to_have_text("1")
    await bob.evaluate(SET_TAB_HIDDEN, False)
    await expect(bob).to_have_title("Agent console")
    await expect(first_row.get_by_test_id("unread-badge")).to_have_count(0)

    for conversation_id in (first_id, second_id):
        await _close(bob, conversation_id)

    # Online, a new chat is routed to Bob while a (closed) one is on screen: "assigned to you" it says,
    # not "waiting" (it never was, for long), and it is unread until opened.
    await bob.get_by_test_id("presence-select").select_option("online")
    await expect(bob.get_by_test_id("presence-select")).to_have_value("online", timeout=TIMEOUT)
    seen = len(await bob.evaluate(NOTIFICATIONS))
    third = await _customer(browser, team_url, status="Bob")
    third_id = await _conversation_id(third)
    await expect(bob).to_have_title("(1) Agent console", timeout=TIMEOUT)
    await expect(_row(bob, third_id).get_by_test_id("unread-badge")).to_have_text("1")
    await bob.wait_for_function(f"() => window.__notifications.length > {seen}", timeout=TIMEOUT)
    await _row(bob, third_id).locator(".queue-open").click()
    await _greet(bob, third_id, "Bob here, hello!", third)
    await expect(bob).to_have_title("Agent console")
    await bob.wait_for_timeout(2_000)  # past the moment a still-waiting chat would be announced
    routed = (await bob.evaluate(NOTIFICATIONS))[seen:]
    assert len(routed) == 1 and routed[0].startswith("New chat assigned to you"), routed

    # Leave the team app as found: every chat closed, Bob offline.
    await _close(bob, third_id)
    await bob.get_by_test_id("presence-select").select_option("offline")
    await expect(bob.get_by_test_id("presence-select")).to_have_value("offline", timeout=TIMEOUT)
    await expect(bob.locator("[data-testid=queue-item]")).to_have_count(0)
    await expect(bob).to_have_title("Agent console")
    for page in (first, second, third):
        await page.close()
    await context.close()


async def _close(console: Page, conversation_id: str) -> None:
    await _row(console, conversation_id).locator(".queue-open").click()
    await _on_screen(console, conversation_id)
    await console.get_by_test_id("close-button").click()
    await expect(console.get_by_test_id("conversation-state")).to_have_text("Closed", timeout=TIMEOUT)
    await expect(_row(console, conversation_id)).to_have_count(0, timeout=TIMEOUT)
