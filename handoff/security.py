"""Signed tokens: JWTs (PyJWT, HS256) with a key of their own per purpose, and key rotation.

Password hashes are in handoff/agents/passwords.py. Tokens are stateless so any app process can check
them without shared state. Each purpose has its own key, so a token made for one purpose can never pass
for another even if a bug skipped the audience check:
- agent and conversation tokens: keys derived from the app's secret (`SHOPBOT_SECRET_KEY`);
- customer tokens: signed by the shop's back end for its signed-in customers with a key of their own
  (`SHOPBOT_SHOP_TOKEN_KEY`), used as it is, so a shop signs them with any JWT library (docs/security.md).
Rotation: the first key signs; the others (previous keys) still verify until they are removed. Each
token names its key (`kid`, a fingerprint, never the key), so verifying tries one key, not all.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import jwt

ISSUER = "shopbot"
ALGORITHM = "HS256"
# Far above any token we make (about 300 bytes); a longer one is refused before it is parsed.
MAX_TOKEN_CHARS = 2048
MAX_SUBJECT_CHARS = 128


class TokenPurpose(StrEnum):
    AGENT = "agent"
    CONVERSATION = "conversation"
    CUSTOMER = "customer"

    @property
    def audience(self) -> str:
        return f"shopbot:{self.value}"


class InvalidToken(Exception):
    pass


def _derive(secret: str, purpose: TokenPurpose) -> bytes:
    """The purpose's own key from the app's secret (HMAC as a key-derivation function)."""
    return hmac.new(secret.encode(), f"shopbot-token-key/{purpose.value}".encode(), hashlib.sha256).digest()


def key_id(key: bytes) -> str:
    """The `kid` naming a key in its tokens: a fingerprint that does not reveal the key."""
    return hashlib.sha256(b"kid/" + key).hexdigest()[:16]


def _valid_subject(subject: object) -> bool:
    return isinstance(subject, str) and 0 < len(subject) <= MAX_SUBJECT_CHARS and subject.isprintable()


@dataclass(frozen=True)
class Keyring:
    """The keys of every purpose: the first of each signs, all of them verify."""

    keys: dict[TokenPurpose, tuple[bytes, ...]]

    @classmethod
    def build(cls, secrets: Sequence[str], shop_keys: Sequence[str]) -> Keyring:
        """secrets: the app's secret keys, current first; shop_keys: the shop's customer-token keys."""
        if not secrets or not all(secrets) or not shop_keys or not all(shop_keys):
            raise ValueError("a keyring needs at least one non-empty app secret and one shop key")
        derived = {purpose: tuple(_derive(s, purpose) for s in secrets)
                   for purpose in (TokenPurpose.AGENT, TokenPurpose.CONVERSATION)}
        return cls({**derived, TokenPurpose.CUSTOMER: tuple(k.encode() for k in shop_keys)})

    def sign(self, purpose: TokenPurpose, subject: str, ttl_s: int) -> str:
        if not _valid_subject(subject):
            raise ValueError(f"cannot sign {subject!r}: empty, too long or unprintable")
        key = self.keys[purpose][0]
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": purpose.audience, "sub": subject, "iat": now, "exp": now + ttl_s}
        return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": key_id(key)})

    def verify(self, purpose: TokenPurpose, token: str) -> str:
        """The token's subject, if one of the purpose's keys signed it for that purpose, unexpired."""
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
            raise InvalidToken("malformed token")
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as exc:
            raise InvalidToken("malformed token") from exc
        # A token without kid (a shop's own signer may leave it out) is tried with every key.
        candidates = [k for k in self.keys[purpose] if kid is None or key_id(k) == kid]
        if not candidates:
            raise InvalidToken("unknown signing key")
        error: InvalidToken = InvalidToken("bad signature")
        for key in candidates:
            try:
                claims = jwt.decode(token, key, algorithms=[ALGORITHM], audience=purpose.audience,
                                    options={"require": ["exp", "sub", "aud"]})
            except jwt.ExpiredSignatureError:
                error = InvalidToken("expired")
            except jwt.InvalidAudienceError:
                error = InvalidToken("token for another purpose")
            except jwt.PyJWTError:
                continue
            else:
                if not _valid_subject(claims["sub"]):
                    raise InvalidToken("malformed subject")
                return str(claims["sub"])
        raise error
