"""Entity spans on a review item's redacted text: read from the live model's parse, checked when an
admin corrects them, and written in Rasa's training format (``[19001](order_id)``).

A span is ``{"start": int, "end": int, "entity": str}`` with offsets in the redacted text, the only
text stored. Spans are kept sorted and never overlap: Rasa's Markdown-like format cannot nest them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any, TypedDict

from handoff.review.redaction import Redacted

MAX_SPANS = 20
# A span's text is written between "[" and "]": a bracket inside would end it early or start another.
_FORBIDDEN = frozenset("[]")


class Span(TypedDict):
    start: int
    end: int
    entity: str


class BadSpans(ValueError):
    """Spans that cannot be trained on; the message says which and why (shown to the admin)."""


def _span(raw: Mapping[str, Any]) -> Span:
    return Span(start=int(raw["start"]), end=int(raw["end"]), entity=str(raw["entity"]))


def check(text: str, spans: Iterable[Mapping[str, Any]], known: Collection[str]) -> list[Span]:
    """The spans, sorted, if every one is trainable on `text`; BadSpans otherwise."""
    result = sorted(map(_span, spans), key=lambda s: (s["start"], s["end"]))
    if len(result) > MAX_SPANS:
        raise BadSpans(f"at most {MAX_SPANS} entities per message")
    previous_end = 0
    for span in result:
        start, end, entity = span["start"], span["end"], span["entity"]
        if not 0 <= start < end <= len(text):
            raise BadSpans(f"{start}..{end} is not within the message ({len(text)} characters)")
        value = text[start:end]
        if value != value.strip():
            raise BadSpans(f"{value!r} starts or ends with a space")
        if _FORBIDDEN & set(value):
            raise BadSpans(f"{value!r} contains a bracket")
        if start < previous_end:
            raise BadSpans(f"{value!r} overlaps another entity")
        if entity not in known:
            raise BadSpans(f"{entity} is not an entity of the assistant")
        previous_end = end
    return result


def from_parse(text: str, parse: Mapping[str, Any]) -> list[Span]:
    """The entities Rasa found in `text` (its parse of that very text), as trainable spans; those that
    are not (overlapping finds of two extractors, a span with a bracket) are left for the admin."""
    kept: list[Span] = []
    for found in sorted(parse.get("entities") or [], key=lambda e: (e.get("start", 0), e.get("end", 0))):
        try:
            candidate = _span(found)
            # Names the model itself found are known to it.
            kept = check(text, [*kept, candidate], {candidate["entity"], *(s["entity"] for s in kept)})
        except (KeyError, TypeError, ValueError):
            continue
    return kept


def marked(text: str, spans: Iterable[Mapping[str, Any]]) -> str:
    """`text` with each span written as ``[value](entity)``, Rasa's training format."""
    pieces, cursor = [], 0
    for span in sorted(spans, key=lambda s: s["start"]):
        pieces += [text[cursor : span["start"]], f"[{text[span['start'] : span['end']]}]({span['entity']})"]
        cursor = span["end"]
    pieces.append(text[cursor:])
    return "".join(pieces)


# Rasa's inline annotation, as an admin writes an example: "cancel [10007](order_id) please".
_MARKUP = re.compile(r"\[([^\[\]]+)\]\(([a-z][a-z0-9_]{1,63})\)")


def unmarked(text: str) -> tuple[str, list[Span]]:
    """An example in Rasa's inline form -> its plain text and spans (not yet checked)."""
    plain: list[str] = []
    spans: list[Span] = []
    cursor = length = 0
    for match in _MARKUP.finditer(text):
        before = text[cursor : match.start()]
        plain.append(before)
        length += len(before)
        spans.append(Span(start=length, end=length + len(match.group(1)), entity=match.group(2)))
        plain.append(match.group(1))
        length += len(match.group(1))
        cursor = match.end()
    plain.append(text[cursor:])
    return "".join(plain), spans


def through_redaction(spans: Iterable[Span], redacted: Redacted) -> list[Span]:
    """Spans over the original text moved onto the redacted one: a span holding a replaced value
    holds its replacement ("[jo@x.org](email)" -> "[customer@example.com](email)"), and a span
    edge inside a replaced value widens to the whole replacement."""
    findings = sorted(redacted.found, key=lambda f: f.start)

    def moved(offset: int, *, closing: bool) -> int:
        shift = 0
        for found in findings:
            if found.end <= offset:  # wholly before the edge
                shift += len(found.replacement) - (found.end - found.start)
            elif found.start < offset:  # the edge is inside a replaced value
                return found.start + shift + (len(found.replacement) if closing else 0)
            else:
                break
        return offset + shift

    return [Span(start=moved(s["start"], closing=False), end=moved(s["end"], closing=True), entity=s["entity"])
            for s in spans]
