"""How amounts, dates and lists read in a reply, per language (en, id, he).

The locale rules (symbols, separators, month names, list conjunctions) come from CLDR through
Babel; this module only picks the locale and the few choices CLDR leaves to us.
"""

from __future__ import annotations

import re
from datetime import date

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_currency, get_currency_symbol

# Our language codes -> the CLDR locale each one is written in, and the date length used for it.
# Dates: en and id read best as "Nov 25, 2026" / "25 Nov 2026" ("medium"); Hebrew uses the full
# month ("long": "25 בנובמבר 2026"), since its abbreviations ("25 בנוב׳ 2026") read as clipped in prose.
_LOCALES = {"en": ("en_US", "medium"), "id": ("id_ID", "medium"), "he": ("he_IL", "long")}
# The currency a customer of each language pays in, when the bot does not know the customer yet
# (a locale fact, like the month names; the shop's conversion rates come from policy.json).
LOCAL_CURRENCY = {"en": "USD", "id": "IDR", "he": "ILS"}
_BUSINESS_DAYS = {"en": "{low}-{high} business days", "id": "{low}-{high} hari kerja", "he": "{low}-{high} ימי עסקים"}

# Currencies shown in whole units. CLDR gives the rupiah 2 decimals for accounting (only its cash
# digits are 0), so Babel's `currency_digits=True` would print "Rp2.150.000,00"; rupiah have no
# cents in practice and the shop never bills sen, so rupiah are rounded to whole units. This is an
# explicit list rather than CLDR's cash digits, which would also drop the decimals of e.g. SEK/CZK.
_WHOLE_UNITS = frozenset({"IDR"})
# Each locale's own currency pattern without its fraction ("¤#,##0.00" -> "¤#,##0"; Hebrew keeps its
# bidi marks and no-break space), so whole-unit amounts still follow the locale's symbol placement.
_WHOLE_PATTERN = {
    locale: re.sub(r"\.0+", "", Locale.parse(locale).currency_formats["standard"].pattern)
    for locale, _ in _LOCALES.values()
}


def _locale(language: str) -> tuple[str, str]:
    return _LOCALES.get(language, _LOCALES["en"])


def business_days(low: int, high: int, language: str = "en") -> str:
    return _BUSINESS_DAYS.get(language, _BUSINESS_DAYS["en"]).format(low=low, high=high)


def _space_code(text: str, code: str) -> str:
    """Where a locale has no symbol for a currency, Babel prints its ISO code glued to the number
    ("IDR2,150,000"): Babel does not apply CLDR's currencySpacing. Put a no-break space between the
    code and the digits ("IDR 2,150,000"). Only for codes: letter symbols such as "Rp" stay as the
    locale's pattern writes them ("Rp2.150.000" is the Indonesian standard spelling)."""
    at = text.find(code)
    if at < 0:
        return text
    end = at + len(code)
    if end < len(text) and text[end].isdigit():
        text = f"{text[:end]}\u00a0{text[end:]}"
    if at > 0 and text[at - 1].isdigit():
        text = f"{text[:at]}\u00a0{text[at:]}"
    return text


def money(amount: float, currency: str, language: str = "en") -> str:
    """An amount as the language writes it. Hebrew output keeps CLDR's bidi marks on purpose: the
    U+200F (RLM) before the number and before the symbol (RLM "603.10" NBSP RLM "₪") keeps amount
    and symbol in order when the amount sits in right-to-left text in the widget (bubbles use
    `unicode-bidi: plaintext`, which takes a line's direction from its first strong character). The
    he_IL patterns carry no U+200E (LRM). The no-break space (U+00A0) keeps number and symbol on one
    line; it is CLDR's too."""
    locale, _ = _locale(language)
    if currency in _WHOLE_UNITS:
        text = format_currency(amount, currency, format=_WHOLE_PATTERN[locale], locale=locale,
                               currency_digits=False)
    else:
        text = format_currency(amount, currency, locale=locale)
    return _space_code(text, currency) if get_currency_symbol(currency, locale) == currency else text


def day(iso: str | None, language: str = "en") -> str:
    if not iso:
        return "?"
    locale, length = _locale(language)
    return format_date(date.fromisoformat(iso), length, locale=locale)


def join(items: list[str], language: str = "en") -> str:
    items = list(items)
    locale, _ = _locale(language)
    # The Hebrew "and" is a prefix (CLDR: "{0} ו{1}", so "אשראי והעברה בנקאית"), but before Latin
    # letters or digits Hebrew writes it with a hyphen ("Visa ו-Bit"); Babel/CLDR has no such rule
    # and writes "Visa וBit", so the hyphen is added to the last item before Babel joins the list.
    if language == "he" and len(items) > 1 and not ("\u0590" <= items[-1][:1] <= "\u05ff"):
        items[-1] = f"-{items[-1]}"
    return format_list(items, locale=locale)


def language_of(tracker: object) -> str:
    get_slot = getattr(tracker, "get_slot", None)
    value = get_slot("language") if get_slot else None
    return value if value in ("en", "id", "he") else "en"
