"""The one-tag embed on a shop page whose CSS is hostile: the widget lives in a shadow root, so the
page's rules cannot break it and the widget's rules cannot leak into the page."""

from __future__ import annotations

import functools
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

TIMEOUT = 30_000

HOSTILE_CSS = """
* { all: unset; font-size: 40px !important; color: red !important; display: block !important; }
button { display: none !important; }
div { transform: rotate(180deg); }
.btn, .bubble, .message-list { border: 5px dashed lime; border-radius: 0; background: yellow; }
shopbot-widget { opacity: 0.1; filter: blur(4px); position: absolute; inset: 0 auto auto 0; }
"""


def hostile_page(app_url: str, locale: str) -> str:
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>A shop with hostile CSS</title>
<style>{HOSTILE_CSS}</style></head>
<body>
  <div id="host-text">The shop's own page: every element is 40px, red and unset.</div>
  <span id="host-btn" class="btn">a host element that happens to use the widget's class names</span>
  <button id="host-button">a host button (hidden by the page's own rule)</button>
  <script src="{app_url}/static/widget/embed.js" data-locale="{locale}" async></script>
</body></html>"""


async def _open_and_say_hi(page: Page) -> None:
    launcher = page.get_by_test_id("widget-launcher")
    await expect(launcher).to_be_visible(timeout=TIMEOUT)
    await expect(page.get_by_test_id("widget-panel")).to_be_hidden()
    await launcher.click()
    await expect(page.get_by_test_id("widget-panel")).to_be_visible()
    await page.get_by_test_id("chat-input").fill("hi")
    await page.get_by_test_id("send-button").click()
    mine = page.locator("[data-testid=message][data-sender=customer]").filter(has_text="hi")
    await expect(mine).to_have_attribute("data-status", "delivered", timeout=TIMEOUT)
    await expect(page.locator("[data-testid=message][data-sender=bot]").first).to_be_visible(timeout=TIMEOUT)


async def _style(page: Page, selector: str, prop: str) -> str:
    return str(await page.locator(selector).first.evaluate(f"el => getComputedStyle(el).{prop}"))


async def _assert_isolated(page: Page) -> None:
    # The widget keeps its own look...
    launcher = page.get_by_test_id("widget-launcher")
    assert await _style(page, "[data-testid=widget-launcher]", "display") == "flex"
    box = await launcher.bounding_box()
    assert box and 50 <= box["width"] <= 60 and 50 <= box["height"] <= 60, box
    bubble = "[data-testid=message][data-sender=bot] .bubble"
    assert await _style(page, bubble, "fontSize") == "15px"
    assert await _style(page, bubble, "color") != "rgb(255, 0, 0)"
    assert await _style(page, bubble, "borderTopStyle") == "none"
    assert await _style(page, ".widget", "transform") == "none"
    assert await _style(page, "shopbot-widget", "opacity") == "1"
    assert await _style(page, "shopbot-widget", "filter") == "none"
    await expect(page.get_by_test_id("send-button")).to_be_visible()
    await expect(page.locator(".widget-header h1")).to_be_visible()
    assert await _style(page, ".widget-header h1", "fontSize") != "40px"
    # ... and its CSS does not leak out: the page's own elements keep the page's (hostile) styles.
    assert await _style(page, "#host-text", "fontSize") == "40px"
    assert await _style(page, "#host-btn", "borderTopStyle") == "dashed"
    assert await _style(page, "#host-button", "display") == "none"


def _serve(directory: Path, port: int) -> Iterator[str]:
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def foreign_site(app_url: str, tmp_path: Path, shop_site_port: int) -> Iterator[str]:
    """The hostile shop page on another port than the app: another origin (one the app's
    SHOPBOT_WIDGET_ORIGINS lists, see tests/conftest.py)."""
    (tmp_path / "index.html").write_text(hostile_page(app_url, "en"), encoding="utf-8")
    yield from _serve(tmp_path, shop_site_port)


def _app_allows_origin(app_url: str, origin: str) -> bool:
    """Whether the app answers a cross-origin request for the widget's modules and its API (CORS)."""
    for path in ("/static/widget/main.js", "/api/meta"):
        request = urllib.request.Request(app_url + path, headers={"Origin": origin})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                allowed = response.headers.get("Access-Control-Allow-Origin")
        except urllib.error.URLError:
            return False
        if allowed not in ("*", origin):
            return False
    return True


async def _shop_page_on_app_origin(browser: Browser, app_url: str, locale: str) -> Page:
    """The hostile page written into a document of the app's own origin, so no CORS is involved.
    (A page made up by request routing would count as a public address reaching a loopback one, which
    Chromium's local network access checks block for the websocket.)"""
    page = await browser.new_page(viewport={"width": 1100, "height": 800})
    await page.goto(f"{app_url}/static/common.css")
    await page.set_content(hostile_page(app_url, locale))
    return page


async def test_embed_isolated_from_hostile_css(browser: Browser, app_url: str, screenshots: Path) -> None:
    """The widget opens, talks to the bot and keeps its styles on a page whose CSS is hostile."""
    page = await _shop_page_on_app_origin(browser, app_url, "en")
    await _open_and_say_hi(page)
    await _assert_isolated(page)
    # Bottom right for a left-to-right language.
    box = await page.get_by_test_id("widget-launcher").bounding_box()
    assert box and box["x"] > 1100 / 2 and box["y"] > 800 / 2, box
    await page.screenshot(path=str(screenshots / "embed-hostile-css.png"))
    await page.close()


async def test_embed_launcher_bottom_left_for_hebrew(browser: Browser, app_url: str) -> None:
    page = await _shop_page_on_app_origin(browser, app_url, "he")
    launcher = page.get_by_test_id("widget-launcher")
    await expect(launcher).to_be_visible(timeout=TIMEOUT)
    box = await launcher.bounding_box()
    assert box and box["x"] < 1100 / 2 and box["y"] > 800 / 2, box
    await launcher.click()
    await expect(page.get_by_test_id("send-button")).to_have_text("שליחה")
    assert await _style(page, "[data-testid=widget-panel]", "direction") == "rtl"
    await page.close()


async def test_embed_on_another_origin(browser: Browser, app_url: str, foreign_site: str,
                                       screenshots: Path) -> None:
    """The same page from another origin: the widget loads its modules and reaches the app at its own
    script's origin. That needs the app to allow the shop's origin (CORS) for /static and the widget's
    HTTP API; docs/frontend.md, "Cross-origin"."""
    assert _app_allows_origin(app_url, foreign_site), "the app does not allow the shop's origin (CORS)"
    assert not _app_allows_origin(app_url, "http://127.0.0.1:1"), "an unlisted origin is allowed"
    page = await browser.new_page(viewport={"width": 1100, "height": 800})
    await page.goto(foreign_site)
    await _open_and_say_hi(page)
    await _assert_isolated(page)
    await page.screenshot(path=str(screenshots / "embed-hostile-css-other-origin.png"))
    await page.close()
