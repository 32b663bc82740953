"""Admins edit the bot's responses per language, in process: the list (bot/domain's text and the edit
in effect per language), editing, restoring, the history with its admin, the refusals (an unknown
response or language, a placeholder the bot would not fill, a text too long), and the edits written
into a training workspace's copy of the domain, never into bot/. Only admins."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import yaml

from handoff.language import LANGUAGES
from handoff.responses import service as responses_service
from handoff.training import flows as training_flows
from handoff.training import workspace
from tests.app.conftest import InProcessApp

API = "/api/admin/responses"
# A response with a placeholder in every language, and one with buttons.
STATUS = "utter_status_pending"
OFFER = "utter_refund_offer"


async def _login(app: InProcessApp, agent_id: str = "dana") -> dict[str, str]:
    login = await app.http.post("/api/agent/login", json={"agent_id": agent_id, "password": f"{agent_id}-demo"})
    login.raise_for_status()
    return {"Authorization": f"Bearer {login.json()['token']}"}


async def _listed(app: InProcessApp, headers: dict[str, str], name: str) -> dict[str, dict[str, Any]]:
    resp = await app.http.get(API, headers=headers)
    assert resp.status_code == 200, resp.text
    found = [r for r in resp.json() if r["name"] == name]
    assert len(found) == 1, name
    return {lang["language"]: lang for lang in found[0]["languages"]}


async def _put(app: InProcessApp, headers: dict[str, str], name: str, language: str, text: str | None) -> Any:
    return await app.http.put(f"{API}/{name}/{language}", json={"text": text}, headers=headers)


def _variant_text(domain: Path, name: str, language: str) -> str:
    """The text of the response's first variant in `language` (English: the one without a condition)."""
    for path in sorted(domain.glob("*.yml")):
        variants = (yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {}).get(name)
        for variant in variants or []:
            values = [c["value"] for c in variant.get("condition") or [] if c.get("name") == "language"]
            if (values[0] if values else "en") == language:
                return str(variant["text"])
    raise AssertionError(f"no {language} variant of {name} in {domain}")


def _tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


async def test_the_list_has_each_language_from_bot_domain(app: InProcessApp) -> None:
    admin = await _login(app)
    resp = await app.http.get(API, headers=admin)
    assert resp.status_code == 200
    names = [r["name"] for r in resp.json()]
    assert names == sorted(names) and STATUS in names and OFFER in names
    status = next(r for r in resp.json() if r["name"] == STATUS)
    assert [lang["language"] for lang in status["languages"]] == list(LANGUAGES)
    assert "order_id" in status["placeholders"] and status["buttons"] is False
    assert next(r for r in resp.json() if r["name"] == OFFER)["buttons"] is True
    domain = app.rt.settings.bot_dir / "domain"
    for lang in status["languages"]:
        assert lang["original"] == _variant_text(domain, STATUS, lang["language"])
        assert lang["edited"] is None and lang["edited_by"] is None


async def test_edit_restore_and_history_with_the_admin(app: InProcessApp) -> None:
    admin = await _login(app)
    original = (await _listed(app, admin, STATUS))["id"]["original"]
    text = "Pesanan {order_id} sudah kami terima, menunggu pembayaran."
    resp = await _put(app, admin, STATUS, "id", f"  {text}\n")
    assert resp.status_code == 200, resp.text
    edited = {lang["language"]: lang for lang in resp.json()["languages"]}["id"]
    assert edited["edited"] == text and edited["edited_by"] == "dana" and edited["original"] == original
    listed = await _listed(app, admin, STATUS)
    assert listed["id"]["edited"] == text and listed["en"]["edited"] is None and listed["he"]["edited"] is None
    assert (await _put(app, admin, STATUS, "id", text)).status_code == 200  # the same again: nothing recorded

    resp = await _put(app, admin, STATUS, "id", None)
    assert resp.status_code == 200, resp.text
    listed = await _listed(app, admin, STATUS)
    assert listed["id"]["edited"] is None and listed["id"]["original"] == original
    assert listed["id"]["edited_by"] == "dana"  # who restored it

    history = await app.http.get(f"{API}/{STATUS}/history", headers=admin)
    assert history.status_code == 200
    assert [(c["language"], c["text"], c["admin_id"]) for c in history.json()] == [
        ("id", text, "dana"), ("id", None, "dana")]
    async with app.rt.sessions() as session:
        assert await responses_service.texts(session=session) == {}


async def test_the_original_typed_again_is_a_restore(app: InProcessApp) -> None:
    admin = await _login(app)
    original = (await _listed(app, admin, STATUS))["he"]["original"]
    await _put(app, admin, STATUS, "he", "הזמנה {order_id} התקבלה.")
    assert (await _put(app, admin, STATUS, "he", original)).status_code == 200
    assert (await _listed(app, admin, STATUS))["he"]["edited"] is None
    history = (await app.http.get(f"{API}/{STATUS}/history", headers=admin)).json()
    assert [c["text"] for c in history] == ["הזמנה {order_id} התקבלה.", None]


async def test_refusals(app: InProcessApp) -> None:
    admin = await _login(app)

    async def refused(name: str, language: str, text: Any, status: int, says: str) -> None:
        resp = await _put(app, admin, name, language, text)
        assert resp.status_code == status, resp.text
        assert says in str(resp.json()["detail"]), resp.json()

    await refused("utter_no_such_thing", "en", "Hello", 404, "no response utter_no_such_thing")
    await refused(STATUS, "fr", "Bonjour", 422, "unknown language fr")
    await refused(STATUS, "en", "Order {order_id} for {customer_name}.", 422, "{customer_name} is not filled in")
    await refused(STATUS, "en", "x" * 1001, 422, "at most 1000")
    await refused(STATUS, "en", "   ", 422, "empty")
    await refused(STATUS, "en", "Order {order_id} {oops", 422, "brace")
    assert (await app.http.put(f"{API}/{STATUS}/en", json={}, headers=admin)).status_code == 422  # text required
    assert (await app.http.get(f"{API}/utter_no_such_thing/history", headers=admin)).status_code == 404
    assert (await _put(app, admin, STATUS, "en", "{placed}" + "x" * 992)).status_code == 200  # 1,000 is fine
    async with app.rt.sessions() as session:
        history = await responses_service.history(session=session, response=STATUS)
    assert [e.language for e in history] == ["en"]  # nothing refused was kept


async def test_markup_is_kept_as_text(app: InProcessApp) -> None:
    admin = await _login(app)
    text = '<img src=x onerror="alert(1)"> Order {order_id} & <b>more</b>'
    assert (await _put(app, admin, STATUS, "en", text)).status_code == 200
    assert (await _listed(app, admin, STATUS))["en"]["edited"] == text


async def test_admins_only(app: InProcessApp) -> None:
    for agent in ("bob", "alice"):  # an agent, a supervisor
        headers = await _login(app, agent)
        assert (await app.http.get(API, headers=headers)).status_code == 403
        assert (await _put(app, headers, STATUS, "en", "Hi {order_id}")).status_code == 403
        assert (await app.http.get(f"{API}/{STATUS}/history", headers=headers)).status_code == 403
    assert (await app.http.get(API)).status_code == 401
    assert (await app.http.put(f"{API}/{STATUS}/en", json={"text": "Hi"})).status_code == 401
    async with app.rt.sessions() as session:
        assert await responses_service.history(session=session, response=STATUS) == []


async def test_the_workspace_domain_says_the_edits_and_bot_is_untouched(app: InProcessApp, tmp_path: Path) -> None:
    admin = await _login(app)
    bot_dir = app.rt.settings.bot_dir
    before = await asyncio.to_thread(_tree_hash, bot_dir)
    status_id = "Pesanan {order_id} ({items}) sudah kami terima. Tunggu konfirmasi pembayaran ya, Kak."
    offer_he = "להגיש בקשת החזר של {amount} עבור {order_id}?"
    restored = "Order {order_id}: restored later."
    for name, language, text in ((STATUS, "id", status_id), (OFFER, "he", offer_he), (STATUS, "en", restored),
                                 (STATUS, "en", None)):
        assert (await _put(app, admin, name, language, text)).status_code == 200
    async with app.rt.sessions() as session:
        edits = await responses_service.texts(session=session)
    assert edits == {(STATUS, "id"): status_id, (OFFER, "he"): offer_he}

    plain = await asyncio.to_thread(workspace.prepare, tmp_path / "plain", bot_dir, [])
    ws = await asyncio.to_thread(workspace.prepare, tmp_path / "ws", bot_dir, [], edits)
    assert _variant_text(ws.domain, STATUS, "id") == status_id
    assert _variant_text(ws.domain, OFFER, "he") == offer_he
    for name, language in ((STATUS, "en"), (STATUS, "he"), (OFFER, "en"), (OFFER, "id")):
        assert _variant_text(ws.domain, name, language) == _variant_text(bot_dir / "domain", name, language)
    offer = yaml.safe_load((ws.domain / "responses_billing.yml").read_text(encoding="utf-8"))["responses"][OFFER]
    assert all(v.get("buttons") for v in offer)  # the buttons are kept
    assert ws.data_hash != plain.data_hash
    assert await asyncio.to_thread(_tree_hash, bot_dir) == before


async def test_a_training_job_prepares_its_workspace_with_the_edits(app: InProcessApp, tmp_path: Path) -> None:
    """Through the job (its `rasa` refuses the data at once: the workspace is what is looked at)."""
    admin = await _login(app)
    text = "Pesanan {order_id} sedang menunggu pembayaran."
    assert (await _put(app, admin, STATUS, "id", text)).status_code == 200
    rasa = tmp_path / "rasa"
    rasa.write_text("#!/bin/sh\necho refused\nexit 1\n")
    rasa.chmod(0o755)
    settings = app.rt.settings
    settings.rasa_bin, settings.training_dir, settings.models_dir = str(rasa), tmp_path / "training", tmp_path / "m"
    job = await training_flows.start(app.rt, "dana")
    await training_flows.finished(job.id)
    domain = settings.training_dir / f"job-{job.id}" / "domain"
    assert _variant_text(domain, STATUS, "id") == text
    assert _variant_text(settings.bot_dir / "domain", STATUS, "id") != text
