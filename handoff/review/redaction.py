"""Redaction of personal data before a customer message is shown for review or exported as NLU data.

`redact(text, language)` returns the message with every personal value replaced, and where each
was (kind and span in the original text; never the value itself, so a `Redacted` can be logged).

What becomes what, and why:

- Values the assistant extracts as entities (bot/data/regex.yml) become synthetic values of the
  same shape, so the example still teaches "order 10007"-like wording and the regex extractor
  still finds the entity; the same holds for the shop's other ids, which may become entities:

  ========================  =====================  ==========================================
  kind                      real (data/demo-store) replacement (n-th distinct value, n = 1..)
  ========================  =====================  ==========================================
  ``order_id``              10001-10200            19001, 19002, ... (19000 + n)
  ``invoice_id``            INV-202600001          INV-209900001, ... (year 2099)
  ``subscription_id``       SUB-0001               SUB-9001, ...
  ``customer_id``           C0001                  C9001, ...
  ``return_id``             RET-00013              RET-90001, ...
  ``tracking_number``       TRK3056683179          TRK9000000001, ...
  ``email``                 customer0001@...       customer@example.com, customer2@example.com
  ========================  =====================  ==========================================

  The ranges are reserved: no real id is in them, so a reviewer (or a later lookup) can never
  mistake a placeholder for a customer's order. Numbering is per message in order of first
  appearance, so "10007 ... 10007 and 10008" keeps saying "the same order twice, then another"
  (19001, 19001, 19002), and nothing about the real value (not even a hash: 5-digit ids are
  easily reversed) is kept.
- Everything without an entity in the assistant becomes a tag naming its kind: ``[name]``,
  ``[phone]``, ``[address]``, ``[postcode]``, ``[card]``, ``[account]`` (IBAN or bank account),
  ``[url]`` (links with a path or query; a bare domain such as "tokopedia.com" stays) and
  ``[handle]`` (@social). A tag can never be a real person's data and reads clearly in the review
  inbox. A tag is never left right before "(", "[" or "{", where Rasa's training format would read
  ``[name](...)`` as an entity annotation: a space is put in between.

Numbers that are not personal stay: prices ("$19.99", "Rp 150.000", "15000 rupiah"), quantities,
dates, product names and SKUs ("USB-C charger", "SKU-1002"). A bare number shaped like an order id
(1xxxx, as the assistant's own regex reads it) counts as one unless money or a unit is next to it.

Which rule finds what: phone numbers through `phonenumbers` (Google's numbering metadata: valid US,
Indonesian and Israeli numbers in any format, all three regions tried since messages mix) plus our
own rules for what it rejects (numbers after a cue such as "wa ke" or "טלפון", fictional or mistyped
local mobiles); e-mails, URLs, cards (Luhn), IBANs, bank accounts and the shop's ids by the patterns
below; names and addresses by the cue words in `handoff.review.cues`. scrubadub was tried and left
out: its card rule takes no spaces or dashes and no Luhn check, its URL rule needs "http" or "www.",
its e-mail rule misses an address glued to a Hebrew prefix ("לdana@walla.co.il"), its phone rule is
phonenumbers for one region, and it brings scikit-learn, NLTK and TextBlob along.
All rules run on every message, whatever `language` says (customers mix languages); `language` only
enables the weak name cues of that language ("I'm Sarah", "saya Budi"). Overlapping finds merge, the
longest deciding the kind, and passes repeat until nothing changes, so redacting twice is a no-op.

Known gaps: a name with no cue that is not a known customer ("Dana said it's fine"); a street
without a house number; Hebrew addresses without a street word unless a city follows; obfuscated
e-mails other than "(at)"/"[at]"; numbers spelled out in words ("oh eight one two ...").
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

from handoff.language import LANGUAGES
from handoff.review import detectors
from handoff.review.detectors import Candidate, Kind


@dataclass(frozen=True)
class Finding:
    """One replaced value: its kind, its span in the original text and what now stands there."""

    kind: Kind
    start: int
    end: int
    replacement: str


@dataclass(frozen=True)
class Redacted:
    """The redacted text and what was replaced in it, in text order."""

    text: str
    found: tuple[Finding, ...]


def _capped(base: int, top: int) -> Callable[[int], int]:
    # More distinct values than the range holds (only in generated text) share its last value.
    return lambda n: base + min(n, top)


_ORDER_N, _SUB_N, _RET_N = _capped(19000, 999), _capped(9000, 999), _capped(90000, 9999)
SYNTHETIC: dict[Kind, Callable[[int], str]] = {
    Kind.ORDER_ID: lambda n: str(_ORDER_N(n)),
    Kind.INVOICE_ID: lambda n: f"INV-2099{min(n, 99999):05d}",
    Kind.SUBSCRIPTION_ID: lambda n: f"SUB-{_SUB_N(n)}",
    Kind.CUSTOMER_ID: lambda n: f"C{_SUB_N(n)}",
    Kind.RETURN_ID: lambda n: f"RET-{_RET_N(n)}",
    Kind.TRACKING_NUMBER: lambda n: f"TRK{9_000_000_000 + n}",
    Kind.EMAIL: lambda n: "customer@example.com" if n == 1 else f"customer{n}@example.com",
}

# Ties between spans of equal length go to the kind listed first.
_RANK = {kind: rank for rank, kind in enumerate(Kind)}
_RANK.update({Kind.CARD: -3, Kind.ACCOUNT: -2, Kind.URL: -1})

def redact(text: str, language: str, *, known_names: Collection[str] = ()) -> Redacted:
    """`text` with its personal values replaced (see the module docstring for the scheme).

    `known_names` are the shop's customers' names ("Sri Wijaya", "תמר מזרחי"): their first and last
    names are redacted wherever they stand, not only after a cue.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    if isinstance(known_names, str):  # a lone name is a Collection[str] of its letters
        known_names = (known_names,)
    pieces = [_Piece(0, len(text), text, None)] if text else []
    current = text
    # A replacement can change what a rule sees next to it (a shorter number, a cue now followed by a
    # placeholder), so passes repeat until the text no longer changes: redacting the result again is
    # then a no-op by construction.
    for done in range(_MAX_PASSES):
        replacements = _replacements(current, _resolve(detectors.candidates(current, language, known_names)))
        if done and all(current[start:end] == new for start, end, _, new in replacements):
            break
        pieces = _apply(pieces, replacements)
        current = "".join(piece.text for piece in pieces)
    found = tuple(Finding(p.kind, p.start, p.end, p.text) for p in pieces if p.kind is not None)
    return Redacted(current, found)


def _resolve(candidates: Iterator[Candidate]) -> list[Candidate]:
    """Non-overlapping spans in text order: the longest find wins; partial overlaps are merged, since
    keeping either half would leave part of a value in the text."""
    chosen: list[Candidate] = []
    for start, end, kind in sorted(set(candidates), key=lambda c: (c[0] - c[1], _RANK[c[2]], c[0])):
        if end > start and not any(s <= start and end <= e for s, e, _ in chosen):
            chosen.append((start, end, kind))
    merged: list[Candidate] = []
    for start, end, kind in sorted(chosen):
        if merged and start < merged[-1][1]:
            previous_start, previous_end, previous_kind = merged[-1]
            longer = previous_kind if previous_end - previous_start >= end - start else kind
            merged[-1] = (previous_start, max(previous_end, end), longer)
        else:
            merged.append((start, end, kind))
    return merged


def _replacements(text: str, spans: list[Candidate]) -> list[tuple[int, int, Kind, str]]:
    numbers: dict[Kind, dict[str, int]] = {}
    replacements = []
    for start, end, kind in spans:
        if kind in SYNTHETIC:
            value = text[start:end]
            key = value.lower() if kind is Kind.EMAIL else re.sub(r"[^0-9]", "", value)
            seen = numbers.setdefault(kind, {})
            replacement = SYNTHETIC[kind](seen.setdefault(key, len(seen) + 1))
        else:
            replacement = f"[{kind.value}]"
            if text[end : end + 1] in ("(", "[", "{"):
                replacement += " "
        replacements.append((start, end, kind, replacement))
    return replacements


_MAX_PASSES = 6


@dataclass(frozen=True)
class _Piece:
    """A stretch of the redacted text and the stretch of the original it stands for."""

    start: int
    end: int
    text: str
    kind: Kind | None  # None: original text, unchanged


def _apply(pieces: list[_Piece], replacements: list[tuple[int, int, Kind, str]]) -> list[_Piece]:
    """The pieces after one pass's replacements (given in the current text's offsets)."""
    starts = list(itertools.accumulate((len(p.text) for p in pieces), initial=0))

    def at(offset: int) -> int:
        return bisect.bisect_right(starts, offset) - 1

    # A replacement touching part of an earlier placeholder takes all of it (its original span is one
    # value); replacements that meet in one placeholder become one region.
    regions: list[tuple[int, int, list[tuple[int, int, Kind, str]]]] = []
    for start, end, kind, new in replacements:
        first, last = at(start), at(end - 1)
        begin = starts[first] if pieces[first].kind else start
        finish = starts[last + 1] if pieces[last].kind else end
        if regions and begin < regions[-1][1]:
            previous = regions.pop()
            regions.append((previous[0], max(previous[1], finish), [*previous[2], (start, end, kind, new)]))
        else:
            regions.append((begin, finish, [(start, end, kind, new)]))

    def original(offset: int, *, closing: bool) -> int:
        index = at(offset - 1) if closing else at(offset)
        piece = pieces[index]
        if piece.kind is not None:
            return piece.end if closing else piece.start
        return piece.start + offset - starts[index]

    current = "".join(p.text for p in pieces)
    result: list[_Piece] = []
    cursor = 0
    for begin, finish, group in regions:
        result.extend(_unchanged(pieces, starts, cursor, begin))
        text: list[str] = []
        position = begin
        for start, end, _, new in group:
            text.extend((current[position:start], new))
            position = end
        text.append(current[position:finish])
        kind = max(group, key=lambda r: r[1] - r[0])[2]
        result.append(_Piece(original(begin, closing=False), original(finish, closing=True), "".join(text), kind))
        cursor = finish
    result.extend(_unchanged(pieces, starts, cursor, len(current)))
    return result


def _unchanged(pieces: list[_Piece], starts: list[int], begin: int, finish: int) -> Iterator[_Piece]:
    """The pieces between two offsets of the current text; original text cut where needed."""
    for index, piece in enumerate(pieces):
        low, high = max(begin, starts[index]), min(finish, starts[index + 1])
        if low >= high:
            continue
        if piece.kind is not None:
            yield piece
        else:
            offset = piece.start - starts[index]
            yield _Piece(low + offset, high + offset, piece.text[low - starts[index] : high - starts[index]], None)
