"""Answers that need no identity: delivery options, stock, the store's policy."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import EventType

from actions.formatting import LOCAL_CURRENCY, business_days, day, join, money
from actions.products import match_product
from actions.turn import Turn
from actions.verification import verified_customer


async def _local_price(turn: Turn, usd: float, policy: dict[str, Any]) -> str:
    """A USD list price in the customer's currency (theirs if known, else their language's)."""
    customer_id = verified_customer(turn.tracker)
    customer = await turn.api.customer(customer_id) if customer_id else None
    currency = (customer or {}).get("currency") or LOCAL_CURRENCY.get(turn.language, "USD")
    rate = float(policy.get("rates_per_usd", {}).get(currency, 0) or 0)
    if not rate:
        currency, rate = "USD", 1.0
    return money(usd * rate, currency, turn.language)


async def check_stock(turn: Turn) -> list[EventType]:
    products = await turn.api.products()
    product = match_product(turn.tracker.latest_message.get("text") or "", products)
    lang = turn.language
    if product is None:
        turn.say("utter_stock_unknown", examples=join([p["name"] for p in products[:5]], lang))
        return []
    price = await _local_price(turn, product["price_usd"], await turn.api.policy())
    if product["stock"] <= 0:
        turn.say("utter_stock_out", product=product["name"], restock=day(product.get("restock_on"), lang))
    elif product["stock"] < 5:
        turn.say("utter_stock_low", product=product["name"], stock=product["stock"], price=price)
    else:
        turn.say("utter_stock_in", product=product["name"], price=price)
    return []


async def delivery_options(turn: Turn) -> list[EventType]:
    lang = turn.language
    policy = await turn.api.policy()
    options = [f"{o['name']} ({business_days(*o['business_days'], lang)}, "
               f"{await _local_price(turn, o['price_usd'], policy)})" for o in policy.get("shipping_options", [])]
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
