"""How amounts, dates and lists read in a reply, per language (en, id, he)."""

from __future__ import annotations

from datetime import date

_MONTHS = {
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "id": ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
    "he": ["בינואר", "בפברואר", "במרץ", "באפריל", "במאי", "ביוני", "ביולי", "באוגוסט", "בספטמבר", "באוקטובר",
           "בנובמבר", "בדצמבר"],
}
_AND = {"en": "and", "id": "dan", "he": "ו"}
# The currency a customer of each language pays in, when the bot does not know the customer yet
# (a locale fact, like the month names; the shop's conversion rates come from policy.json).
LOCAL_CURRENCY = {"en": "USD", "id": "IDR", "he": "ILS"}
_BUSINESS_DAYS = {"en": "{low}-{high} business days", "id": "{low}-{high} hari kerja", "he": "{low}-{high} ימי עסקים"}


def business_days(low: int, high: int, language: str = "en") -> str:
    return _BUSINESS_DAYS.get(language, _BUSINESS_DAYS["en"]).format(low=low, high=high)


def _group(value: float, decimals: int, thousands: str, point: str) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", point).replace("\0", thousands)


def money(amount: float, currency: str, language: str = "en") -> str:
    if currency == "IDR":  # rupiah have no cents in practice
        return f"Rp{_group(amount, 0, '.', ',')}" if language == "id" else f"Rp {_group(amount, 0, ',', '.')}"
    if currency == "ILS":
        return f"{_group(amount, 2, ',', '.')} ₪" if language == "he" else f"₪{_group(amount, 2, ',', '.')}"
    if currency == "USD":
        return f"US${_group(amount, 2, '.', ',')}" if language == "id" else f"${_group(amount, 2, ',', '.')}"
    return f"{_group(amount, 2, ',', '.')} {currency}"


def day(iso: str | None, language: str = "en") -> str:
    if not iso:
        return "?"
    d = date.fromisoformat(iso)
    months = _MONTHS.get(language, _MONTHS["en"])
    if language == "en":
        return f"{months[d.month - 1]} {d.day}, {d.year}"
    return f"{d.day} {months[d.month - 1]} {d.year}"


def join(items: list[str], language: str = "en") -> str:
    if len(items) <= 1:
        return "".join(items)
    conj = _AND.get(language, "and")
    if language == "he":  # the Hebrew "and" is a prefix: "א, ב וג", and "ו-" before Latin or digits
        last = items[-1]
        glue = conj if last[:1] and "\u0590" <= last[0] <= "\u05ff" else f"{conj}-"
        return f"{', '.join(items[:-1])} {glue}{last}"
    return f"{', '.join(items[:-1])} {conj} {items[-1]}"


def language_of(tracker: object) -> str:
    get_slot = getattr(tracker, "get_slot", None)
    value = get_slot("language") if get_slot else None
    return value if value in ("en", "id", "he") else "en"
