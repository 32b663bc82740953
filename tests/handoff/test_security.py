from __future__ import annotations

import pytest

from handoff import security
from handoff.agents import passwords


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


async def test_password_hash_is_argon2_and_checked_off_the_loop() -> None:
    stored = await passwords.hash_password("hunter2-long")
    assert stored.startswith("$argon2id$")
    assert await passwords.check_password("hunter2-long", stored)
    assert not await passwords.check_password("hunter3-long", stored)
    assert not await passwords.check_password("hunter2-long", "not-a-hash")
    assert not await passwords.check_password("hunter2-long", None)  # an unknown agent


def test_no_public_default_signing_key(tmp_path) -> None:
    from handoff.config import Settings

    first = Settings(secret_key="", secret_file=tmp_path / "key")
    again = Settings(secret_key="", secret_file=tmp_path / "key")
    other = Settings(secret_key="", secret_file=tmp_path / "other")
    assert len(first.secret_key) >= 40 and first.secret_key == again.secret_key != other.secret_key
    assert oct((tmp_path / "key").stat().st_mode & 0o777) == "0o600"
    token = security.sign(first.secret_key, "agent", "alice", 60)
    with pytest.raises(security.InvalidToken):
        security.verify("dev-secret-change-me", "agent", token)  # the old public default signs nothing
    with pytest.raises(ValueError):
        Settings(environment="production", secret_key="", secret_file=tmp_path / "prod",
                 service_token="a-real-service-token", rasa_token="a-real-rasa-token")
