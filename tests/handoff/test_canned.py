"""Canned responses: placeholders filled from a handoff context (en, id, he), never evaluated, and a
missing value shown as a label; the service's CRUD and search on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.canned import placeholders
from handoff.canned import service as canned_service
from handoff.canned.schemas import CannedCreate, CannedUpdate
from handoff.clock import Clock

CONTEXT: dict[str, Any] = {
    "customer": {"customer_id": "C0003", "name": "Daniel Brown"},
    "slots": {"order_id": "10002"},
    "orders": [{"order_id": "10009", "tracking_number": "TRK000", "carrier": "DHL"},
               {"order_id": "10002", "tracking_number": "TRK9482730572", "carrier": "USPS"}],
    "problem": None,
}


def test_fills_name_order_and_tracking_in_each_language() -> None:
    en = placeholders.render("Hi {first_name} ({name}), order {order_id}: {tracking_number} with {carrier}. {agent}",
                             CONTEXT, language="en", agent="Bob")
    assert en == "Hi Daniel (Daniel Brown), order 10002: TRK9482730572 with USPS. Bob"
    sri = {**CONTEXT, "customer": {"name": "Sri Wijaya"}}
    assert placeholders.render("Halo Kak {first_name}, nomor resi {tracking_number}", sri, language="id") \
        == "Halo Kak Sri, nomor resi TRK9482730572"
    tamar = {**CONTEXT, "customer": {"name": "תמר מזרחי"}}
    assert placeholders.render("שלום {first_name}, ההזמנה {order_id}", tamar, language="he") \
        == "שלום תמר, ההזמנה 10002"


def test_the_problem_order_wins_over_the_slot() -> None:
    context = {**CONTEXT, "problem": {"kind": "damaged_item", "order_id": "10009", "invoice_id": None}}
    assert placeholders.render("{order_id} {tracking_number} {carrier}", context) == "10009 TRK000 DHL"


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "Hi [first name], order [order number], tracking [tracking number], [agent name]"),
    ("id", "Hi [nama depan], order [nomor pesanan], tracking [nomor resi], [nama agen]"),
    ("he", "Hi [שם פרטי], order [מספר הזמנה], tracking [מספר מעקב], [שם הנציג]"),
    ("xx", "Hi [first name], order [order number], tracking [tracking number], [agent name]"),
])
def test_missing_values_stay_visible_as_labels(language: str, expected: str) -> None:
    text = "Hi {first_name}, order {order_id}, tracking {tracking_number}, {agent}"
    assert placeholders.render(text, None, language=language) == expected
    assert placeholders.render(text, {"customer": None, "orders": "junk", "slots": []}, language=language) == expected


def test_an_invoice_id_in_the_order_slot_means_its_order() -> None:
    context = {**CONTEXT, "slots": {"order_id": "INV-202600009"},
               "invoices": [{"invoice_id": "INV-202600009", "order_id": "10009"}]}
    assert placeholders.render("{order_id} {tracking_number}", context) == "10009 TRK000"


def test_an_order_without_tracking_keeps_the_label() -> None:
    context = {**CONTEXT, "slots": {"order_id": "10077"}}
    assert placeholders.render("{order_id}: {tracking_number}", context) == "10077: [tracking number]"


@pytest.mark.parametrize(("text", "expected"), [
    ("{0.__class__}", "[0.__class__]"),
    ("{name.__class__.__init__.__globals__}", "[name.__class__.__init__.__globals__]"),
    ("{name[0]}", "[name[0]]"),
    ("{name!r}", "Daniel Brown"),
    ("{name:>40}", "Daniel Brown"),
    ("{name:{order_id}}", "Daniel Brown"),
    ("{unknown}", "[unknown]"),
    ("{}", "{}"),
    ("{", "{"),
    ("}", "}"),
    ("a { b } c {name", "a [b] c {name"),
    ("price {{not a placeholder}} for {name}", "price {not a placeholder} for Daniel Brown"),
    ("stray } then {first_name} and {", "stray } then Daniel and {"),
    ("{{", "{"),
])
def test_braces_and_format_specs_never_crash_nor_leak(text: str, expected: str) -> None:
    out = placeholders.render(text, CONTEXT)
    assert out == expected
    assert "<class" not in out and "function" not in out and "'" not in out


def test_fields_lists_the_placeholders() -> None:
    assert placeholders.fields("Hi {first_name}, {order_id} {x!r}") == ["first_name", "order_id", "x"]
    assert placeholders.fields("{ unclosed") == []


def _body(shortcut: str, language: str = "en", title: str = "Where is my order",
          text: str = "Your order {order_id} ships with {carrier}.") -> CannedCreate:
    return CannedCreate(shortcut=shortcut, language=language, title=title, text=text)


def test_the_schema_checks_shortcut_language_and_length() -> None:
    for bad in ({"shortcut": "Where"}, {"shortcut": "-x"}, {"shortcut": "a" * 41}, {"shortcut": "a b"},
                {"language": "fr"}, {"title": "  "}, {"text": ""}, {"text": "x" * 2001}, {"extra": 1}):
        with pytest.raises(ValidationError):
            CannedCreate.model_validate({"shortcut": "ok", "language": "en", "title": "t", "text": "x", **bad})
    assert _body(" where-is-order ").shortcut == "where-is-order"
    with pytest.raises(ValidationError):
        CannedUpdate.model_validate({"language": "fr"})


async def test_create_search_update_delete(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
    async with sessions() as session:
        where = await canned_service.create(session=session, body=_body("where-is-order"), agent_id="dana",
                                            clock=clock)
        await canned_service.create(session=session, body=_body("where-is-order", "id", "Di mana pesanan",
                                                                "Pesanan {order_id} dikirim."),
                                    agent_id="dana", clock=clock)
        await canned_service.create(session=session, body=_body("refund", title="Refund issued",
                                                                text="We have issued the refund for WHERE-ever."),
                                    agent_id="dana", clock=clock)
        await canned_service.create(session=session, body=_body("greeting", title="Hello 100%_done",
                                                                text="Hi {first_name}"),
                                    agent_id=None, clock=clock)
        assert where.id and where.updated_by == "dana" and where.updated_at is not None

    async with sessions() as session:
        en = await canned_service.search(session=session, language="en")
        assert [r.shortcut for r in en] == ["greeting", "refund", "where-is-order"]
        # A shortcut's start first (a leading "/" as typed in the console), then title or text, any case.
        found = await canned_service.search(session=session, language="en", query="/WHE")
        assert [r.shortcut for r in found] == ["where-is-order", "refund"]
        assert [r.shortcut for r in await canned_service.search(session=session, language="en",
                                                                  query="issued")] == ["refund"]
        assert [r.language for r in await canned_service.search(session=session, query="where-is")] == ["en", "id"]
        assert [r.shortcut for r in await canned_service.search(session=session, query="0%_")] == ["greeting"]
        assert await canned_service.search(session=session, query="1_0") == []  # "_" is no wildcard
        assert await canned_service.search(session=session, language="he") == []

        changed = await canned_service.update(session=session, canned_id=where.id,
                                              body=CannedUpdate(title="Order status", shortcut="order-status"),
                                              agent_id="erin", clock=clock)
        assert changed is not None
        assert (changed.shortcut, changed.title, changed.updated_by) == ("order-status", "Order status", "erin")
        assert changed.text == "Your order {order_id} ships with {carrier}."
        assert await canned_service.update(session=session, canned_id=999_999, body=CannedUpdate(title="x"),
                                           agent_id="erin", clock=clock) is None

    async with sessions() as session:
        fetched = await canned_service.get(session=session, canned_id=where.id)
        assert fetched is not None and fetched.shortcut == "order-status"
        assert await canned_service.delete(session=session, canned_id=where.id)
        assert not await canned_service.delete(session=session, canned_id=where.id)
        assert await canned_service.get(session=session, canned_id=where.id) is None


async def test_a_shortcut_once_per_language(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
    async with sessions() as session:
        first = await canned_service.create(session=session, body=_body("closing"), agent_id="dana", clock=clock)
        await canned_service.create(session=session, body=_body("closing", "he"), agent_id="dana", clock=clock)
        with pytest.raises(canned_service.ShortcutTaken):
            await canned_service.create(session=session, body=_body("closing"), agent_id="dana", clock=clock)
        other = await canned_service.create(session=session, body=_body("bye"), agent_id="dana", clock=clock)
        with pytest.raises(canned_service.ShortcutTaken):
            await canned_service.update(session=session, canned_id=other.id, body=CannedUpdate(shortcut="closing"),
                                        agent_id="dana", clock=clock)
        # Unchanged shortcut and language: not a clash with itself.
        same = await canned_service.update(session=session, canned_id=first.id,
                                           body=CannedUpdate(shortcut="closing", language="en", title="Bye"),
                                           agent_id="dana", clock=clock)
        assert same is not None and same.title == "Bye"
    async with sessions() as session:
        assert [r.language for r in await canned_service.search(session=session, query="closing")] == ["en", "he"]
        kept = await canned_service.get(session=session, canned_id=other.id)
        assert kept is not None and kept.shortcut == "bye"
        he = await canned_service.by_shortcut(session=session, shortcut="closing", language="he")
        assert he is not None and he.language == "he"
        assert await canned_service.by_shortcut(session=session, shortcut="closing", language="id") is None


async def test_the_demo_seed_loads_once(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
    async with sessions() as session:
        added = await canned_service.seed(session=session, clock=clock)
        assert added >= 24
        assert await canned_service.seed(session=session, clock=clock) == 0
        for language in ("en", "id", "he"):
            rows = await canned_service.search(session=session, language=language)
            shortcuts = {r.shortcut for r in rows}
            assert {"greeting", "where-is-order", "refund-issued", "damaged-apology", "need-photo", "missing-item",
                    "closing", "wait-a-moment"} <= shortcuts
            where = next(r for r in rows if r.shortcut == "where-is-order")
            assert {"order_id", "tracking_number"} <= set(placeholders.fields(where.text))
            assert all(set(placeholders.fields(r.text)) <= set(placeholders.PLACEHOLDERS) for r in rows)
