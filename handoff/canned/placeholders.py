"""Fills a canned response's placeholders ({name}, {order_id}, ...) from a handoff context.

Only the names in PLACEHOLDERS are ever filled, with plain strings: no attribute or index lookup,
no conversion, no format spec (`{0.__class__}`, `{name!r}` and `{name:>999999}` are never
evaluated). A placeholder with no value, or one we do not know, stays visible as a bracketed label
in the message's language ("[order number]") for the agent to fill in by hand. Stray braces are
kept as typed.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from typing import Any

PLACEHOLDERS = ("name", "first_name", "order_id", "tracking_number", "carrier", "agent")

# What an unfilled placeholder shows, per language (English for a language without labels).
LABELS: dict[str, dict[str, str]] = {
    "en": {"name": "customer name", "first_name": "first name", "order_id": "order number",
           "tracking_number": "tracking number", "carrier": "carrier", "agent": "agent name"},
    "id": {"name": "nama pelanggan", "first_name": "nama depan", "order_id": "nomor pesanan",
           "tracking_number": "nomor resi", "carrier": "kurir", "agent": "nama agen"},
    "he": {"name": "שם הלקוח", "first_name": "שם פרטי", "order_id": "מספר הזמנה",
           "tracking_number": "מספר מעקב", "carrier": "חברת השילוח", "agent": "שם הנציג"},
}

# The tolerant reading used when string.Formatter refuses the text (a single "{" or "}"):
# "{{" and "}}" are escapes, "{...}" without braces inside is a field, anything else is literal.
_TOLERANT = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def values(context: Mapping[str, Any] | None, *, agent: str | None = None) -> dict[str, str]:
    """The placeholders' values the context knows (missing ones are left out)."""
    context = context or {}
    customer = _mapping(context.get("customer"))
    problem = _mapping(context.get("problem"))
    slots = _mapping(context.get("slots"))
    out: dict[str, str] = {}
    name = _text(customer.get("name"))
    if name:
        out["name"] = name
        out["first_name"] = name.split()[0]
    # The order the handoff is about: the problem's, else the one the bot understood.
    order_id = _text(problem.get("order_id")) or _text(slots.get("order_id"))
    # The order slot holds an invoice id until the bot's form resolves it: that invoice's order.
    invoices = context.get("invoices")
    order_id = next((_text(_mapping(i).get("order_id")) for i in (invoices if isinstance(invoices, list) else [])
                     if order_id and _text(_mapping(i).get("invoice_id")) == order_id), None) or order_id
    if order_id:
        out["order_id"] = order_id
        orders = context.get("orders")
        order = next((_mapping(o) for o in (orders if isinstance(orders, list) else [])
                      if _text(_mapping(o).get("order_id")) == order_id), {})
        for key in ("tracking_number", "carrier"):
            if _text(order.get(key)):
                out[key] = _text(order.get(key))
    if _text(agent):
        out["agent"] = _text(agent)
    return out


def render(text: str, context: Mapping[str, Any] | None, *, language: str = "en", agent: str | None = None) -> str:
    """`text` with its placeholders filled from `context` (a handoff context dict) and `agent`."""
    known = values(context, agent=agent)
    labels = LABELS.get(language, LABELS["en"])
    out: list[str] = []
    for literal, field in _pieces(text):
        out.append(literal)
        if field is None:
            continue
        name = _field_name(field)
        if not name:  # "{}" names nothing: kept as typed
            out.append("{" + field + "}")
        else:
            out.append(known.get(name) or f"[{labels.get(name, name)}]")
    return "".join(out)


def fields(text: str) -> list[str]:
    """The placeholder names used in `text`, in order (e.g. to show an admin what will be filled)."""
    return [_field_name(f) for _, f in _pieces(text) if f is not None]


def _pieces(text: str) -> Iterator[tuple[str, str | None]]:
    """(literal text, field or None) pairs; the field as written between the braces."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:  # a single brace: read it the tolerant way rather than refuse the text
        yield from _tolerant(text)
        return
    for literal, field_name, spec, conversion in parsed:
        if field_name is None:
            yield literal, None
        else:
            yield literal, field_name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")


def _tolerant(text: str) -> Iterator[tuple[str, str | None]]:
    start = 0
    for match in _TOLERANT.finditer(text):
        literal = text[start:match.start()]
        start = match.end()
        if match.group(1) is None:
            yield literal + match.group(0)[0], None  # "{{" -> "{", "}}" -> "}"
        else:
            yield literal, match.group(1)
    yield text[start:], None


def _field_name(field: str) -> str:
    """The name a field refers to: "name!r" and "name:>9" are still {name} (conversion and spec are
    ignored); anything with a lookup ("0.__class__", "name[0]") is not a placeholder and is kept whole."""
    return re.split(r"[!:]", field, maxsplit=1)[0].strip()


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str:
    return str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
