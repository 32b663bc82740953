"""Training examples admins write themselves, in process (a fake bot behind the Bot port): written in
Rasa's inline form, redacted before they are stored (their entities moved with the text), edited and
deleted with every change kept, refused with a reason when they cannot be trained on, exported to the
training workspace beside the inbox's annotations, and for admins only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import yaml

from handoff.review import examples as review_examples
from handoff.training import workspace
from tests.app.conftest import InProcessApp

ROOT = Path(__file__).resolve().parents[2]


async def _headers(app: InProcessApp, agent_id: str = "dana") -> dict[str, str]:
    login = await app.http.post("/api/agent/login", json={"agent_id": agent_id, "password": f"{agent_id}-demo"})
    login.raise_for_status()
    return {"Authorization": f"Bearer {login.json()['token']}"}


async def test_add_edit_delete_with_redaction_and_history(app: InProcessApp, tmp_path: Path) -> None:
    admin = await _headers(app)

    async def add(**body: Any) -> httpx.Response:
        return await app.http.post("/api/admin/examples", json=body, headers=admin)

    made = await add(language="en", intent="cancel_order",
                     text="pls  cancel [10007](order_id), mail [jo.smith@example.org](email) or call 415-555-0134")
    assert made.status_code == 201, made.text
    example = made.json()
    # Redacted like the inbox: the customer's order, address and phone never stored.
    assert example["text"] == "pls cancel 19001, mail customer@example.com or call [phone]"
    assert example["marked"] == "pls cancel [19001](order_id), mail [customer@example.com](email) or call [phone]"
    assert example["created_by"] == "dana"

    for body, why in (
        ({"language": "fr", "intent": "greet", "text": "bonjour"}, "languages"),
        ({"language": "en", "intent": "greet", "text": "[hi](colour)"}, "not an entity"),
        ({"language": "en", "intent": "greet", "text": "x" * 501}, "characters"),
        ({"language": "en", "intent": "nlu_fallback", "text": "hm"}, "not an intent"),
        ({"language": "en", "intent": "Greet Me", "text": "hi"}, "intent"),
    ):
        resp = await add(**body)
        assert resp.status_code == 422 and why in resp.text, (body, resp.text)

    edited = await app.http.put(f"/api/admin/examples/{example['id']}", headers=admin, json={
        "language": "id", "intent": "cancel_order", "text": "batalin [10008](order_id) dong"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["marked"] == "batalin [19001](order_id) dong" and edited.json()["language"] == "id"
    other = (await add(language="he", intent="order_status", text="איפה ההזמנה שלי")).json()
    listed = (await app.http.get("/api/admin/examples", params={"language": "id"}, headers=admin)).json()
    assert [e["id"] for e in listed] == [example["id"]]

    assert (await app.http.delete(f"/api/admin/examples/{other['id']}", headers=admin)).status_code == 204
    assert (await app.http.delete(f"/api/admin/examples/{other['id']}", headers=admin)).status_code == 404
    assert [e["id"] for e in (await app.http.get("/api/admin/examples", headers=admin)).json()] == [example["id"]]
    history = (await app.http.get(f"/api/admin/examples/{example['id']}/history", headers=admin)).json()
    assert [(h["action"], h["admin_id"]) for h in history] == [("add", "dana"), ("edit", "dana")]
    assert history[0]["text"].startswith("pls cancel 19001")  # what it said then
    assert [h["action"] for h in (await app.http.get(f"/api/admin/examples/{other['id']}/history",
                                                     headers=admin)).json()] == ["add", "delete"]
    assert (await app.http.put("/api/admin/examples/999999", headers=admin,
                               json={"language": "en", "intent": "greet", "text": "hi"})).status_code == 404

    # The training workspace trains on them (never held out), with a domain entry for a new intent.
    await add(language="en", intent="gift_wrap", text="can u gift wrap it")
    async with app.rt.sessions() as session:
        own = await review_examples.listed(session=session)
    ws = workspace.prepare(tmp_path / "ws", ROOT / "bot", [], {}, own)
    data = {path.name: yaml.safe_load(path.read_text()) for path in (ws.data / "nlu").glob("examples_*.yml")}
    assert data["examples_id.yml"]["nlu"] == [{"intent": "cancel_order",
                                               "examples": "- batalin [19001](order_id) dong\n"}]
    assert data["examples_en.yml"]["nlu"] == [{"intent": "gift_wrap", "examples": "- can u gift wrap it\n"}]
    assert "gift_wrap" in (ws.domain / "reviewed_intents.yml").read_text()
    assert ws.examples == 2 and not list(ws.held_out.glob("examples_*"))


async def test_only_admins(app: InProcessApp) -> None:
    agent = await _headers(app, "bob")
    for method, path in (("GET", "/api/admin/examples"), ("POST", "/api/admin/examples"),
                         ("PUT", "/api/admin/examples/1"), ("DELETE", "/api/admin/examples/1"),
                         ("GET", "/api/admin/examples/1/history")):
        body = {"language": "en", "intent": "greet", "text": "hi"} if method in ("POST", "PUT") else None
        assert (await app.http.request(method, path, headers=agent, json=body)).status_code == 403, path
        assert (await app.http.request(method, path, json=body)).status_code == 401, path
