"""A promoted model serves again after a restart of the whole product: the Rasa server the promotion
started is a child of the app process and stops with it, and the database still says the promoted
model is live. The app, started again on the same database, answers customers at once (on the
deployment's Rasa while the model's server starts), starts a server on the promoted model, records
it for the live promotion and sends its turns there (handoff/serving/flows.py, restore).

An app instance of its own, as in tests/e2e/test_promotion.py (tests/support/promotion.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from devstack.clients import Customer
from devstack.stack import Stack
from tests.support.procs import connected_ports, running
from tests.support.promotion import (
    PROMOTION_LIMIT_S,
    Promo,
    answers,
    login,
    promo_instance,
    serving_model,
    until_settled,
)


@pytest.fixture(scope="module")
def promo(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Promo]:
    with promo_instance(stack, tmp_path_factory.mktemp("promo-restart"), name="app-promo-restart") as instance:
        yield instance


async def _until(check: Callable[[], Awaitable[bool]], what: str, limit_s: float) -> None:
    """Polls `check` (a starting or stopping process announces nothing) until true, or fails."""
    deadline = time.monotonic() + limit_s
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not after {limit_s:.0f} s: {what}")
        await asyncio.sleep(0.5)


async def test_the_promoted_model_serves_again_after_the_whole_product_restarts(promo: Promo) -> None:
    headers = await login(promo.url, "dana", "dana-demo")
    async with httpx.AsyncClient(base_url=promo.url, headers=headers, timeout=30) as http:
        started = await http.post(f"/api/admin/training/models/{promo.candidate_id}/promote")
        assert started.status_code == 202, started.text
        promotion = await until_settled(http, started.json()["id"])
    assert promotion["status"] == "live", promotion
    gone_url, gone_pid = promotion["url"], promo.promotion_pid(promotion["id"])
    assert gone_pid is not None and running(gone_pid)
    assert await serving_model(gone_url, promo.rasa_token) == promo.candidate.name

    # The whole product stops: the app, and with it the Rasa server it started for the promotion.
    promo.app.stop()
    assert promo.app.exited() is not None

    async def server_gone() -> bool:
        return not running(gone_pid) and not await answers(gone_url)

    await _until(server_gone, f"the promoted model's server (pid {gone_pid}) stopped with the app", 60)

    # Started again on the same database.
    promo.app.start()
    await asyncio.to_thread(promo.app.wait_healthy)
    assert promo.app.process is not None
    app_pid = promo.app.process.pid

    customer = await Customer(promo.url).start()
    assert await customer.ask("what payment methods do you take", timeout=60)  # answered meanwhile

    headers = await login(promo.url, "dana", "dana-demo")
    live: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=promo.url, headers=headers, timeout=30) as http:
        async def served_again() -> bool:
            history = (await http.get("/api/admin/training/promotions")).json()
            live.update(next(p for p in history if p["status"] == "live"))
            return (live["url"] not in (gone_url, promo.rasa_url)
                    and await serving_model(live["url"], promo.rasa_token) == promo.candidate.name)

        await _until(served_again, "a server on the promoted model recorded for the live promotion",
                     PROMOTION_LIMIT_S)
    assert live["id"] == promotion["id"] and live["model_id"] == promo.candidate_id, live
    assert live["error"] is None, live
    pid = promo.promotion_pid(live["id"])
    assert pid is not None and pid != gone_pid and running(pid)

    # The app's own turns go there: after a turn it holds a connection to that server, and none to the
    # deployment's Rasa any more (its client for it is closed once the app switched).
    port, deployment_port = urlsplit(live["url"]).port, urlsplit(promo.rasa_url).port

    async def talks_to_it() -> bool:
        assert await customer.ask("how long does delivery take", timeout=60)
        ports = connected_ports(app_pid)
        return port in ports and deployment_port not in ports

    await _until(talks_to_it, f"the app's turns go to {live['url']}", 60)
    await customer.ws.close()


async def test_a_promoted_model_that_cannot_be_served_again_gives_way_to_the_deployments(promo: Promo) -> None:
    """The restart finds the live promotion's model file gone: the deployment's model is recorded live
    in its place (the reason on the replaced promotion), and customers are answered throughout."""
    headers = await login(promo.url, "dana", "dana-demo")
    async with httpx.AsyncClient(base_url=promo.url, headers=headers, timeout=30) as http:
        live = next(p for p in (await http.get("/api/admin/training/promotions")).json() if p["status"] == "live")
        if live["model_id"] != promo.candidate_id:  # run on its own: the candidate promoted first
            started = await http.post(f"/api/admin/training/models/{promo.candidate_id}/promote")
            assert started.status_code == 202, started.text
            live = await until_settled(http, started.json()["id"])
    assert live["status"] == "live" and live["model_id"] == promo.candidate_id, live
    gone_pid = promo.promotion_pid(live["id"])

    promo.app.stop()
    if gone_pid is not None:
        await _until(lambda: asyncio.sleep(0, result=not running(gone_pid)), "the promotion's server stopped", 60)
    hidden = promo.candidate.with_name(promo.candidate.name + ".moved")
    promo.candidate.rename(hidden)  # the model file gone (a disk cleaned, a volume not mounted)
    try:
        promo.app.start()
        await asyncio.to_thread(promo.app.wait_healthy)
        customer = await Customer(promo.url).start()
        assert await customer.ask("what payment methods do you take", timeout=60)

        headers = await login(promo.url, "dana", "dana-demo")
        history: list[dict[str, Any]] = []
        async with httpx.AsyncClient(base_url=promo.url, headers=headers, timeout=30) as http:
            async def fell_back() -> bool:
                history[:] = (await http.get("/api/admin/training/promotions")).json()
                now_live = next(p for p in history if p["status"] == "live")
                return now_live["model_id"] == promo.start_id and now_live["url"] == promo.rasa_url

            await _until(fell_back, "the deployment's model recorded live in the promotion's place", 60)
        replaced = next(p for p in history if p["id"] == live["id"])
        assert replaced["status"] == "replaced" and "no longer exists" in (replaced["error"] or ""), replaced
        assert await serving_model(promo.rasa_url, promo.rasa_token) == Path(promo.start_model).name
        assert await customer.ask("how long does delivery take", timeout=60)  # on the deployment's Rasa
        await customer.ws.close()
    finally:
        hidden.rename(promo.candidate)
