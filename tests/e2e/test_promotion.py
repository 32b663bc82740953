"""Promoting a model and rolling back, through the real stack, while customers talk: an app instance of
its own (its own database; the suite's Rasa as its start model, the trackers in the suite's shared
PostgreSQL tracker store) starts a Rasa server on a candidate model, switches to it when it is ready,
and stops the replaced one after draining. No customer turn fails, a conversation in the middle of a
form keeps its slots across the switch, and a rollback returns to the start model the same way.

The candidate is a copy of the suite's model under another name, registered in the instance's
database as a trained model would be (the whole loop, with a model trained on annotations, is
tests/e2e/test_review_loop.py): what is tested here is the switch, not what the model knows."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from devstack import demo_shop as shop
from devstack.clients import Customer
from devstack.stack import Stack
from tests.support.promotion import Promo, answers, login, promo_instance, until_settled


@pytest.fixture(scope="module")
def promo(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Promo]:
    with promo_instance(stack, tmp_path_factory.mktemp("promo"), name="app-promo") as instance:
        yield instance


@dataclass
class Talkers:
    """Customers asking the bot one thing after another until stopped: every turn must be answered
    by the bot (a failed turn hands the conversation to a person, or gets no answer)."""

    url: str
    answered: int = 0
    failed: list[str] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    turned: asyncio.Event = field(default_factory=asyncio.Event)  # set at every answer or failure

    async def until_answered(self, count: int) -> None:
        while self.answered < count and not self.failed:
            self.turned.clear()
            await self.turned.wait()

    async def talk(self, n: int) -> None:
        customer = await Customer(self.url).start()
        lines = ["hello", "what payment methods do you take", "how long does delivery take", "thanks"]
        i = n
        while not self.stop.is_set():
            try:
                replies = await customer.ask(lines[i % len(lines)], timeout=60)
            except AssertionError as exc:
                self.failed.append(str(exc)[:300])
                self.turned.set()
                return
            if not replies:
                self.failed.append(f"no answer to {lines[i % len(lines)]!r}")
            self.answered += 1
            self.turned.set()
            i += 1
        await customer.ws.close()


async def _promote_under_traffic(http: httpx.AsyncClient, promo: Promo, model_id: int,
                                 talkers: int = 5) -> tuple[dict[str, Any], Talkers]:
    traffic = Talkers(promo.url)
    tasks = [asyncio.create_task(traffic.talk(n)) for n in range(talkers)]
    started = await http.post(f"/api/admin/training/models/{model_id}/promote")
    assert started.status_code == 202, started.text
    assert (await http.post(f"/api/admin/training/models/{model_id}/promote")).status_code == 409  # one at a time
    promotion = await until_settled(http, started.json()["id"])
    await traffic.until_answered(traffic.answered + 2 * talkers)  # turns on the new server too
    traffic.stop.set()
    await asyncio.gather(*tasks)
    return promotion, traffic


async def test_a_promotion_and_a_rollback_under_live_conversations(promo: Promo) -> None:
    headers = await login(promo.url, "dana", "dana-demo")
    agent = await login(promo.url, "bob", "bob-demo")
    async with httpx.AsyncClient(base_url=promo.url, headers=headers, timeout=30) as http:
        models = {m["id"]: m for m in (await http.get("/api/admin/training/models")).json()}
        start_model = next(m for m in models.values() if m["live"])
        assert start_model["path"] == promo.start_model and not models[promo.candidate_id]["live"]
        assert (await http.post(f"/api/admin/training/models/{start_model['id']}/promote")).status_code == 409
        refused = await http.post(f"/api/admin/training/models/{promo.candidate_id}/promote", headers=agent)
        assert refused.status_code == 403

        # A customer in the middle of the order form: the order number given, the e-mail asked for.
        order = shop.orders("shipped")[0]
        mid_form = await Customer(promo.url).start()
        asked = await mid_form.ask(f"where is my order {order['order_id']}?")
        assert any("e-mail" in r for r in asked), asked

        promotion, traffic = await _promote_under_traffic(http, promo, promo.candidate_id)
        assert promotion["status"] == "live", promotion
        assert not promotion["rollback"] and promotion["requested_by"] == "dana"
        assert promotion["url"] and promotion["url"] != promo.rasa_url
        assert traffic.failed == [] and traffic.answered > 0, traffic.failed
        models = {m["id"]: m for m in (await http.get("/api/admin/training/models")).json()}
        assert models[promo.candidate_id]["live"] and models[promo.candidate_id]["promoted_by"] == "dana"

        # The form goes on on the new server, with the order number given before the switch.
        answer = " ".join(await mid_form.ask(shop.email_for(order)))
        assert order["order_id"] in answer and order["tracking_number"] in answer, answer
        async with httpx.AsyncClient(base_url=promotion["url"]) as rasa:
            tracker = (await rasa.get(f"/conversations/{mid_form.conversation_id}/tracker",
                                      params={"token": promo.rasa_token})).json()
        assert tracker["slots"]["order_id"] == order["order_id"]

        # Rolled back to the start model the same way; the candidate's server stops once drained.
        back, traffic = await _promote_under_traffic(http, promo, start_model["id"])
        assert back["status"] == "live" and back["rollback"], back
        assert back["url"] not in (promo.rasa_url, promotion["url"])
        assert traffic.failed == [] and traffic.answered > 0, traffic.failed
        history = (await http.get("/api/admin/training/promotions")).json()
        assert [p["status"] for p in history[:3]] == ["live", "replaced", "replaced"], history
        for _ in range(120):
            if not await answers(promotion["url"]):
                break
            await asyncio.sleep(0.5)
        assert not await answers(promotion["url"]), "the replaced server was never stopped"
        assert await answers(back["url"])
        assert await mid_form.ask("thanks")
        await mid_form.ws.close()

