"""The whole review loop through the real stack, on an app instance of its own (its own database and
training directories; the suite's Rasa as its start model): messages the live model gets wrong, from
real conversations, are in the admins' inbox with Rasa's own reading of them, redacted; an admin
annotates them; the export is Rasa training data that `rasa data validate` accepts beside bot/data; a
training job trains a model on them and compares it with the live one; the model is promoted and the
same message is now understood, a conversation in the middle of a form going on across the switch;
a rollback restores the old reading."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack import demo_shop as shop
from devstack.clients import Agent, Customer
from devstack.stack import ROOT, Stack
from handoff.review.entities import marked
from tests.conftest import extra_app

# Nonsense the model has never seen, with an e-mail address in it: out of scope or a fallback.
GIBBERISH = "zorbly quandrix vempt plokk, write to pat.lee@example.net"
# Slang the live model reads as placing an order; a customer means cancelling one. Sent in two
# conversations: every fifth annotated message is held out of training, so at least one is trained on.
MISREAD = "can u nix my order"
MEANT = "cancel_order"
# An admin's own example (an entity in Rasa's inline form, a phone number redacted away) and her
# Indonesian greeting: the retrained model is trained on the one and says the other.
OWN_EXAMPLE = "pls nix order [10007](order_id), call me 415-555-0134"
NEW_GREETING = "Halo! Ini asisten toko yang baru dilatih. Ada yang bisa dibantu?"


@pytest.fixture(scope="module")
def loop_url(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("loop")
    yield from extra_app(stack, tmp_path_factory, "loop", {
        "SHOPBOT_REVIEW_EXPORT_DIR": str(work / "export"), "SHOPBOT_TRAINING_DIR": str(work / "training"),
        "SHOPBOT_MODELS_DIR": str(work / "models"), "SHOPBOT_SWEEP_INTERVAL_S": "0.5",
        "SHOPBOT_SERVE_DRAIN_S": "3"})


async def _admin_headers(app_url: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=app_url) as http:
        resp = await http.post("/api/agent/login", json={"agent_id": "dana", "password": "dana-demo"})
        resp.raise_for_status()
        return {"Authorization": f"Bearer {resp.json()['token']}"}


async def _settled_item(app_url: str, headers: dict[str, str], conversation_id: str,
                        reason: str = "fallback") -> dict[str, Any]:
    """The conversation's item, once the app has recorded it. Recording runs beside the conversation
    after the turn (an NLU parse, then a write) and nothing tells a client when it is done, so the
    inbox is polled, as a starting process's health is (at most 20 s)."""
    async with httpx.AsyncClient(base_url=app_url, headers=headers) as http:
        for _ in range(100):
            inbox = (await http.get("/api/admin/review", params={"reason": reason})).json()
            found = [i for g in inbox["groups"] for i in g["items"] if i["conversation_id"] == conversation_id]
            if found:
                return dict(found[0])
            await asyncio.sleep(0.2)
    raise AssertionError("the message never reached the review inbox")


async def test_a_misunderstood_message_is_reviewed_annotated_and_exported(loop_url: str, stack: Stack,
                                                                         tmp_path: Path) -> None:
    app_url = loop_url
    customer = await Customer(app_url).start()
    replies = await customer.ask(GIBBERISH)
    assert replies  # the bot answered (a fallback), the customer was not left waiting
    headers = await _admin_headers(app_url)
    item = await _settled_item(app_url, headers, customer.conversation_id)
    assert item["intent"] in ("nlu_fallback", "out_of_scope"), item  # Rasa's own reading
    assert "pat.lee@example.net" not in item["text"] and "zorbly" in item["text"]
    assert item["neighbourhood"] is not None  # the e5 neighbourhood the live model put it in
    # The live model's entities in the redacted text: the synthetic address, where the real one was.
    assert [(item["text"][e["start"]:e["end"]], e["entity"]) for e in item["entities"]] == [
        ("customer@example.com", "email")]

    async with httpx.AsyncClient(base_url=app_url, headers=headers) as http:
        intents = (await http.get("/api/admin/review/intents")).json()
        assert "order_status" in intents and "out_of_scope" in intents
        done = await http.post("/api/admin/review/decisions",
                               json={"item_ids": [item["id"]], "action": "annotate", "intent": "out_of_scope"})
        assert done.status_code == 200, done.text
        # The slang, read with too little confidence, as something else: the admin says what it means.
        misread = []
        for _ in range(2):
            other = await Customer(app_url).start()
            assert await other.ask(MISREAD)
            misread.append(await _settled_item(app_url, headers, other.conversation_id, "low_confidence"))
            await other.ws.close()
        assert all(i["intent"] != MEANT and i["text"] == MISREAD for i in misread), misread
        done = await http.post("/api/admin/review/decisions",
                               json={"item_ids": [i["id"] for i in misread], "action": "annotate", "intent": MEANT})
        assert done.status_code == 200, done.text
        exported = (await http.post("/api/admin/review/export")).json()
        own = await http.post("/api/admin/examples", json={"language": "en", "intent": MEANT, "text": OWN_EXAMPLE})
        assert own.status_code == 201 and own.json()["marked"] == "pls nix order [19001](order_id), call me [phone]"
        greeting = await http.put("/api/admin/responses/utter_greet/id", json={"text": NEW_GREETING})
        assert greeting.status_code == 200, greeting.text
    english = Path(next(f["path"] for f in exported if f["language"] == "en"))
    assert marked(item["text"], item["entities"]) in await asyncio.to_thread(english.read_text)

    # The export beside a copy of the training data passes Rasa's own validation.
    data = tmp_path / "data"
    shutil.copytree(ROOT / "bot" / "data", data)
    shutil.copy(english, data / "nlu" / english.name)
    validated = await asyncio.to_thread(
        subprocess.run,
        [str(stack.config.bot_venv / "bin" / "rasa"), "data", "validate", "--fail-on-warnings",
         "--config", "bot/config.yml", "--domain", "bot/domain", "--data", str(data)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert validated.returncode == 0, validated.stdout[-3000:] + validated.stderr[-3000:]


async def test_agents_cannot_open_the_inbox(loop_url: str) -> None:
    agent = await Agent(loop_url, "bob", "bob-demo").login()
    async with httpx.AsyncClient(base_url=loop_url, headers={"Authorization": f"Bearer {agent.token}"}) as http:
        assert (await http.get("/api/admin/review")).status_code == 403
        assert (await http.post("/api/admin/training/models/1/promote")).status_code == 403
    await agent.ws.close()


async def test_a_training_job_trains_a_model_on_the_annotations(loop_url: str) -> None:
    """After the annotation above: the real Rasa validates and trains in the background (minutes),
    with its progress on the job, then the new model is compared with the live one (the first 30
    messages of each held-out file, SHOPBOT_COMPARE_LIMIT in tests/conftest.py); the live model is not
    touched. The job is followed as the admin page follows it, by asking for it (at most 25 minutes on
    a busy 2-core machine)."""
    headers = await _admin_headers(loop_url)
    async with httpx.AsyncClient(base_url=loop_url, headers=headers, timeout=30) as http:
        live_before = (await http.get("/api/admin/review/intents")).json()
        started = await http.post("/api/admin/training/jobs")
        assert started.status_code == 202, started.text
        job_id = started.json()["id"]
        assert (await http.post("/api/admin/training/jobs")).status_code == 409  # one at a time
        seen_stages, seen_components = set(), set()
        for _ in range(1500):
            job = (await http.get(f"/api/admin/training/jobs/{job_id}")).json()
            seen_stages.add(job["stage"])
            if job["component"]:
                seen_components.add(job["component"])
            if job["status"] != "running":
                break
            await asyncio.sleep(1)
        assert job["status"] == "succeeded", job["error"] + "\n" + job["log"][-3000:]
        assert {"validating", "training"} & seen_stages and "comparing" in seen_stages, seen_stages
        assert job["examples"] + job["held_out"] >= 2  # the annotations and the admin's own example
        model = next(m for m in (await http.get("/api/admin/training/models")).json() if m["id"] == job["model_id"])
        assert model["trained_by"] == "dana" and model["promoted_at"] is None
        assert await asyncio.to_thread(Path(model["path"]).is_file)
        metrics = model["metrics"]
        assert metrics is not None and model["verdict"] == metrics["verdict"] in ("better", "worse", "mixed"), model
        assert metrics["reasons"] and metrics["limit"] == 30
        assert {"independent", "independent_noised", "ood"} <= set(metrics["sets"]), metrics["sets"].keys()
        for language, compared in metrics["sets"]["independent"].items():
            assert compared["examples"] == 30, language
            assert compared["macro_f1"]["live"] is not None and compared["macro_f1"]["new"] is not None
            per_intent = compared["per_intent"]
            assert per_intent and all(f["live"] is not None and f["new"] is not None for f in per_intent.values())
            assert {"better", "worse"} <= set(compared["confusions"])
        assert (await http.get("/api/admin/review/intents")).json() == live_before  # the live model is unchanged


async def _read_as(rasa_url: str, token: str, conversation_id: str, text: str) -> str:
    """The intent the serving model read `text` as in the conversation (from its tracker, in the
    shared tracker store)."""
    async with httpx.AsyncClient(base_url=rasa_url) as http:
        tracker = (await http.get(f"/conversations/{conversation_id}/tracker", params={"token": token})).json()
    said = [e for e in tracker["events"] if e["event"] == "user" and e["text"] == text]
    return str(said[-1]["parse_data"]["intent"]["name"])


async def _promoted(http: httpx.AsyncClient, model_id: int) -> dict[str, Any]:
    """The promotion once it is live or failed (at most 400 s: a Rasa server's start on a busy machine)."""
    started = await http.post(f"/api/admin/training/models/{model_id}/promote")
    assert started.status_code == 202, started.text
    for _ in range(800):
        promotion = (await http.get(f"/api/admin/training/promotions/{started.json()['id']}")).json()
        if promotion["status"] != "starting":
            return dict(promotion)
        await asyncio.sleep(0.5)
    raise AssertionError("the promotion did not settle in 400 s")


async def _ask_misread(loop_url: str) -> Customer:
    customer = await Customer(loop_url).start()
    assert await customer.ask(MISREAD)
    return customer


async def test_the_retrained_model_is_promoted_understands_the_message_and_is_rolled_back(
        loop_url: str, stack: Stack) -> None:
    """After the training job above: promoted, the new model reads the annotated message as the admin
    said; a customer in the middle of the order form across the switch keeps the order number; a
    rollback to the start model restores the old reading."""
    token = stack.config.rasa_token
    headers = await _admin_headers(loop_url)
    async with httpx.AsyncClient(base_url=loop_url, headers=headers, timeout=30) as http:
        models = (await http.get("/api/admin/training/models")).json()
        start_model = next(m for m in models if m["live"])
        trained = next(m for m in models if m["trained_by"] == "dana")
        before = await _ask_misread(loop_url)
        assert await _read_as(stack.config.rasa_url, token, before.conversation_id, MISREAD) != MEANT

        order = shop.orders("shipped")[1]
        mid_form = await Customer(loop_url).start()
        assert any("e-mail" in r for r in await mid_form.ask(f"where is my order {order['order_id']}?"))

        promotion = await _promoted(http, trained["id"])
        assert promotion["status"] == "live", promotion
        assert next(m for m in (await http.get("/api/admin/training/models")).json()
                    if m["id"] == trained["id"])["promoted_by"] == "dana"
        after = await _ask_misread(loop_url)
        assert await _read_as(promotion["url"], token, after.conversation_id, MISREAD) == MEANT
        answer = " ".join(await mid_form.ask(shop.email_for(order)))
        assert order["order_id"] in answer and order["tracking_number"] in answer, answer
        indonesian = await Customer(loop_url).start(locale="id")
        assert NEW_GREETING in await indonesian.ask("halo")  # the edited response, in the new model

        back = await _promoted(http, start_model["id"])
        assert back["status"] == "live" and back["rollback"], back
        again = await _ask_misread(loop_url)
        assert await _read_as(back["url"], token, again.conversation_id, MISREAD) != MEANT
        assert NEW_GREETING not in await indonesian.ask("halo")
    for customer in (before, mid_form, after, again, indonesian):
        await customer.ws.close()
