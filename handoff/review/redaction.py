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
from enum import StrEnum

import phonenumbers

from handoff.review import cues

LANGUAGES = ("en", "id", "he")
# Local formats of every region, whatever the message's language: an Indonesian customer may give a US number.
_REGIONS = ("US", "ID", "IL")


class Kind(StrEnum):
    """What was found; where the assistant has an entity of this kind, the entity's name."""

    EMAIL = "email"
    ORDER_ID = "order_id"
    INVOICE_ID = "invoice_id"
    SUBSCRIPTION_ID = "subscription_id"
    CUSTOMER_ID = "customer_id"
    RETURN_ID = "return_id"
    TRACKING_NUMBER = "tracking_number"
    PHONE = "phone"
    CARD = "card"
    ACCOUNT = "account"
    URL = "url"
    HANDLE = "handle"
    NAME = "name"
    ADDRESS = "address"
    POSTCODE = "postcode"


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

Candidate = tuple[int, int, Kind]

# ASCII digits throughout: \d would also take Arabic-Indic and other digits.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9_%+-])[A-Za-z0-9_%+-][A-Za-z0-9._%+-]{0,63}"
    r"(?:@|\s?[(\[]at[)\]]\s?)"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])",
    re.IGNORECASE,
)
_URL = re.compile(
    r"(?<![A-Za-z0-9@.-])(?:(?:https?|ftp)://|www\.)[^\s<>\"'`]+"
    r"|(?<![A-Za-z0-9@.-])(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24}/[^\s<>\"'`]*",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"(?<![A-Za-z0-9_.@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])")
_DIGIT_RUN = re.compile(r"(?<![0-9+])[0-9]+(?:[ -][0-9]+)*")
_IBAN = re.compile(
    r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,4})?(?![A-Za-z0-9])"
    r"|(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}[A-Za-z0-9]{11,30}(?![A-Za-z0-9])"
)
# Words allowed between a cue and its value: "order no. 10057", "pesanan gw 10007", "הזמנה מספר 10017".
_FILLER = (
    r"(?:\s*(?:[#:]|\b(?:no|nomor|nmr|number|num|nr|id|is|adalah|nya|saya|sy|gw|gue|aku|my|yang|yg|ini"
    r"|the|מספר|מס|שלי|היא|הוא)\b\.?['׳]?))*\s*"
)
_ACCOUNT = re.compile(
    r"(?:\b(?:no\.?\s*)?(?:rekening|rek|norek)\b|\baccount\s*(?:number|no\.?|\#)|\bacct\b|\ba/c\b"
    r"|(?<![\u05d0-\u05ea])[ובלמש]?(?:מספר\s+|מס['׳]\s*)?חשבון(?:\s+(?:ה)?בנק)?)"
    rf"{_FILLER}(?:(?:bca|bni|bri|mandiri|cimb|permata|btn|bsi|jago|danamon|seabank|ocbc|leumi|hapoalim"
    r"|לאומי|הפועלים|דיסקונט|מזרחי)\b[\s:.#-]*)?"
    r"(?P<value>[0-9](?:[ -]?[0-9]){5,19})(?![0-9])",
    re.IGNORECASE,
)
_IDS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (Kind.INVOICE_ID, re.compile(r"(?<![A-Za-z0-9])INV[-\s]?[0-9]{6,12}(?![0-9])", re.IGNORECASE)),
    (Kind.SUBSCRIPTION_ID, re.compile(r"(?<![A-Za-z0-9])SUB[-\s]?[0-9]{3,6}(?![0-9])", re.IGNORECASE)),
    (Kind.RETURN_ID, re.compile(r"(?<![A-Za-z0-9])RET[-\s]?[0-9]{4,6}(?![0-9])", re.IGNORECASE)),
    (Kind.CUSTOMER_ID, re.compile(r"(?<![A-Za-z0-9-])C[0-9]{4}(?![0-9A-Za-z])", re.IGNORECASE)),
    (Kind.TRACKING_NUMBER, re.compile(r"(?<![A-Za-z0-9])TRK\s?[0-9]{8,12}(?![0-9])", re.IGNORECASE)),
)
_CUED_IDS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (
        Kind.ORDER_ID,
        re.compile(
            r"(?:\border(?:an|s)?\b|\bodr\b|\bpes[ae]nan(?:nya|ku)?\b|\bpsn\b"
            r"|(?<![\u05d0-\u05ea])[ובלמשה]{0,3}הזמנ(?:ה|ות|ת))"
            rf"{_FILLER}(?P<value>[0-9]{{4,8}})(?![0-9]|[.,/:-][0-9])",
            re.IGNORECASE,
        ),
    ),
    (
        Kind.INVOICE_ID,
        re.compile(
            r"(?:\binvoice|\binv|\btagihan|\bfaktur|(?<![\u05d0-\u05ea])[ובלמשה]{0,2}חשבונית)\b"
            rf"{_FILLER}(?P<value>[0-9]{{9}})(?![0-9])",
            re.IGNORECASE,
        ),
    ),
    (
        Kind.TRACKING_NUMBER,
        re.compile(
            r"(?:\bresi\b|\btracking(?:\s*(?:number|no|code|id))?\b|\bawb\b"
            r"|(?<![\u05d0-\u05ea])[ובלמשה]{0,2}(?:מספר\s+)?מעקב)"
            rf"{_FILLER}(?P<value>(?=[A-Za-z0-9]*[0-9])[A-Za-z0-9]{{8,30}})(?![A-Za-z0-9])",
            re.IGNORECASE,
        ),
    ),
)
# The assistant's own reading of an order id (bot/data/regex.yml), without a cue.
_BARE_ORDER = re.compile(r"(?<![0-9A-Za-z.,/+-])1[0-9]{4}(?![0-9A-Za-z]|[.,/:-][0-9])")
_MONEY_BEFORE = re.compile(
    r"(?:\brp\.?|\bidr|\busd|\bils|\bnis|\$|₪|€|£)\s*$"
    r"|\b(?:price|paid|pay|charged|cost|costs|total|fee|(?:harga|bayar|dibayar|biaya|ongkir|saldo)(?:nya)?"
    r"|מחיר|שילמתי|עלה|עולה|סכום|חיוב|חויבתי)\s*:?\s*$",
    re.IGNORECASE,
)
_MONEY_AFTER = re.compile(
    r"\s*(?:(?:rb|ribu|rupiah|idr|usd|ils|nis|k|jt|juta|dollars?|dolar|bucks|mah|gb|tb|mb|kg|gr?|w|mm|cm"
    r"|km|m|pcs|x)\b|₪|ש[\"״]ח|שקל)",
    re.IGNORECASE,
)
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:[.,][0-9]{3})+")  # "1.500.000": a price, not a phone
_PHONE_SHAPES = re.compile(
    r"(?<![0-9])(?:\+|00)?62[\s.-]?8[0-9]{1,3}(?:[\s.-]?[0-9]){6,10}(?![0-9])"  # Indonesian mobile
    r"|(?<![0-9+])08[0-9]{1,3}(?:[\s.-]?[0-9]){6,10}(?![0-9])"
    r"|(?<![0-9])(?:\+|00)?972[\s.-]?0?5[0-9](?:[\s.-]?[0-9]){7}(?![0-9])"  # Israeli mobile
    r"|(?<![0-9+])05[0-9](?:[\s.-]?[0-9]){7}(?![0-9])"
    r"|(?<![0-9])\(?[2-9][0-9]{2}\)?[\s.-][0-9]{3}[\s.-][0-9]{4}(?![0-9])"  # US, even fictional 555s
    r"|(?<![0-9A-Za-z])\+[1-9][0-9]{0,2}(?:[\s.()-]{0,2}[0-9]){6,13}(?![0-9])"  # any +country
)
_PHONE_CUE = re.compile(
    r"(?:\b(?:phone|tel|telp|tlp|hp|whatsapp|whatsap|wa|call|text|sms|cell|mobile|contact|kontak|hubungi)"
    r"|(?<![\u05d0-\u05ea])[ולבמש]?(?:טלפון|טל['׳]|נייד|פלאפון|וואטסאפ|ווטסאפ|סלולרי))"
    r"(?:[\s:.-]*\b(?:ke|di|at|to|me|on|nya|saya|sy|gw|is|number|no|nomor|שלי|הוא))*[\s:.-]*"
    r"(?P<value>\+?[0-9](?:[\s().-]?[0-9]){6,14})(?![0-9])",
    re.IGNORECASE,
)


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
        replacements = _replacements(current, _resolve(_candidates(current, language, known_names)))
        if done and all(current[start:end] == new for start, end, _, new in replacements):
            break
        pieces = _apply(pieces, replacements)
        current = "".join(piece.text for piece in pieces)
    found = tuple(Finding(p.kind, p.start, p.end, p.text) for p in pieces if p.kind is not None)
    return Redacted(current, found)


def _candidates(text: str, language: str, known_names: Collection[str]) -> Iterator[Candidate]:
    yield from ((m.start(), m.end(), Kind.EMAIL) for m in _EMAIL.finditer(text))
    yield from _urls(text)
    yield from ((m.start(), m.end(), Kind.HANDLE) for m in _HANDLE.finditer(text) if re.search(r"[A-Za-z]", m.group()))
    yield from _cards(text)
    for match in _IBAN.finditer(text):
        # The shortest IBAN (Norway's) has 15 characters; short codes such as "JP1234567890" are parcels.
        alnum = re.sub(r"[^A-Za-z0-9]", "", match.group())
        if len(alnum) >= 15 and sum(c.isdigit() for c in alnum) >= 10:
            yield match.start(), match.end(), Kind.ACCOUNT
    yield from ((*m.span("value"), Kind.ACCOUNT) for m in _ACCOUNT.finditer(text))
    for kind, pattern in _IDS:
        yield from ((m.start(), m.end(), kind) for m in pattern.finditer(text))
    for kind, pattern in _CUED_IDS:
        yield from ((*m.span("value"), kind) for m in pattern.finditer(text))
    for match in _BARE_ORDER.finditer(text):
        if not _near_money(text, match.start(), match.end()):
            yield match.start(), match.end(), Kind.ORDER_ID
    yield from _phones(text)
    yield from ((*span, Kind.NAME) for span in cues.find_names(text, language, known_names))
    yield from ((*span, Kind.ADDRESS) for span in cues.find_addresses(text))
    yield from ((*span, Kind.POSTCODE) for span in cues.find_postcodes(text))


def _urls(text: str) -> Iterator[Candidate]:
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:!?)]}'\"”’…")
        host_end = re.match(r"(?:[a-z]+://)?[^/?#]*", url, re.IGNORECASE)
        rest = url[host_end.end() :] if host_end else url
        # A bare domain ("tokopedia.com", "https://shop.example/") says nothing about the customer.
        if rest.strip("/") or "@" in url:
            yield match.start(), match.start() + len(url), Kind.URL


def _cards(text: str) -> Iterator[Candidate]:
    """Card numbers: 13-19 digits passing Luhn, typed whole or in groups ("4111 1111-1111 1111")."""
    for run in _DIGIT_RUN.finditer(text):
        groups = [(m.start() + run.start(), m.group()) for m in re.finditer(r"[0-9]+", run.group())]
        for i, (start, first) in enumerate(groups):
            if first[0] not in "23456":  # no issuer's number starts with 0, 1, 7, 8 or 9 (orders do)
                continue
            digits = ""
            for j in range(i, len(groups)):
                if j > i and len(groups[j - 1][1]) < 3:  # cards come in groups of 4 (Amex 4-6-5)
                    break
                digits += groups[j][1]
                if len(digits) > 19:
                    break
                if len(digits) >= 13 and _luhn(digits):
                    yield start, groups[j][0] + len(groups[j][1]), Kind.CARD


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _phones(text: str) -> Iterator[Candidate]:
    spans: list[tuple[int, int]] = []
    # No number of our regions has fewer than 7 digits; the matcher is most of the time spent here.
    if sum(char.isdigit() for char in text) >= 7:
        for region in _REGIONS:
            spans.extend((m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(text, region))
    spans.extend(m.span() for m in _PHONE_SHAPES.finditer(text))
    spans.extend(m.span("value") for m in _PHONE_CUE.finditer(text))
    for start, end in spans:
        value = text[start:end]
        if _THOUSANDS.fullmatch(value.strip()) or _near_money(text, start, end):
            continue
        yield start, end, Kind.PHONE


def _near_money(text: str, start: int, end: int) -> bool:
    return bool(_MONEY_BEFORE.search(text[max(0, start - 24) : start]) or _MONEY_AFTER.match(text, end))


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
