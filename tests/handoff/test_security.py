from __future__ import annotations

import pytest

from handoff import security


def test_signed_token_round_trip_and_tampering() -> None:
    token = security.sign("s3cret", "conversation", "abc", 60)
    assert security.verify("s3cret", "conversation", token) == "abc"
    with pytest.raises(security.InvalidToken):
        security.verify("other-secret", "conversation", token)
    with pytest.raises(security.InvalidToken):
        security.verify("s3cret", "agent", token)  # a customer token is not an agent token
    body, mac = token.split(".")
    with pytest.raises(security.InvalidToken):
        security.verify("s3cret", "conversation", body[:-2] + "xx." + mac)
    with pytest.raises(security.InvalidToken):
        security.verify("s3cret", "conversation", "garbage")


def test_expired_token_is_refused() -> None:
    token = security.sign("s3cret", "agent", "alice", -1)
    with pytest.raises(security.InvalidToken, match="expired"):
        security.verify("s3cret", "agent", token)


def test_password_hash() -> None:
    stored = security.hash_password("hunter2", rounds=1000)
    assert security.check_password("hunter2", stored)
    assert not security.check_password("hunter3", stored)
    assert not security.check_password("hunter2", "not-a-hash")
