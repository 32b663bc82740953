"""The admins' review inbox in process (a fake bot behind the Bot port): what the bot fell back on or
was unsure about is recorded, redacted, grouped by e5 neighbourhood; admins annotate, dismiss and
export it as Rasa data; nobody else may see it."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import yaml

from handoff.review import flows as review_flows
from tests.app.conftest import InProcessApp

UNSURE = "my parcel went to 12 Baker Street, mail me at jo.smith@example.org"
LOST = "blorp the flibbertigibbet"
FINE = "where is my order"


async def _admin(app: InProcessApp, agent_id: str = "dana", password: str = "dana-demo") -> dict[str, str]:
    login = await app.http.post("/api/agent/login", json={"agent_id": agent_id, "password": password})
    login.raise_for_status()
    return {"Authorization": f"Bearer {login.json()['token']}"}


async def _conversation(app: InProcessApp, *texts: str) -> str:
    cid, token = await app.start_conversation()
    socket = await app.customer_socket(cid, token)
    for text in texts:
        await socket.send({"type": "message", "client_msg_id": uuid.uuid4().hex, "text": text})
        ack = await socket.wait_for(lambda f: f["type"] == "ack")
        seq = ack["seq"]
        await socket.wait_for(lambda f, seq=seq: f["type"] == "turn" and f["state"] == "done" and f["seq"] == seq)
        socket.frames.clear()
    await socket.close()
    await review_flows.settled()
    return cid


async def _inbox(app: InProcessApp, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    resp = await app.http.get("/api/admin/review", params=params, headers=headers)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def _items(inbox: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for group in inbox["groups"] for item in group["items"]]


async def test_fallbacks_and_unsure_turns_are_in_the_inbox_redacted(app: InProcessApp) -> None:
    app.bot.readings = {UNSURE: ("order_status", 0.41), LOST: ("nlu_fallback", 0.95), FINE: ("order_status", 0.97)}
    cid = await _conversation(app, FINE, UNSURE, LOST)
    admin = await _admin(app)
    items = {i["seq"]: i for i in _items(await _inbox(app, admin)) if i["conversation_id"] == cid}
    assert sorted(items) == [3, 5]  # the unsure and the fallen-back messages; not the confident one
    unsure, lost = items[3], items[5]
    assert unsure["reasons"] == ["low_confidence"] and unsure["intent"] == "order_status"
    assert unsure["confidence"] == 0.41 and unsure["runner_up"] == "greet"
    assert lost["reasons"] == ["fallback"]
    assert "jo.smith@example.org" not in unsure["text"] and "Baker" not in unsure["text"]
    assert "parcel" in unsure["text"]  # the words that matter stay
    assert lost["text"] == LOST


async def test_filters_and_groups(app: InProcessApp) -> None:
    app.bot.readings = {"zzz one": ("nlu_fallback", 0.9), "zzz two": ("nlu_fallback", 0.8),
                        "qqq": ("order_status", 0.2)}
    await _conversation(app, "zzz one", "zzz two", "qqq")
    admin = await _admin(app)
    fallback = _items(await _inbox(app, admin, reason="fallback"))
    assert {i["text"] for i in fallback} >= {"zzz one", "zzz two"} and "qqq" not in {i["text"] for i in fallback}
    groups = (await _inbox(app, admin, intent="nlu_fallback"))["groups"]
    together = [g for g in groups if {"zzz one", "zzz two"} <= {i["text"] for i in g["items"]}]
    assert together, groups  # same neighbourhood, one group
    assert _items(await _inbox(app, admin, language="he")) == []
    assert (await app.http.get("/api/admin/review", params={"reason": "bogus"}, headers=admin)).status_code == 422


async def test_annotate_dismiss_reopen_with_history_and_export(app: InProcessApp, tmp_path: Any) -> None:
    app.rt.settings.review_export_dir = tmp_path
    app.bot.readings = {"refnd plz": ("greet", 0.3), "asdf test": ("nlu_fallback", 0.9)}
    await _conversation(app, "refnd plz", "asdf test")
    admin = await _admin(app)
    items = {i["text"]: i for i in _items(await _inbox(app, admin))}
    refund, noise = items["refnd plz"], items["asdf test"]

    async def decide(**body: Any) -> httpx.Response:
        return await app.http.post("/api/admin/review/decisions", json=body, headers=admin)

    assert (await decide(item_ids=[refund["id"]], action="annotate")).status_code == 422  # no intent
    assert (await decide(item_ids=[refund["id"]], action="annotate", intent="Bad Intent!")).status_code == 422
    assert (await decide(item_ids=[refund["id"]], action="annotate", intent="nlu_fallback")).status_code == 422
    done = await decide(item_ids=[refund["id"], 999_999], action="annotate", intent="request_refund")
    assert done.status_code == 200 and [i["id"] for i in done.json()] == [refund["id"]]  # unknown ids skipped
    assert done.json()[0]["annotated_by"] == "dana" and done.json()[0]["status"] == "annotated"
    assert (await decide(item_ids=[noise["id"]], action="dismiss")).status_code == 200
    open_texts = {i["text"] for i in _items(await _inbox(app, admin))}
    assert not open_texts & {"refnd plz", "asdf test"}
    annotated = _items(await _inbox(app, admin, status="annotated"))
    assert [i["annotated_intent"] for i in annotated if i["id"] == refund["id"]] == ["request_refund"]
    everything = await _inbox(app, admin, status="all")
    assert {refund["id"], noise["id"]} <= {i["id"] for i in _items(everything)}
    assert everything["total"] == everything["count"] == len(_items(everything))
    meta = (await app.http.get("/api/meta")).json()
    assert set(meta["review_reasons"]) == {"fallback", "low_confidence", "not_understood", "assist_rejected",
                                           "low_csat"}

    await decide(item_ids=[refund["id"]], action="reopen")
    await decide(item_ids=[refund["id"]], action="annotate", intent="refund_status")
    history = (await app.http.get(f"/api/admin/review/{refund['id']}/history", headers=admin)).json()
    assert [(h["action"], h["intent"], h["admin_id"]) for h in history] == [
        ("annotate", "request_refund", "dana"), ("reopen", None, "dana"), ("annotate", "refund_status", "dana")]

    exported = await app.http.post("/api/admin/review/export", headers=admin)
    assert exported.status_code == 200, exported.text
    assert [(f["language"], f["examples"]) for f in exported.json()] == [("en", 1)]
    data = yaml.safe_load((tmp_path / "reviewed_en.yml").read_text())
    assert data["nlu"] == [{"intent": "refund_status", "examples": "- refnd plz\n"}]


async def test_only_admins(app: InProcessApp) -> None:
    agent = await _admin(app, "bob", "bob-demo")
    for method, path in (("GET", "/api/admin/review"), ("GET", "/api/admin/review/intents"),
                         ("GET", "/api/admin/review/entities"), ("PUT", "/api/admin/review/1/entities"),
                         ("POST", "/api/admin/review/export"), ("GET", "/api/admin/review/1/history")):
        assert (await app.http.request(method, path, headers=agent)).status_code == 403, path
        assert (await app.http.request(method, path)).status_code == 401, path
    resp = await app.http.post("/api/admin/review/decisions", headers=agent,
                               json={"item_ids": [1], "action": "dismiss"})
    assert resp.status_code == 403


async def test_entities_read_from_the_redacted_text_corrected_and_exported(app: InProcessApp, tmp_path: Any) -> None:
    """The live model's entities are found in the redacted text (the synthetic order number, not the
    customer's); an admin corrects them, every change is kept, and the export writes [value](entity)."""
    app.rt.settings.review_export_dir = tmp_path
    text = "cancel 10007 pls, and 10042 too, mail jo@example.org"
    app.bot.readings = {text: ("greet", 0.3)}
    await _conversation(app, text)
    admin = await _admin(app)
    item = next(i for i in _items(await _inbox(app, admin)) if "cancel" in i["text"])
    redacted = item["text"]
    assert "10007" not in redacted and "19001" in redacted and "19002" in redacted
    found = [(redacted[e["start"]:e["end"]], e["entity"]) for e in item["entities"]]
    assert found == [("19001", "order_id"), ("19002", "order_id")]  # what the model found, at its offsets

    def span(value: str, entity: str) -> dict[str, Any]:
        start = redacted.index(value)
        return {"start": start, "end": start + len(value), "entity": entity}

    async def put(*spans: dict[str, Any]) -> httpx.Response:
        return await app.http.put(f"/api/admin/review/{item['id']}/entities", json={"entities": list(spans)},
                                  headers=admin)

    email = span("customer@example.com", "email")
    for bad, why in (([span("19001", "colour")], "not an entity"),
                     ([{"start": 0, "end": len(redacted) + 1, "entity": "email"}], "not within"),
                     ([span("19001", "order_id"), {**span("19001", "email"), "end": span("19001", "email")["end"] + 4}],
                      "overlaps"),
                     ([{**span("19001", "order_id"), "start": span("19001", "order_id")["start"] - 1}], "space")):
        resp = await put(*bad)
        assert resp.status_code == 422 and why in resp.text, resp.text
    assert (await put(*[email] * 21)).status_code == 422  # bounded
    assert (await app.http.put("/api/admin/review/999999/entities", json={"entities": []},
                               headers=admin)).status_code == 404
    assert (await app.http.get("/api/admin/review/entities", headers=admin)).json() == ["email", "order_id"]

    done = await put(email, span("19001", "order_id"))  # 19002 was not an order: the admin drops it
    assert done.status_code == 200, done.text
    assert [(e["entity"], e["start"]) for e in done.json()["entities"]] == [
        ("order_id", redacted.index("19001")), ("email", redacted.index("customer@"))]  # sorted by offset
    await app.http.post("/api/admin/review/decisions", headers=admin,
                        json={"item_ids": [item["id"]], "action": "annotate", "intent": "cancel_order"})
    history = (await app.http.get(f"/api/admin/review/{item['id']}/history", headers=admin)).json()
    assert [(h["action"], len(h["entities"] or [])) for h in history] == [("entities", 2), ("annotate", 0)]

    await app.http.post("/api/admin/review/export", headers=admin)
    data = yaml.safe_load((tmp_path / "reviewed_en.yml").read_text())
    assert data["nlu"] == [{"intent": "cancel_order", "examples": (
        "- cancel [19001](order_id) pls, and 19002 too, mail [customer@example.com](email)\n")}]
