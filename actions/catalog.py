"""Answers that need no identity: delivery options, stock, the store's policy."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

from rasa_sdk.events import EventType

from actions.formatting import day, join, money
from actions.turn import Turn

# Words customers use for products, in the three languages, mapped to words of the catalogue names.
ALIASES = {
    "headphone": "headphones", "headset": "headphones", "earphone": "earbuds", "earbud": "earbuds",
    "charger": "charger", "casan": "charger", "cas": "charger", "מטען": "charger",
    "watch": "watch", "jam": "watch", "smartwatch": "watch", "שעון": "watch",
    "stand": "stand", "keyboard": "keyboard", "keyboar": "keyboard", "מקלדת": "keyboard",
    "webcam": "webcam", "camera": "webcam", "kamera": "webcam", "מצלמה": "webcam",
    "ssd": "ssd", "disk": "ssd", "drive": "ssd", "case": "case", "casing": "case", "כיסוי": "case",
    "speaker": "speaker", "רמקול": "speaker", "mouse": "mouse", "mouse,": "mouse", "עכבר": "mouse",
    "monitor": "monitor", "screen": "monitor", "מסך": "monitor", "hdmi": "hdmi", "cable": "cable", "kabel": "cable",
    "lamp": "lamp", "lampu": "lamp", "מנורה": "lamp", "powerbank": "power", "power": "power",
    "fitness": "fitness", "band": "band", "ereader": "e-reader", "e-reader": "e-reader", "kindle": "e-reader",
    "tablet": "tablet", "טאבלט": "tablet", "router": "router", "wifi": "router", "ראוטר": "router",
    "dog": "dog", "anjing": "dog", "כלב": "dog", "food": "food", "makanan": "food",
    "אוזניות": "headphones", "earbuds": "earbuds",
}


def _words(text: str) -> list[str]:
    return re.findall(r"[\w-]+", text.lower())


def match_product(text: str, products: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The catalogue product the text names, by shared words (and aliases), else None."""
    wanted = {ALIASES.get(w, w) for w in _words(text)}
    best, best_score = None, 0.0
    for product in products:
        name_words = set(_words(product["name"]))
        score = float(len(wanted & name_words))
        if score == 0:
            # Typos: a close spelling of a longer name word still counts.
            score = max((SequenceMatcher(None, w, n).ratio() for w in wanted for n in name_words if len(n) > 4),
                        default=0.0)
            score = 0.9 if score >= 0.85 else 0.0
        if score > best_score:
            best, best_score = product, score
    return best


async def check_stock(turn: Turn) -> list[EventType]:
    products = await turn.api.products()
    product = match_product(turn.tracker.latest_message.get("text") or "", products)
    lang = turn.language
    if product is None:
        turn.say("utter_stock_unknown", examples=join([p["name"] for p in products[:5]], lang))
        return []
    price = money(product["price_usd"], "USD", lang)
    if product["stock"] <= 0:
        turn.say("utter_stock_out", product=product["name"], restock=day(product.get("restock_on"), lang))
    elif product["stock"] < 5:
        turn.say("utter_stock_low", product=product["name"], stock=product["stock"], price=price)
    else:
        turn.say("utter_stock_in", product=product["name"], price=price)
    return []


async def delivery_options(turn: Turn) -> list[EventType]:
    lang = turn.language
    options = [f"{o['name']} ({o['business_days'][0]}-{o['business_days'][1]} d, {money(o['price_usd'], 'USD', lang)})"
               for o in (await turn.api.policy()).get("shipping_options", [])]
    turn.say("utter_delivery_options", options=join(options, lang))
    return []


async def store_policy(turn: Turn) -> list[EventType]:
    policy = await turn.api.policy()
    returns, refunds, cancellation = policy["returns"], policy["refunds"], policy["cancellation"]
    low, high = refunds["processing_business_days"]
    turn.say("utter_store_policy", window=returns["window_days"], condition=returns["condition"],
             return_shipping=returns["return_shipping"], refund_to=refunds["to"], days=f"{low}-{high}",
             free_while=join(cancellation["free_while"], turn.language),
             after_shipping=cancellation["after_shipping"])
    return []
