from __future__ import annotations

from pathlib import Path

import jwt
import pytest

from handoff import security
from handoff.agents import passwords
from handoff.config import Settings
from handoff.security import InvalidToken, Keyring, TokenPurpose

PAD = "-" + "x" * 32  # PyJWT warns below 32 bytes of HMAC key
KEYS = Keyring.build(["app-secret" + PAD], ["shop-key" + PAD])


def test_signed_token_round_trip_and_tampering() -> None:
    token = KEYS.sign(TokenPurpose.CONVERSATION, "abc", 60)
    assert KEYS.verify(TokenPurpose.CONVERSATION, token) == "abc"
    with pytest.raises(InvalidToken):
        Keyring.build(["other-secret" + PAD], ["shop-key" + PAD]).verify(TokenPurpose.CONVERSATION, token)
    head, body, mac = token.split(".")
    with pytest.raises(InvalidToken):
        KEYS.verify(TokenPurpose.CONVERSATION, f"{head}.{body[:-2]}xx.{mac}")
    with pytest.raises(InvalidToken):
        KEYS.verify(TokenPurpose.CONVERSATION, "garbage")


@pytest.mark.parametrize(("made_for", "used_as"), [
    (TokenPurpose.CONVERSATION, TokenPurpose.AGENT),
    (TokenPurpose.AGENT, TokenPurpose.CONVERSATION),
    (TokenPurpose.CUSTOMER, TokenPurpose.AGENT),
    (TokenPurpose.AGENT, TokenPurpose.CUSTOMER),
])
def test_each_purpose_has_its_own_key(made_for: TokenPurpose, used_as: TokenPurpose) -> None:
    token = KEYS.sign(made_for, "alice", 60)
    with pytest.raises(InvalidToken):
        KEYS.verify(used_as, token)
    # Not even with the audience rewritten: the key differs.
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["aud"] == made_for.audience
    assert KEYS.keys[made_for][0] != KEYS.keys[used_as][0]


def test_expired_token_is_refused() -> None:
    token = KEYS.sign(TokenPurpose.AGENT, "alice", -1)
    with pytest.raises(InvalidToken, match="expired"):
        KEYS.verify(TokenPurpose.AGENT, token)


def test_rotation_old_tokens_verify_until_their_key_is_removed() -> None:
    old = Keyring.build(["key-2025" + PAD], ["shop-2025" + PAD])
    agent_token = old.sign(TokenPurpose.AGENT, "alice", 60)
    customer_token = old.sign(TokenPurpose.CUSTOMER, "C0001", 60)
    rotated = Keyring.build(["key-2026" + PAD, "key-2025" + PAD], ["shop-2026" + PAD, "shop-2025" + PAD])
    assert rotated.verify(TokenPurpose.AGENT, agent_token) == "alice"
    assert rotated.verify(TokenPurpose.CUSTOMER, customer_token) == "C0001"
    new_token = rotated.sign(TokenPurpose.AGENT, "alice", 60)
    assert jwt.get_unverified_header(new_token)["kid"] == security.key_id(rotated.keys[TokenPurpose.AGENT][0])
    with pytest.raises(InvalidToken):
        old.verify(TokenPurpose.AGENT, new_token)  # the old key never signed it
    retired = Keyring.build(["key-2026" + PAD], ["shop-2026" + PAD])
    with pytest.raises(InvalidToken, match="unknown signing key"):
        retired.verify(TokenPurpose.AGENT, agent_token)


def test_a_shops_own_signer_makes_customer_tokens() -> None:
    """What docs/security.md tells a shop: HS256 with its key, aud shopbot:customer, sub, exp."""
    import time

    token = jwt.encode({"sub": "C0012", "aud": "shopbot:customer", "exp": int(time.time()) + 300}, "shop-key" + PAD,
                       algorithm="HS256")
    assert KEYS.verify(TokenPurpose.CUSTOMER, token) == "C0012"
    with pytest.raises(InvalidToken):  # the app's own secret is not the shop's key
        KEYS.verify(TokenPurpose.CUSTOMER, jwt.encode({"sub": "C0012", "aud": "shopbot:customer",
                                                       "exp": int(time.time()) + 300}, "app-secret" + PAD,
                                                      algorithm="HS256"))
    none_alg = jwt.encode({"sub": "C0012", "aud": "shopbot:customer", "exp": int(time.time()) + 300}, None,
                          algorithm="none")
    with pytest.raises(InvalidToken):
        KEYS.verify(TokenPurpose.CUSTOMER, none_alg)


async def test_password_hash_is_argon2_and_checked_off_the_loop() -> None:
    stored = await passwords.hash_password("hunter2-long")
    assert stored.startswith("$argon2id$")
    assert await passwords.check_password("hunter2-long", stored)
    assert not await passwords.check_password("hunter3-long", stored)
    assert not await passwords.check_password("hunter2-long", "not-a-hash")
    assert not await passwords.check_password("hunter2-long", None)  # an unknown agent


def test_development_makes_its_own_secrets_and_keeps_them(tmp_path: Path) -> None:
    first = Settings(environment="development", secrets_dir=tmp_path / "a")
    again = Settings(environment="development", secrets_dir=tmp_path / "a")
    other = Settings(environment="development", secrets_dir=tmp_path / "b")
    for name in ("secret_key", "shop_token_key", "service_token", "rasa_token"):
        assert len(getattr(first, name)) >= 40
        assert getattr(first, name) == getattr(again, name) != getattr(other, name)
        assert oct((tmp_path / "a" / name).stat().st_mode & 0o777) == "0o600"
    assert first.secret_key != first.shop_token_key


REAL = {"secret_key": "s" * 32, "shop_token_key": "k" * 32, "service_token": "v" * 32, "rasa_token": "r" * 32}


@pytest.mark.parametrize("missing", sorted(REAL))
def test_production_is_the_default_and_needs_every_secret(tmp_path: Path, missing: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHOPBOT_ENVIRONMENT", raising=False)
    given = {k: v for k, v in REAL.items() if k != missing}
    with pytest.raises(ValueError, match=missing.upper()):
        Settings(secrets_dir=tmp_path, **given)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=missing.upper()):
        Settings(secrets_dir=tmp_path, **given, **{missing: "dev-" + "x" * 40})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=missing.upper()):
        Settings(secrets_dir=tmp_path, **given, **{missing: "short"})  # type: ignore[arg-type]
    assert Settings(secrets_dir=tmp_path, **REAL).environment == "production"  # type: ignore[arg-type]
    assert not list(tmp_path.iterdir())  # production never makes a secret of its own


def test_demo_mode_is_refused_in_production(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="DEMO_MODE"):
        Settings(environment="production", demo_mode=True, **REAL)  # type: ignore[arg-type]


def test_a_seeded_agent_beyond_the_chat_limit_is_refused_at_start(tmp_path: Path) -> None:
    """The team API allows 0-20 chats; a seed beyond it used to be stored, and that agent's console
    could then never connect (its hello failed validation)."""
    settings = Settings(environment="development", secrets_dir=tmp_path,
                        demo_agents="zed:zed-password:agent:orders:en:25")
    with pytest.raises(ValueError, match="max_chats"):
        settings.agents_to_seed()
