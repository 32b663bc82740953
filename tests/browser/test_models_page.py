"""The Models section of /admin in a real browser, on an app instance of its own (its own SQLite
database; the suite's Rasa as its start model: tests/support/promotion.py), so that promoting and
rolling back touch nothing the other tests talk to.

The candidate is a copy of the suite's model registered in the instance's database as a training job
would record it, with a comparison (`metrics`) written here, so what the page says of it is known:
verdict "better", the reasons, macro F1 live against new per set and language. The admin sees the
start model live and the candidate with its verdict and figures, promotes the candidate through the
page (a confirm step saying what happens), follows it until it is live (a real Rasa server starts),
sees the history, and rolls back the same way. Training itself takes minutes, so the training panel
is driven by answers Playwright gives for the jobs API: a job followed live (stage, component,
elapsed, log) to its end, and a failed one's error. A non-admin gets "Admins only" and the page never
asks the training API. No page reports a Content-Security-Policy violation."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Locator, Page, Request, Response, Route, expect
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from devstack.stack import Stack
from tests.support.promotion import PROMOTION_LIMIT_S, Promo, promo_instance

TIMEOUT = 30_000
PROMOTION_LIMIT_MS = PROMOTION_LIMIT_S * 1000  # a Rasa server's start on a busy 2-core machine, with room
TRAINING = "/api/admin/training"

# Runs before the page's own scripts (Playwright injects it, outside the page's policy): test_csp.py's.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


def _set(examples: int, live: float, new: float) -> dict[str, Any]:
    """One set and language of a comparison, shaped as bot/compare_models.py writes it."""
    return {"examples": examples, "correct": {"live": round(examples * live), "new": round(examples * new)},
            "macro_f1": {"live": live, "new": new, "delta": round(new - live, 4)},
            "accuracy": {"live": live, "new": new, "delta": round(new - live, 4)},
            "per_intent": {}, "confusions": {"better": [], "worse": [], "better_pairs": 0, "worse_pairs": 0}}


REASONS = ["independent en: macro F1 0.8100 -> 0.8600 (+0.0500)",
           "independent he: macro F1 0.7400 -> 0.7900 (+0.0500)", "reviewed messages right: 1 -> 3 of 4"]
METRICS = {"verdict": "better", "reasons": REASONS, "tolerance": 0.01, "new": "shopbot-candidate.tar.gz",
           "live": "shopbot-start.tar.gz", "limit": 30, "seconds": 41.2,
           "sets": {"independent": {"en": _set(30, 0.81, 0.86), "id": _set(30, 0.78, 0.775),
                                    "he": _set(30, 0.74, 0.79)},
                    "reviewed": {"en": _set(4, 0.25, 0.75)}}}


@pytest.fixture(scope="module")
def models_app(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Promo]:
    with promo_instance(stack, tmp_path_factory.mktemp("models-page"), name="app-models-page",
                        metrics=METRICS) as instance:
        yield instance


async def _sign_in(browser: Browser, url: str, agent: str, status: int = 200) -> Page:
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.add_init_script(RECORD_VIOLATIONS)
    await page.goto(f"{url}/admin")
    await page.get_by_test_id("login-agent").fill(agent)
    await page.get_by_test_id("login-password").fill(f"{agent}-demo")
    async with page.expect_response(lambda r: r.url.endswith("/api/admin/agents") and r.status == status):
        await page.get_by_test_id("login-button").click()
    return page


async def _no_violations(page: Page) -> None:
    assert await page.evaluate("window.__cspViolations") == []


def _card(section: Locator, model_id: int) -> Locator:
    return section.locator(f"[data-testid=model-card][data-model-id='{model_id}']")


def _promote_call(model_id: int) -> Callable[[Response], bool]:
    def match(response: Response) -> bool:
        return (response.request.method == "POST" and response.url.endswith(f"{TRAINING}/models/{model_id}/promote")
                and response.status == 202)
    return match


async def _dismiss_notice(page: Page) -> None:
    """The toast would cover the section in the picture: clicked away if it is still there."""
    notice = page.get_by_test_id("notice")
    if await notice.is_visible():
        with contextlib.suppress(PlaywrightTimeoutError):  # it may go by itself meanwhile
            await notice.click(timeout=2000)


async def _f1_row(card: Locator, set_name: str, language: str, live: str, new: str, delta: str) -> None:
    row = card.locator(f"[data-testid=model-f1][data-set={set_name}][data-language={language}]")
    await expect(row.get_by_test_id("model-f1-live")).to_have_text(live)
    await expect(row.get_by_test_id("model-f1-new")).to_have_text(new)
    await expect(row.get_by_test_id("model-f1-delta")).to_have_text(delta)


async def _promote_through_the_page(card: Locator, model_id: int, rollback: bool) -> None:
    """Promote (or roll back to) the card's model: the confirm step first, once cancelled, then confirmed."""
    page = card.page
    await card.get_by_test_id("model-promote").click()
    confirm = card.get_by_test_id("model-confirm")
    await expect(confirm).to_be_visible()
    await expect(confirm).to_have_attribute("data-rollback", "true" if rollback else "false")
    text = confirm.get_by_test_id("model-confirm-text")
    await expect(text).to_contain_text("beside the live one")
    await expect(text).to_contain_text("no customer notices")
    await expect(text).to_contain_text("Roll back to" if rollback else "Promote")
    await confirm.get_by_test_id("model-cancel").click()  # nothing is asked of the server yet
    await expect(confirm).to_be_hidden()
    await card.get_by_test_id("model-promote").click()
    async with page.expect_response(_promote_call(model_id)):
        await confirm.get_by_test_id("model-confirm-button").click()


async def test_the_admin_promotes_a_model_and_rolls_back(browser: Browser, models_app: Promo,
                                                         screenshots: Path) -> None:
    page = await _sign_in(browser, models_app.url, "dana")
    section = page.get_by_test_id("models-admin")
    await expect(section).to_be_visible(timeout=TIMEOUT)
    start, candidate = _card(section, models_app.start_id), _card(section, models_app.candidate_id)

    # The start model is live, not compared, started with the deployment; nothing to promote on it.
    await expect(start).to_have_attribute("data-live", "true", timeout=TIMEOUT)
    await expect(start.get_by_test_id("model-live")).to_have_text("Live")
    await expect(start.get_by_test_id("model-verdict")).to_have_attribute("data-verdict", "none")
    await expect(start.get_by_test_id("model-trained")).to_contain_text("the deployment started with")
    await expect(start.get_by_test_id("model-promote")).to_have_count(0)
    # Newest first: the candidate above it, with its verdict, reasons and F1 per set and language.
    await expect(section.get_by_test_id("model-card").first).to_have_attribute("data-model-id",
                                                                                str(models_app.candidate_id))
    await expect(candidate).to_have_attribute("data-live", "false")
    await expect(candidate.get_by_test_id("model-verdict")).to_have_text("better")
    await expect(candidate.get_by_test_id("model-trained")).to_contain_text("Trained by dana")
    await expect(candidate.get_by_test_id("model-promoted")).to_have_count(0)
    await expect(candidate.get_by_test_id("model-reason")).to_have_text(REASONS)
    await expect(candidate.get_by_test_id("model-f1")).to_have_count(4)
    await _f1_row(candidate, "independent", "en", "0.810", "0.860", "+0.050")
    await _f1_row(candidate, "independent", "id", "0.780", "0.775", "−0.005")
    await _f1_row(candidate, "reviewed", "en", "0.250", "0.750", "+0.500")
    hebrew = candidate.locator("[data-testid=model-f1][data-set=independent][data-language=he]")
    await expect(hebrew).to_contain_text("עברית")  # the language's name from /api/meta
    await expect(candidate.get_by_test_id("model-promote")).to_have_text("Promote…")
    await expect(section.get_by_test_id("promotion-row")).to_have_count(1)
    await section.screenshot(path=str(screenshots / "models-list.png"))

    # Promoted through the page: followed while its Rasa server starts, until it is live.
    await _promote_through_the_page(candidate, models_app.candidate_id, rollback=False)
    promotion = section.get_by_test_id("models-promotion")
    await expect(promotion).to_be_visible()
    await expect(promotion).to_have_attribute("data-rollback", "false")
    await expect(promotion).to_have_attribute("data-status", re.compile("starting|live"))
    await _dismiss_notice(page)
    await section.screenshot(path=str(screenshots / "models-promoting.png"))
    await expect(candidate).to_have_attribute("data-live", "true", timeout=PROMOTION_LIMIT_MS)
    await expect(promotion).to_have_attribute("data-status", "live")
    await expect(promotion.get_by_test_id("promotion-text")).to_contain_text("Promotion of Model #")
    await expect(candidate.get_by_test_id("model-promoted")).to_contain_text("Promoted by dana")
    await expect(start).to_have_attribute("data-live", "false")
    await expect(start.get_by_test_id("model-promote")).to_have_text("Roll back to this model…")
    await expect(page.get_by_test_id("models-live-summary")).to_contain_text("shopbot-candidate.tar.gz")
    rows = section.get_by_test_id("promotion-row")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_have_attribute("data-status", "live")
    await expect(rows.nth(0).get_by_test_id("promotion-by")).to_have_text("dana")
    await expect(rows.nth(0).get_by_test_id("promotion-kind")).to_have_text("promotion")
    await expect(rows.nth(1)).to_have_attribute("data-status", "replaced")
    await expect(rows.nth(1).get_by_test_id("promotion-by")).to_have_text("the deployment")
    await section.screenshot(path=str(screenshots / "models-live.png"))

    # Rolled back the same way, in rollback words.
    await _promote_through_the_page(start, models_app.start_id, rollback=True)
    await expect(promotion).to_have_attribute("data-rollback", "true")
    await expect(start).to_have_attribute("data-live", "true", timeout=PROMOTION_LIMIT_MS)
    await expect(promotion).to_have_attribute("data-status", "live")
    await expect(promotion.get_by_test_id("promotion-text")).to_contain_text("Rollback to Model #")
    await expect(candidate).to_have_attribute("data-live", "false")
    await expect(candidate.get_by_test_id("model-promote")).to_have_text("Roll back to this model…")
    await expect(rows).to_have_count(3)
    await expect(rows.nth(0)).to_have_attribute("data-rollback", "true")
    await expect(rows.nth(0).get_by_test_id("promotion-kind")).to_have_text("rollback")
    assert [await r.get_attribute("data-status") for r in await rows.all()] == ["live", "replaced", "replaced"]
    await _dismiss_notice(page)
    await section.screenshot(path=str(screenshots / "models-rolled-back.png"))
    await _no_violations(page)
    await page.close()


async def test_a_refused_and_a_failed_promotion_are_said(browser: Browser, models_app: Promo,
                                                         screenshots: Path) -> None:
    """Playwright answers the promote call: first a 409 (another admin's promotion is starting), then
    a promotion that starts and fails. Nothing reaches the instance's promote endpoint."""
    page = await _sign_in(browser, models_app.url, "dana")
    asked: list[str] = []
    promotion = {"id": 99, "model_id": models_app.candidate_id, "status": "starting", "rollback": False,
                 "requested_by": "dana", "url": None, "started_at": datetime.now(UTC).isoformat(), "live_at": None,
                 "replaced_at": None, "error": None}
    error = "the Rasa server did not become ready within 300 s"

    async def promote(route: Route) -> None:
        asked.append(route.request.method)
        if len(asked) == 1:
            await route.fulfill(status=409, json={"detail": "a promotion is starting already"})
        else:
            await route.fulfill(status=202, json=promotion)

    async def follow(route: Route) -> None:
        await route.fulfill(json={**promotion, "status": "failed", "error": error,
                                  "replaced_at": datetime.now(UTC).isoformat()})

    await page.route(f"**{TRAINING}/models/{models_app.candidate_id}/promote", promote)
    await page.route(f"**{TRAINING}/promotions/99", follow)
    section = page.get_by_test_id("models-admin")
    candidate = _card(section, models_app.candidate_id)
    await candidate.get_by_test_id("model-promote").click(timeout=TIMEOUT)
    await candidate.get_by_test_id("model-confirm-button").click()
    await expect(page.get_by_test_id("notice")).to_contain_text("a promotion is starting already")

    await candidate.get_by_test_id("model-promote").click()
    await candidate.get_by_test_id("model-confirm-button").click()
    panel = section.get_by_test_id("models-promotion")
    await expect(panel).to_have_attribute("data-status", "failed", timeout=TIMEOUT)
    await expect(panel.get_by_test_id("promotion-text")).to_contain_text(error)
    await expect(panel.get_by_test_id("promotion-text")).to_contain_text("The live model was not touched")
    await expect(page.get_by_test_id("notice")).to_contain_text("failed")
    await expect(section.locator("[data-testid=model-card][data-live=true]")).to_have_count(1)
    assert asked == ["POST", "POST"]
    await _dismiss_notice(page)
    await section.screenshot(path=str(screenshots / "models-promotion-failed.png"))
    await _no_violations(page)
    await page.close()


@dataclass
class FakeJobs:
    """The jobs API as Playwright answers it: job 6 failed earlier; job 7 starts when asked, runs
    until `finish` is set, and then has made `model_id`."""

    model_id: int
    started: bool = False
    finish: bool = False
    polls: int = 0
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(seconds=75))

    def job(self, job_id: int) -> dict[str, Any]:
        now = datetime.now(UTC)
        if job_id == 6:
            return {"id": 6, "status": "failed", "stage": "validating", "component": None, "requested_by": "dana",
                    "started_at": (now - timedelta(hours=1)).isoformat(),
                    "finished_at": (now - timedelta(minutes=59)).isoformat(), "examples": 0, "held_out": 0,
                    "error": "rasa data validate failed (exit 1)", "model_id": None,
                    "log": "Found intent 'x' without examples\n"}
        done = self.finish
        return {"id": 7, "status": "succeeded" if done else "running", "stage": "done" if done else "training",
                "component": None if done else "E5IntentClassifier", "requested_by": "dana",
                "started_at": self.started_at.isoformat(),
                "finished_at": now.isoformat() if done else None, "examples": 12, "held_out": 3, "error": None,
                "model_id": self.model_id if done else None,
                "log": "Starting to train component 'E5IntentClassifier'.\n<b>not markup</b>\n"}

    async def handle(self, route: Route, request: Request) -> None:
        path = request.url.split("?")[0].split(TRAINING, 1)[1]
        if request.method == "POST" and path == "/jobs":
            self.started = True
            await route.fulfill(status=202, json={k: v for k, v in self.job(7).items() if k != "log"})
        elif path == "/jobs":
            jobs = [self.job(7)] * self.started + [self.job(6)]
            await route.fulfill(json=[{k: v for k, v in j.items() if k != "log"} for j in jobs])
        else:
            self.polls += path == "/jobs/7"
            await route.fulfill(json=self.job(int(path.rsplit("/", 1)[1])))


async def test_a_training_job_is_followed_live(browser: Browser, models_app: Promo, screenshots: Path) -> None:
    fake = FakeJobs(models_app.candidate_id)
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.add_init_script(RECORD_VIOLATIONS)
    await page.route(lambda url: f"{TRAINING}/jobs" in url, fake.handle)
    await page.goto(f"{models_app.url}/admin#models-view")
    await page.get_by_test_id("login-agent").fill("dana")
    await page.get_by_test_id("login-password").fill("dana-demo")
    await page.get_by_test_id("login-button").click()
    section = page.get_by_test_id("models-admin")

    # The earlier job, failed, with its error.
    failed = section.locator("[data-testid=job-row][data-job-id='6']")
    await expect(failed).to_have_attribute("data-status", "failed", timeout=TIMEOUT)
    await expect(failed.get_by_test_id("job-row-error")).to_have_text("rasa data validate failed (exit 1)")
    await expect(section.get_by_test_id("models-job")).to_be_hidden()

    # Started: followed live, its stage, component, time since it started and log.
    train = section.get_by_test_id("models-train")
    await train.click()
    job = section.get_by_test_id("models-job")
    await expect(job).to_have_attribute("data-status", "running")
    await expect(job).to_have_attribute("data-job-id", "7")
    await expect(job.get_by_test_id("job-stage")).to_have_text("training")
    await expect(job.get_by_test_id("job-component")).to_have_text("E5IntentClassifier")
    elapsed = job.get_by_test_id("job-elapsed")
    await expect(elapsed).to_have_text(re.compile(r"^1:\d\d$"))
    await expect(job.get_by_test_id("job-log")).to_contain_text("<b>not markup</b>")  # text, never markup
    await expect(train).to_be_disabled()
    await expect(section.locator("[data-testid=job-row][data-job-id='7']")).to_have_attribute("data-status", "running")
    # Asked again and again while it runs: the elapsed time moves on.
    before = await elapsed.text_content()
    await expect(elapsed).not_to_have_text(before or "", timeout=10_000)
    assert fake.polls >= 2
    await section.screenshot(path=str(screenshots / "models-training.png"))

    # Finished: the model it made, the lists reloaded, training possible again.
    fake.finish = True
    await expect(job).to_have_attribute("data-status", "succeeded", timeout=TIMEOUT)
    await expect(job.get_by_test_id("job-result")).to_contain_text(f"Model #{models_app.candidate_id}")
    await expect(page.get_by_test_id("notice")).to_contain_text("Job #7 finished")
    await expect(section.locator("[data-testid=job-row][data-job-id='7']")).to_have_attribute(
        "data-status", "succeeded", timeout=TIMEOUT)
    await expect(train).to_be_enabled()

    # The failed job's log and error, on asking.
    await failed.get_by_test_id("job-row-log").click()
    await expect(job).to_have_attribute("data-job-id", "6")
    await expect(job.get_by_test_id("job-error")).to_have_text("rasa data validate failed (exit 1)")
    await expect(job.get_by_test_id("job-log")).to_contain_text("without examples")
    await _no_violations(page)
    await page.close()


async def test_a_non_admin_gets_no_models_section(browser: Browser, models_app: Promo, screenshots: Path) -> None:
    asked: list[str] = []
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("request", lambda request: asked.append(request.url) if TRAINING in request.url else None)
    await page.add_init_script(RECORD_VIOLATIONS)
    await page.goto(f"{models_app.url}/admin#models-view")
    await page.get_by_test_id("login-agent").fill("bob")
    await page.get_by_test_id("login-password").fill("bob-demo")
    async with page.expect_response(lambda r: r.url.endswith("/api/admin/agents") and r.status == 403):
        await page.get_by_test_id("login-button").click()
    await expect(page.get_by_test_id("admin-refused")).to_contain_text("Admins only", timeout=TIMEOUT)
    await expect(page.get_by_test_id("models-admin")).to_be_hidden()
    await expect(page.get_by_test_id("nav-models")).to_be_hidden()
    await expect(page.get_by_test_id("model-card")).to_have_count(0)
    await page.screenshot(path=str(screenshots / "models-refused.png"))
    assert asked == []  # the page never asked the training API on Bob's behalf
    await _no_violations(page)
    await page.close()
