"""How amounts and dates read in a reply."""

from __future__ import annotations

from datetime import date

_SYMBOLS = {"USD": "$", "ILS": "₪", "IDR": "Rp "}


def money(amount: float, currency: str) -> str:
    symbol = _SYMBOLS.get(currency, f"{currency} ")
    if currency == "IDR":  # rupiah are shown without cents, grouped with dots
        return f"{symbol}{round(amount):,}".replace(",", ".")
    return f"{symbol}{amount:,.2f}"


def day(iso: str | None) -> str:
    if not iso:
        return "unknown"
    d = date.fromisoformat(iso)
    return f"{d.strftime('%b')} {d.day}, {d.year}"
