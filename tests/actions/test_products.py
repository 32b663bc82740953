"""Products named the way customers say them (actions/products.py)."""

from __future__ import annotations

import pytest

from actions.products import match_product
from devstack import demo_shop as shop


@pytest.mark.parametrize(("text", "expected"), [
    ("is the 10 inch tablet in stock", "Tablet 10in"),
    ('do you have the 27" monitor', "Monitor 27in"),
    ("any kb left", "Mechanical Keyboard"),
    ("the portable ssd 1 tb", "Portable SSD 1TB"),
    ("noise cancelling buds", "Noise Cancelling Earbuds"),
    ("what about the e reader", "E-Reader"),
    ("ada powerbank 20000mAh ga", "Power Bank 20000mAh"),
    ("stok makanan anjing ada?", "Dog Food 12kg"),
    ("המקלדות שהזמנתי", "Mechanical Keyboard"),  # prefix and plural
    ("והמטענים במלאי?", "USB-C Charger 65W"),  # two prefixes, plural, final letter
    ("כשהעכברים יחזרו למלאי", "Ergonomic Mouse"),
    ("המסכים של 27 אינץ", "Monitor 27in"),
    ("mechanicl keybaord", "Mechanical Keyboard"),  # misspelt
])
def test_product_is_found(text: str, expected: str) -> None:
    product = match_product(text, shop.load("products"))
    assert product is not None and product["name"] == expected


@pytest.mark.parametrize("text", ["is the blue thing in stock", "do you sell cars", "מה נשמע"])
def test_no_product_named(text: str) -> None:
    assert match_product(text, shop.load("products")) is None
