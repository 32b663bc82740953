"""Amounts, currencies and dates as each language writes them (actions/formatting.py formats through
Babel/CLDR and is tested here in the app environment).

The expected strings spell out the invisible characters CLDR puts in them, so a change in them is
a visible test change: RLM = U+200F RIGHT-TO-LEFT MARK, NBSP = U+00A0 NO-BREAK SPACE."""

from __future__ import annotations

import pytest

from actions.formatting import LOCAL_CURRENCY, business_days, day, join, language_of, money

RLM = "\u200f"
LRM = "\u200e"
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        (1234.5, "USD", "en", "$1,234.50"),
        (1234.5, "USD", "id", "US$1.234,50"),
        (1234.5, "USD", "he", f"{RLM}1,234.50{NBSP}{RLM}$"),
        # Rupiah in whole units (CLDR's 2 accounting decimals dropped on purpose), rounded half-even.
        (2_150_000, "IDR", "id", "Rp2.150.000"),
        (80_000.4, "IDR", "id", "Rp80.000"),
        (2.5, "IDR", "id", "Rp2"),
        # en_US has no rupiah symbol: the ISO code, with the space CLDR's currencySpacing asks for.
        (2_150_000, "IDR", "en", f"IDR{NBSP}2,150,000"),
        (2_150_000, "IDR", "he", f"{RLM}2,150,000{NBSP}{RLM}IDR"),
        (603.1, "ILS", "he", f"{RLM}603.10{NBSP}{RLM}₪"),
        (603.1, "ILS", "en", "₪603.10"),
        (603.1, "ILS", "id", "₪603,10"),
        (-5, "ILS", "he", f"{RLM}-5.00{NBSP}{RLM}₪"),
        (10, "EUR", "en", "€10.00"),
        (1, "USD", "xx", "$1.00"),  # an unknown language falls back to English
    ],
)
def test_money(amount: float, currency: str, language: str, expected: str) -> None:
    assert money(amount, currency, language) == expected


def test_hebrew_amounts_keep_the_rtl_marks_and_no_ltr_marks() -> None:
    # Kept on purpose: the RLMs keep "603.10 ₪" in order inside right-to-left text in the widget.
    for currency in LOCAL_CURRENCY.values():
        text = money(603.1, currency, "he")
        assert text.count(RLM) == 2 and LRM not in text, repr(text)
    # Latin-script languages get no bidi marks at all.
    for language in ("en", "id"):
        for currency in LOCAL_CURRENCY.values():
            text = money(603.1, currency, language)
            assert RLM not in text and LRM not in text, repr(text)


def test_dates_per_language() -> None:
    assert day("2026-11-25", "en") == "Nov 25, 2026"
    assert day("2026-08-05", "id") == "5 Agu 2026"
    assert day("2026-11-25", "he") == "25 בנובמבר 2026"
    assert RLM not in day("2026-11-25", "he") and LRM not in day("2026-11-25", "he")
    assert day(None) == "?"
    assert day("") == "?"


def test_lists_per_language() -> None:
    assert join(["Visa", "Mastercard", "PayPal"], "en") == "Visa, Mastercard, and PayPal"  # CLDR en: serial comma
    assert join(["Visa", "Mastercard", "PayPal"], "id") == "Visa, Mastercard, dan PayPal"
    assert join(["Visa", "GoPay"], "id") == "Visa dan GoPay"
    assert join(["Visa"], "en") == "Visa"
    assert join([], "en") == ""


def test_hebrew_and_is_a_prefix_with_a_hyphen_before_latin_or_digits() -> None:
    # Babel/CLDR writes "Visa וBit"; Hebrew writes "ו-" before Latin letters or digits.
    assert join(["Visa", "Bit"], "he") == "Visa ו-Bit"
    assert join(["Visa", "Mastercard", "PayPal"], "he") == "Visa, Mastercard ו-PayPal"
    assert join(["א", "ב", "2"], "he") == "א, ב ו-2"
    assert join(["אשראי", "העברה בנקאית"], "he") == "אשראי והעברה בנקאית"
    assert join(["Visa", "אשראי", "העברה בנקאית"], "he") == "Visa, אשראי והעברה בנקאית"
    assert join(["Bit"], "he") == "Bit"


def test_business_days_and_language() -> None:
    assert business_days(5, 10, "id") == "5-10 hari kerja"
    assert business_days(5, 10, "xx") == "5-10 business days"

    class Tracker:
        def __init__(self, language: object) -> None:
            self.language = language

        def get_slot(self, name: str) -> object:
            return self.language

    assert language_of(Tracker("he")) == "he"
    assert language_of(Tracker("fr")) == "en"
    assert language_of(object()) == "en"
