"""Signed tokens (stdlib only; password hashes are in handoff/agents/passwords.py).

Tokens are stateless HMAC signatures so any app process can check them without shared state.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time


class InvalidToken(Exception):
    pass


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# The signed body is "purpose|subject|expires": a subject is one of our ids, never containing the
# separator or anything unprintable (a signed body that does not parse is refused, never a crash).
_EXPIRES = re.compile(r"[0-9]{1,12}")


def _valid_subject(subject: str) -> bool:
    return bool(subject) and "|" not in subject and subject.isprintable()


def sign(secret: str, purpose: str, subject: str, ttl_s: int) -> str:
    if not _valid_subject(subject) or not _valid_subject(purpose):
        raise ValueError(f"cannot sign {subject!r} for {purpose!r}: empty, unprintable or contains '|'")
    expires = int(time.time()) + ttl_s
    body = f"{purpose}|{subject}|{expires}"
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return f"{_b64(body.encode())}.{_b64(mac)}"


def verify(secret: str, purpose: str, token: str) -> str:
    """The token's subject, if it was signed with `secret` for `purpose` and has not expired."""
    try:
        body_b64, mac_b64 = token.split(".", 1)
        body = _unb64(body_b64)
        mac = _unb64(mac_b64)
    except (ValueError, TypeError) as exc:
        raise InvalidToken("malformed token") from exc
    expected = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    if not hmac.compare_digest(mac, expected):
        raise InvalidToken("bad signature")
    try:
        token_purpose, subject, expires = body.decode("utf-8").split("|")
    except (UnicodeDecodeError, ValueError) as exc:  # not three fields: a subject with "|" in it
        raise InvalidToken("malformed token") from exc
    if not _valid_subject(subject) or not _EXPIRES.fullmatch(expires):
        raise InvalidToken("malformed token")
    if token_purpose != purpose:
        raise InvalidToken("token for another purpose")
    if int(expires) < time.time():
        raise InvalidToken("expired")
    return subject
