"""The detectors behind handoff/review/redaction.py: what counts as a personal value and where it is
(kind and span, possibly overlapping; redaction.py resolves overlaps and replaces). Patterns for
e-mails, URLs, handles, cards (Luhn), IBANs and accounts, the shop's ids, phones (`phonenumbers` plus
local shapes and cues); names and addresses come from `handoff.review.cues`."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from enum import StrEnum

import phonenumbers

from handoff.review import cues

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


def candidates(text: str, language: str, known_names: Collection[str]) -> Iterator[Candidate]:
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
