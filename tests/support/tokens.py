"""Customer tokens as a shop's back end makes them for a signed-in customer: their id signed with
the shop's token key. The test stack's apps run with this key (tests/conftest.py), so a test signs in
any customer it allocates; the demo endpoint serves only the demo page's few."""

from __future__ import annotations

from handoff.security import Keyring, TokenPurpose

TEST_SECRET_KEY = "e2e-test-signing-key-of-at-least-32-characters"
TEST_SHOP_TOKEN_KEY = "e2e-test-shop-token-key-of-at-least-32-characters"
TEST_KEYS = Keyring.build([TEST_SECRET_KEY], [TEST_SHOP_TOKEN_KEY])


def customer_token(customer_id: str, ttl_s: int = 3600) -> str:
    return TEST_KEYS.sign(TokenPurpose.CUSTOMER, customer_id, ttl_s)
