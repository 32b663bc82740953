"""The guards against hostile input, in process (docs/security.md); the real app process is tested
against the same in tests/e2e/test_hostile_input.py."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import jwt
import pytest
from uvicorn.logging import AccessFormatter

from api import frames, log_filters, origins
from api.main import create_app
from handoff import security
from handoff.config import Settings
from handoff.security import Keyring, TokenPurpose


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"environment": "development", "secret_key": "guards-test-key",
                                 "widget_origins": ["https://shop.example"], **overrides}
    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'guards.db'}", **values)  # type: ignore[arg-type]


# --- frames ---------------------------------------------------------------------------------------

def test_nesting_is_counted_outside_strings_only() -> None:
    assert frames.nested_too_deep("[" * 10_000)
    assert frames.nested_too_deep('{"a": ' * 9 + "1" + "}" * 9)
    assert not frames.nested_too_deep('{"a": ' * 8 + "1" + "}" * 8)
    assert not frames.nested_too_deep('{"type": "message", "text": "[[[[[[[[[[ {{{{{{{{{{ \\" [[[[[[[[[["}')
    assert frames.nested_too_deep('{"text": "\\\\", "x": ' + "[" * 9 + "]" * 9 + "}")  # an escaped backslash


@pytest.mark.parametrize(("raw", "code"), [
    ("[" * 10_000, "invalid_frame"),
    ('{"type": "resume", "last_seq": 1180591620717411303424}', "invalid_frame"),
    ('{"type": "ping", "n": ' + "9" * 5_000 + "}", "malformed_json"),  # beyond Python's int parsing
])
def test_hostile_frames_are_frame_errors(raw: str, code: str) -> None:
    with pytest.raises(frames.FrameError) as refused:
        frames.parse(frames.customer_frames, raw, 16_384)
    assert refused.value.code == code


@pytest.mark.parametrize("raw", ["2147483648", str(2**70), "-1", "", "1e3", "１", " 1"])
def test_query_seq_is_bounded(raw: str) -> None:
    with pytest.raises(frames.FrameError):
        frames.query_seq("last_seq", raw)
    assert frames.query_seq("last_seq", "0") == 0
    assert frames.query_seq("last_seq", "2147483647") == 2**31 - 1


# --- origins --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("origin", "host", "also", "allowed"), [
    (None, "app.example", (), True),  # not a browser
    ("http://127.0.0.1:8000", "127.0.0.1:8000", (), True),
    ("https://app.example", "app.example", (), True),  # TLS ended at a proxy that kept the Host
    ("https://app.example", "app.example:443", (), True),
    ("https://APP.example", "app.example", (), True),
    ("http://127.0.0.1:8001", "127.0.0.1:8000", (), False),
    ("https://app.example.evil.example", "app.example", (), False),
    ("null", "app.example", (), False),  # sandboxed frames, file: pages
    ("https://shop.example", "app.example", (), False),
    ("https://shop.example", "app.example", ("https://shop.example/",), True),
    ("https://shop.example:8443", "app.example", ("https://shop.example",), False),
    ("http://shop.example", "app.example", ("https://shop.example",), False),
    ("https://anyone.example", "app.example", ("*",), True),
    ("not an origin", "app.example", ("*",), False),
])
def test_origin_rules(origin: str | None, host: str, also: tuple[str, ...], allowed: bool) -> None:
    assert origins.is_allowed(origin, host, also) is allowed


# --- tokens ---------------------------------------------------------------------------------------

KEYS = Keyring.build(["guards-test-key-" + "0" * 32], ["guards-shop-key-" + "0" * 32])


def _forged(purpose: TokenPurpose, **claims: object) -> str:
    """A token signed with the purpose's real key, with claims Keyring.sign would never write."""
    key = KEYS.keys[purpose][0]
    body = {"aud": purpose.audience, "exp": int(time.time()) + 60, **claims}
    return jwt.encode(body, key, algorithm="HS256", headers={"kid": security.key_id(key)})


@pytest.mark.parametrize("claims", [
    {"sub": "a\nb"},  # unprintable
    {"sub": "x" * 129},  # longer than any id
    {"sub": ""},
    {"sub": 12345},  # not a string
    {"sub": ["abc"]},
    {},  # no subject
    {"sub": "abc", "exp": None},
    {"sub": "abc", "exp": "soon"},
    {"sub": "abc", "aud": "shopbot:agent"},  # another purpose's audience, this purpose's key
])
def test_odd_claims_are_invalid_tokens(claims: dict[str, object]) -> None:
    with pytest.raises(security.InvalidToken):
        KEYS.verify(TokenPurpose.CONVERSATION, _forged(TokenPurpose.CONVERSATION, **claims))


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "x" * 5000, "e30.e30.", "\x00.\x00.\x00"])
def test_malformed_tokens_are_invalid_tokens(token: str) -> None:
    with pytest.raises(security.InvalidToken):
        KEYS.verify(TokenPurpose.AGENT, token)


def test_a_plain_forged_subject_passes_and_odd_subjects_are_not_signed() -> None:
    assert KEYS.verify(TokenPurpose.AGENT, _forged(TokenPurpose.AGENT, sub="bob")) == "bob"
    for odd in ("", "a\nb", "x" * 129):
        with pytest.raises(ValueError):
            KEYS.sign(TokenPurpose.CONVERSATION, odd, 60)


# --- logs -----------------------------------------------------------------------------------------

def test_uvicorn_records_lose_their_tokens_and_keep_their_shape() -> None:
    handshake = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, '%s - "WebSocket %s" [accepted]',
                                  ("127.0.0.1:1", "/ws/customer/c1?token=abc.def&last_seq=3"), None)
    access = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:1", "GET", "/ws/agent?x=1&token=abc.def", "1.1", 200), None)
    try:
        raise RuntimeError("POST http://rasa:5005/model/parse?token=rasa-secret failed")
    except RuntimeError:
        crash = logging.LogRecord("handoff.x", logging.ERROR, __file__, 1, "bot unavailable", (), sys.exc_info())
    redact = log_filters.RedactTokens()
    for record in (handshake, access, crash):
        assert redact.filter(record)
    assert handshake.getMessage() == '127.0.0.1:1 - "WebSocket /ws/customer/c1?token=[redacted]&last_seq=3" [accepted]'
    assert "abc.def" not in AccessFormatter(use_colors=False).format(access)
    assert "rasa-secret" not in logging.Formatter().format(crash)


def test_the_filter_is_installed_once() -> None:
    log_filters.install()
    log_filters.install()
    for name in ("uvicorn.error", "uvicorn.access"):
        assert sum(isinstance(f, log_filters.RedactTokens) for f in logging.getLogger(name).filters) == 1


# --- HTTP: body limit, headers, API docs ----------------------------------------------------------

@pytest.fixture
async def http(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The app without its lifespan: enough for what happens before a route needs the runtime."""
    app = create_app(_settings(tmp_path))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app.example") as client:
        yield client


async def test_bodies_over_the_limit_are_413(http: httpx.AsyncClient) -> None:
    big = b"x" * (64 * 1024 + 1)

    async def streamed() -> AsyncIterator[bytes]:  # no Content-Length
        for i in range(0, len(big), 4096):
            yield big[i:i + 4096]

    for content in (big, streamed()):
        resp = await http.post("/api/widget/conversations", content=content,
                               headers={"Content-Type": "application/json"})
        assert resp.status_code == 413, resp.text
        assert resp.headers["x-content-type-options"] == "nosniff"


async def test_pages_get_a_policy_and_everything_gets_nosniff(http: httpx.AsyncClient) -> None:
    widget = (await http.get("/widget")).headers["content-security-policy"]
    assert widget.endswith("frame-ancestors 'self' https://shop.example")
    assert (await http.get("/console")).headers["content-security-policy"].endswith("frame-ancestors 'none'")
    static = await http.get("/static/common.css")
    assert static.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in static.headers
    assert (await http.get("/docs")).status_code == 200


async def test_no_cdn_api_docs_in_production(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path, environment="production", secret_key="s" * 32, shop_token_key="k" * 32,
                               service_token="v" * 32, rasa_token="r" * 32))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app.example") as client:
        assert (await client.get("/docs")).status_code == 404
        assert (await client.get("/redoc")).status_code == 404
        assert (await client.get("/openapi.json")).status_code == 200
