"""Customer tokens as a shop's back end makes them for a signed-in customer: their id signed with
the app's key. The test stack's apps run with this key (tests/conftest.py), so a test signs in any
customer it allocates; the demo endpoint serves only the demo page's few."""

from __future__ import annotations

from handoff import security

TEST_SECRET_KEY = "e2e-test-signing-key"


def customer_token(customer_id: str, ttl_s: int = 3600) -> str:
    return security.sign(TEST_SECRET_KEY, "customer", customer_id, ttl_s)
