"""Hostile input against a real app process (docs/security.md): foreign pages opening our sockets,
frames and URLs built to crash the parser or the database driver, forged-looking tokens, huge
bodies, missing security headers, and tokens in the log file. Every refusal is an answer (an error
frame, a 4xx), never a dropped connection or a 500."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
import websockets

from devstack.clients import Agent, Customer, Frame
from devstack.stack import Stack
from handoff import security
from handoff.security import Keyring, TokenPurpose
from tests.conftest import ARTIFACTS, extra_app

SECRET = "hostile-input-test-signing-key-0123456789"
SHOP_KEY = "hostile-input-test-shop-key-0123456789"
KEYS = Keyring.build([SECRET], [SHOP_KEY])
SHOP = "http://shop.example:8080"  # the one shop allowed to embed the widget on this app
EVIL = "http://evil.example"
HUGE = 2**70


@pytest.fixture(scope="module")
def hostile_url(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An app instance of its own: a signing key the test knows (to sign odd subjects) and a log
    file only these tests write to."""
    yield from extra_app(stack, tmp_path_factory, "hostile", {
        "SHOPBOT_SECRET_KEY": SECRET, "SHOPBOT_SHOP_TOKEN_KEY": SHOP_KEY, "SHOPBOT_WIDGET_ORIGINS": json.dumps([SHOP]),
        "SHOPBOT_SUPPORT_HOURS": "always", "SHOPBOT_SOCKET_AUTH_TIMEOUT_S": "1"})


def _ws(url: str) -> str:
    return url.replace("http", "ws", 1)


async def _frames_until_close(ws: websockets.ClientConnection, timeout: float = 10.0) -> tuple[list[Frame], int]:
    """Every frame the server sends until it closes the socket, and the close code."""
    frames = []
    async with ws:
        try:
            while True:
                frames.append(json.loads(await asyncio.wait_for(ws.recv(), timeout)))
        except websockets.ConnectionClosed:
            pass
    return frames, int(ws.close_code or 0)


async def _recv_until(ws: websockets.ClientConnection, kind: str, timeout: float = 10.0) -> Frame:
    async def scan() -> Frame:
        while True:
            frame: Frame = json.loads(await ws.recv())
            if frame["type"] == kind:
                return frame
    return await asyncio.wait_for(scan(), timeout)


def _forged(purpose: TokenPurpose, subject: object) -> str:
    """A token signed with the app's real key for `purpose`, with a subject Keyring.sign refuses."""
    key = KEYS.keys[purpose][0]
    claims = {"aud": purpose.audience, "sub": subject, "exp": int(time.time()) + 3600}
    return jwt.encode(claims, key, algorithm="HS256", headers={"kid": security.key_id(key)})


async def _open(url: str, token: str | None, **connect: Any) -> websockets.ClientConnection:
    """A raw socket; `token` (if any) sent as the first frame, as every client must."""
    ws = await websockets.connect(url, **connect)
    if token is not None:
        with contextlib.suppress(websockets.ConnectionClosed):  # refused before it (a foreign Origin)
            await ws.send(json.dumps({"type": "auth", "token": token}))
    return ws


async def _customer_url(base: str, **query: Any) -> tuple[Customer, str]:
    customer = Customer(base)
    async with httpx.AsyncClient(base_url=base) as http:
        body = (await http.post("/api/widget/conversations", json={"locale": "en"})).json()
    customer.conversation_id, customer.token = body["conversation_id"], body["token"]
    params = {"last_seq": 0, **query}
    url = f"{_ws(base)}/ws/customer/{customer.conversation_id}?" + "&".join(f"{k}={v}" for k, v in params.items())
    return customer, url


async def _agent_token(base: str) -> str:
    async with httpx.AsyncClient(base_url=base) as http:
        resp = await http.post("/api/agent/login", json={"agent_id": "bob", "password": "bob-demo"})
        resp.raise_for_status()
        return str(resp.json()["token"])


# --- Origin ---------------------------------------------------------------------------------------

async def test_a_foreign_page_cannot_open_either_socket(hostile_url: str) -> None:
    customer, url = await _customer_url(hostile_url)
    frames, code = await _frames_until_close(await _open(url, customer.token, origin=EVIL))  # type: ignore[arg-type]
    assert code == 4403 and [f["code"] for f in frames] == ["forbidden_origin"], frames

    agent_url, token = f"{_ws(hostile_url)}/ws/agent", await _agent_token(hostile_url)
    for origin in (EVIL, SHOP, "null"):  # the console is the app's own page only, not a shop's
        frames, code = await _frames_until_close(await _open(agent_url, token, origin=origin))  # type: ignore[arg-type]
        assert code == 4403 and [f["code"] for f in frames] == ["forbidden_origin"], (origin, frames)


async def test_the_apps_own_pages_and_the_listed_shops_may(hostile_url: str) -> None:
    own = hostile_url  # http://127.0.0.1:PORT, the Host the socket is opened on
    for origin in (own, SHOP, None):  # None: not a browser (still needs its token)
        customer, url = await _customer_url(hostile_url)
        async with await _open(url, customer.token, origin=origin) as ws:  # type: ignore[arg-type]
            assert (await _recv_until(ws, "hello"))["type"] == "hello"
    agent_url, token = f"{_ws(hostile_url)}/ws/agent", await _agent_token(hostile_url)
    for origin in (own, None):
        async with await _open(agent_url, token, origin=origin) as ws:  # type: ignore[arg-type]
            await _recv_until(ws, "queue")


# --- the token in the first frame ------------------------------------------------------------------

async def test_a_token_in_the_url_is_refused_even_a_valid_one(hostile_url: str) -> None:
    customer, url = await _customer_url(hostile_url, token="")
    for token_url in (url.replace("token=", f"token={customer.token}"),
                      f"{_ws(hostile_url)}/ws/agent?token={await _agent_token(hostile_url)}"):
        frames, code = await _frames_until_close(await _open(token_url, None))
        assert code == 4401 and [f["code"] for f in frames] == ["unauthorized"], frames
        assert "first frame" in frames[0]["detail"]


@pytest.mark.parametrize("first", [
    {"type": "ping"},  # anything but auth first
    {"type": "message", "client_msg_id": "m1", "text": "hi"},
    {"type": "auth"},
    {"type": "auth", "token": 12345},
    {"type": "auth", "token": "x" * 3000},  # longer than any token
    {"type": "auth", "token": "t", "extra": True},
    "not json",
])
async def test_a_first_frame_that_is_not_a_valid_auth_is_refused(hostile_url: str, first: object) -> None:
    _, url = await _customer_url(hostile_url)
    for target in (url, f"{_ws(hostile_url)}/ws/agent"):
        ws = await websockets.connect(target)
        await ws.send(first if isinstance(first, str) else json.dumps(first))
        frames, code = await _frames_until_close(ws)
        assert code == 4400 and len(frames) == 1 and frames[0]["type"] == "error", frames
        assert "first frame must be auth" in frames[0]["detail"]


async def test_tokens_of_another_purpose_do_not_open_a_socket(hostile_url: str) -> None:
    customer, url = await _customer_url(hostile_url)
    agent_token = await _agent_token(hostile_url)
    for target, token in ((url, agent_token), (f"{_ws(hostile_url)}/ws/agent", customer.token),
                          (url, KEYS.sign(TokenPurpose.CUSTOMER, customer.conversation_id, 60))):
        frames, code = await _frames_until_close(await _open(target, token))
        assert code == 4401 and [f["code"] for f in frames] == ["unauthorized"], frames


async def test_a_socket_that_never_authenticates_is_closed(hostile_url: str) -> None:
    _, url = await _customer_url(hostile_url)
    # The hostile app waits 1 s for the auth frame (SHOPBOT_SOCKET_AUTH_TIMEOUT_S); nothing is sent.
    frames, code = await _frames_until_close(await websockets.connect(url))
    assert code == 4401 and [f["code"] for f in frames] == ["unauthorized"], frames
    assert "no auth frame" in frames[0]["detail"]


# --- frames and URLs built to crash ---------------------------------------------------------------

async def test_deeply_nested_json_is_an_error_frame_and_the_socket_lives_on(hostile_url: str) -> None:
    customer = await Customer(hostile_url).start()
    agent = await Agent(hostile_url, "bob", "bob-demo").login()
    for socket in (customer.ws, agent.ws):
        for deep in ("[" * 10_000, '{"type": "ping", "x": ' + "[" * 5_000 + "]" * 5_000 + "}"):
            start = len(socket.frames)
            await socket.send(deep)
            error = await socket.wait_for(lambda f: f["type"] == "error", start=start)
            assert error["code"] == "invalid_frame" and "nested" in error["detail"], error
        start = len(socket.frames)
        await socket.send({"type": "ping"})
        await socket.wait_for(lambda f: f["type"] == "pong", start=start)
    # Brackets inside a message's text are text, not nesting.
    ack = await customer.say("[[[[[[[[[[ {{{{{{{{{{ ]]]]")
    assert ack["type"] == "ack", ack
    await customer.ws.close()
    await agent.ws.close()


async def test_huge_sequence_numbers_are_refused_not_crashed_on(hostile_url: str) -> None:
    # In the socket's URL: an error frame, then the socket is closed with 4400.
    for bad in (HUGE, -1, "abc", ""):
        customer, url = await _customer_url(hostile_url, last_seq=bad)
        frames, code = await _frames_until_close(await _open(url, customer.token))
        assert code == 4400 and [f["code"] for f in frames] == ["invalid_frame"], (bad, frames)
        assert "last_seq" in frames[0]["detail"]

    # In a resume frame, on both sockets: an error frame, and the socket still works.
    customer = await Customer(hostile_url).start()
    agent = await Agent(hostile_url, "bob", "bob-demo").login()
    for socket, extra in ((customer.ws, {}), (agent.ws, {"conversation_id": customer.conversation_id})):
        start = len(socket.frames)
        await socket.send({"type": "resume", "last_seq": HUGE, **extra})
        error = await socket.wait_for(lambda f: f["type"] == "error", start=start)
        assert error["code"] == "invalid_frame" and "last_seq" in error["detail"], error
        await socket.send('{"type": "ping", "n": ' + "9" * 5_000 + "}")  # beyond Python's int parsing
        error = await socket.wait_for(lambda f: f["type"] == "error", start=len(socket.frames))
        assert error["code"] == "malformed_json", error
        start = len(socket.frames)
        await socket.send({"type": "ping"})
        await socket.wait_for(lambda f: f["type"] == "pong", start=start)
    start = len(agent.ws.frames)
    await agent.ws.send({"type": "read", "conversation_id": customer.conversation_id, "seq": HUGE})
    assert (await agent.ws.wait_for(lambda f: f["type"] == "error", start=start))["code"] == "invalid_frame"

    # On the history endpoint: 422.
    async with httpx.AsyncClient(base_url=hostile_url, headers={"X-Conversation-Token": customer.token}) as http:
        path = f"/api/widget/conversations/{customer.conversation_id}/messages"
        assert (await http.get(path, params={"after_seq": HUGE})).status_code == 422
        assert (await http.get(path, params={"after_seq": 2**31 - 1})).status_code == 200
    await customer.ws.close()
    await agent.ws.close()


# --- tokens ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("subject", ["bob\x00", "x" * 500, 12345, ["bob"], ""])
async def test_a_signed_token_with_an_odd_subject_is_401(hostile_url: str, subject: object) -> None:
    customer = await Customer(hostile_url).start()
    await customer.ws.close()
    odd_conversation = _forged(TokenPurpose.CONVERSATION, subject)
    odd_agent = _forged(TokenPurpose.AGENT, subject)
    async with httpx.AsyncClient(base_url=hostile_url) as http:
        resp = await http.get(f"/api/widget/conversations/{customer.conversation_id}/messages",
                              headers={"X-Conversation-Token": odd_conversation})
        assert resp.status_code == 401, resp.text
        resp = await http.get("/api/agent/queue", headers={"Authorization": f"Bearer {odd_agent}"})
        assert resp.status_code == 401, resp.text
        resp = await http.post("/api/widget/conversations",
                               json={"customer_token": _forged(TokenPurpose.CUSTOMER, subject)})
        assert resp.status_code == 401, resp.text
        # The same key and format with a plain subject is accepted: the refusal is the subject's.
        plain = _forged(TokenPurpose.AGENT, "bob")
        resp = await http.get("/api/agent/queue", headers={"Authorization": f"Bearer {plain}"})
        assert resp.status_code == 200, resp.text

    url = f"{_ws(hostile_url)}/ws/customer/{customer.conversation_id}"
    frames, code = await _frames_until_close(await _open(url, odd_conversation))
    assert code == 4401 and [f["code"] for f in frames] == ["unauthorized"], frames
    frames, code = await _frames_until_close(await _open(f"{_ws(hostile_url)}/ws/agent", odd_agent))
    assert code == 4401 and [f["code"] for f in frames] == ["unauthorized"], frames


async def test_agent_tokens_for_agents_who_do_not_exist_are_refused(hostile_url: str) -> None:
    mallory = _forged(TokenPurpose.AGENT, "mallory")  # the app's real key, an agent it never had
    async with httpx.AsyncClient(base_url=hostile_url) as http:
        resp = await http.get("/api/agent/queue", headers={"Authorization": f"Bearer {mallory}"})
        assert resp.status_code == 401, resp.text
    frames, code = await _frames_until_close(await _open(f"{_ws(hostile_url)}/ws/agent", mallory))
    assert code == 4401 and [f["code"] for f in frames] == ["unauthorized"], frames


# --- bodies ---------------------------------------------------------------------------------------

async def test_a_20_mb_body_is_413(hostile_url: str) -> None:
    huge = b"x" * (20 * 1024 * 1024)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams in
        for i in range(0, len(huge), 65_536):
            yield huge[i:i + 65_536]

    async def achunks() -> Any:
        for chunk in chunks():
            yield chunk

    async with httpx.AsyncClient(base_url=hostile_url, timeout=30) as http:
        for content in (huge, achunks()):
            try:
                resp = await http.post("/api/widget/conversations", content=content,
                                       headers={"Content-Type": "application/json"})
            except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
                pytest.fail("the server dropped the connection instead of answering 413")
            assert resp.status_code == 413, (resp.status_code, resp.text[:200])
        # A body under the limit still works on the same client.
        resp = await http.post("/api/widget/conversations", json={"locale": "en", "pad": "x" * 30_000})
        assert resp.status_code == 201, resp.text


# --- headers --------------------------------------------------------------------------------------

async def test_security_headers_on_pages_and_files(hostile_url: str) -> None:
    async with httpx.AsyncClient(base_url=hostile_url) as http:
        for path in ("/console", "/admin", "/dashboard", "/widget"):
            resp = await http.get(path)
            assert resp.status_code == 200
            assert resp.headers["x-content-type-options"] == "nosniff"
            assert resp.headers["referrer-policy"] == "strict-origin-when-cross-origin"
            policy = resp.headers["content-security-policy"]
            for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                              "img-src 'self' data:", "connect-src 'self' ws: wss:"):
                assert directive in policy, (path, policy)
            expected = f"frame-ancestors 'self' {SHOP}" if path == "/widget" else "frame-ancestors 'none'"
            assert policy.endswith(expected), (path, policy)
        for path in ("/static/common.css", "/static/widget/embed.js", "/api/meta"):
            resp = await http.get(path)
            assert resp.status_code == 200, path
            assert resp.headers["x-content-type-options"] == "nosniff", path
            assert "content-security-policy" not in resp.headers, path
        assert (await http.get("/docs")).status_code == 200  # development keeps the API docs


# --- logs -----------------------------------------------------------------------------------------

async def test_no_token_reaches_the_log_file(hostile_url: str) -> None:
    customer = await Customer(hostile_url).start()
    agent = await Agent(hostile_url, "bob", "bob-demo").login()
    await customer.ws.close()
    await agent.ws.close()
    log = (ARTIFACTS / "logs" / "app-hostile.log").read_text(errors="replace")
    # The app still logs each socket (uvicorn's handshake line, as devstack runs it), whose URL no
    # longer carries a token (it comes in the first frame)...
    assert f"/ws/customer/{customer.conversation_id}?last_seq=0" in log
    assert '"WebSocket /ws/agent"' in log
    # ...and no token, neither the part before the signature nor the signature.
    for token in (customer.token, agent.token):
        for part in token.split("."):
            assert part not in log
