from __future__ import annotations

import pytest

from handoff.routing.frustration import detect


@pytest.mark.parametrize("text", [
    "WHERE IS MY ORDER, I HAVE BEEN WAITING FOR TWO WEEKS",
    "you are useless",
    "this is a scam, give me my money",
    "why is it still not here!!!",
    "admin goblok, pesanan saya mana",
    "dasar penipu",
    "אתם מטומטמים, איפה ההזמנה",
    "והאידיוטים שלכם לא עונים",
    "dasar anjing, paket gw mana",
])
def test_upset_messages_are_detected(text: str) -> None:
    assert detect(text) is not None


@pytest.mark.parametrize("text", [
    "where is my order 10042?",
    "Hi! Thanks!",
    "I'd like a refund for order 10012 please",
    "pesanan saya dimana ya kak",
    "tolong stop langganan makanan anjing bulanan aku",  # dog food, a product of the shop
    "stok pakan anjing ada kak?",
    "איפה החבילה שלי?",
    "USB-C Charger 65W in stock?",
    "OK",
    "thanks!!! you're great",
])
def test_ordinary_messages_are_not(text: str) -> None:
    assert detect(text) is None
