from __future__ import annotations

import pytest

from handoff.language import detect


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("where is my order 10042?", "en"),
        ("pesanan saya dimana ya kak", "id"),
        ("mau batalin order dong", "id"),
        ("איפה החבילה שלי", "he"),
        ("הזמנה 10042 עוד לא הגיעה", "he"),
        ("I would like to return the headphones I bought", "en"),
    ],
)
def test_detects_the_language(text: str, expected: str) -> None:
    assert detect(text) == expected


@pytest.mark.parametrize("text", ["ok", "10042", "customer0042@example.com", "INV-202600042", "👍"])
@pytest.mark.parametrize("hint", ["en", "id", "he"])
def test_text_without_language_keeps_the_hint(text: str, hint: str) -> None:
    assert detect(text, hint=hint) == hint
