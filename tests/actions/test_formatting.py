"""Amounts, currencies and dates as each language writes them (actions/formatting.py is plain
Python, so it is tested here in the app environment)."""

from __future__ import annotations

import pytest

from actions.formatting import day, join, money


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        (1234.5, "USD", "en", "$1,234.50"),
        (1234.5, "USD", "id", "US$1.234,50"),
        (1234.5, "USD", "he", "$1,234.50"),
        (2_150_000, "IDR", "id", "Rp2.150.000"),
        (2_150_000, "IDR", "en", "Rp 2,150,000"),
        (603.1, "ILS", "he", "603.10 ₪"),
        (603.1, "ILS", "en", "₪603.10"),
    ],
)
def test_money(amount: float, currency: str, language: str, expected: str) -> None:
    assert money(amount, currency, language) == expected


def test_dates_per_language() -> None:
    assert day("2026-11-25", "en") == "Nov 25, 2026"
    assert day("2026-08-05", "id") == "5 Agu 2026"
    assert day("2026-11-25", "he") == "25 בנובמבר 2026"
    assert day(None) == "?"


def test_lists_per_language() -> None:
    assert join(["Visa", "Mastercard", "PayPal"], "en") == "Visa, Mastercard and PayPal"
    assert join(["Visa", "GoPay"], "id") == "Visa dan GoPay"
    assert join(["Visa", "Bit"], "he") == "Visa ו-Bit"
    assert join(["אשראי", "העברה בנקאית"], "he") == "אשראי והעברה בנקאית"
    assert join(["Visa"], "en") == "Visa"
