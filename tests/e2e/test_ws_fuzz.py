"""Websocket fuzzing (issue 11): both sockets of a real app process, through real websocket clients,
fed frames generated from the frame types themselves (api/frames.py's TypeAdapters): every field of
every type given each of a list of hostile values (wrong types, 2**70, 1e400, -0, NaN, lone
surrogates, 17 KB strings, nesting), fields left out and added, unknown types, malformed JSON,
binary frames, frames past the websocket's own limit, and floods of 2,000 frames sent without
waiting. Deterministic: a seeded random.Random picks the floods' frames.

The property: every frame gets its answer (an error frame for what the parser refuses, exactly as
api/frames.parse says in this process; whatever the protocol answers, maybe nothing, for a valid
one), and the socket stays open (docs/protocol.md: a refused frame leaves it open) and answers
`ping` with `pong`. The only closes are the protocol's: 4400/4401 after a first frame that is not a
valid auth, 1009 for a frame past the websocket's own limit; never 1011 (a crash). At the end the
app is healthy and its log has no traceback.

test_hostile_input.py has the hand-picked cases (the first frame, deep nesting, huge sequence
numbers on resume); this module covers the rest of the frame space."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import quote, unquote

import httpx
import pytest
import websockets
from pydantic import TypeAdapter

from api import frames
from devstack.clients import Agent, Customer, Frame, Socket
from devstack.stack import Stack
from tests.conftest import ARTIFACTS, NO_RATE_LIMITS, extra_app

SEED = 1125
MAX_FRAME_BYTES = 16_384  # the app's default SHOPBOT_MAX_FRAME_BYTES
WS_MAX_SIZE = 1 << 20  # uvicorn's --ws-max-size in devstack: past it the websocket layer closes with 1009
FLOOD = 2_000
PING = '{"type": "ping"}'
PARSER_CODES = {"invalid_frame", "malformed_json", "frame_too_large", "binary_frame"}
# The frame types sent valid, as generated, on the fuzzed chat: none of them takes it from bob.
CUSTOMER_HARMLESS = {"message", "ping", "presence", "read", "resume", "typing"}
AGENT_HARMLESS = {"message", "note", "ping", "presence", "read", "resume", "typing", "suggestion", "claim"}

# A field's value as raw JSON text: what json.dumps cannot write (1e400, NaN, 2**70 digits) too.
HOSTILE: list[str] = [
    "null", "true", "false", "0", "-0", "-1", "1.5", "-0.0", "1e-400", "1e400", "-1e400", "NaN", "Infinity",
    "-Infinity", str(2**31), str(2**63), str(2**70), str(-(2**70)), "9" * 4_301,  # past Python's int parsing
    '""', '" "', '"NaN"', '"1e400"', '"-0"', '"2147483648"', '"ping"', '"\\u0000"', '"\\ud800"', '"\\udfff x"',
    '"\\u202e\\u200b"', json.dumps("é" * 50), json.dumps("x" * 2_001), json.dumps("x" * 17_000),  # > a frame
    "[]", "{}", '["ping"]', '{"type": "ping"}', "[" * 8 + "]" * 8, "[" * 9 + "]" * 9, "[" * 12_000,
    "[" * 50_000,
]
# Whole frames that are not frames.
GARBAGE: list[str] = [
    "", " ", "\n", "{", "}", "[]", "null", "1", '"ping"', "ping", '{"type": }', '{"type": "ping",}',
    "{'type': 'ping'}", '{"type": "ping"}{"type": "ping"}', '{"type": "ping"} x', "\x00", "\ufeff{\"type\": \"ping\"}",
    '{"type": "ping"', '{"type": "ping", "type": "pong"}', '{"TYPE": "ping"}', '{"type": "PING"}', '{"type": "ping "}',
    '{"type": null}', '{"type": 1}', '{"type": ["ping"]}', '{"type": "auth", "token": "x"}', '{"type": "pong"}',
    '{"type": "hello"}', '{"type": "error"}', '{"type": "__proto__"}', '{"__proto__": {"type": "ping"}}',
    '{"type": "constructor"}', '{"type": "' + "t" * 10_000 + '"}', "{" * 9 + "}" * 9, "\U0001f600" * 100,
]


@dataclass(frozen=True)
class Case:
    raw: str | bytes
    refused: str | None  # the error code the server must answer with (api/frames.parse here), None if valid


def _schemas(adapter: TypeAdapter[Any]) -> dict[str, tuple[dict[str, dict[str, Any]], set[str]]]:
    """Each frame type of a socket: its fields' JSON schemas, and which fields are required."""
    schema = adapter.json_schema()
    defs = schema["$defs"]
    out = {}
    for ref in schema["discriminator"]["mapping"].values():
        model = defs[ref.rsplit("/", 1)[1]]
        fields = {name: defs[f["$ref"].rsplit("/", 1)[1]] if "$ref" in f else f
                  for name, f in model["properties"].items()}
        out[model["properties"]["type"]["const"]] = (fields, set(model.get("required", [])))
    return out


def _valid(name: str, field: dict[str, Any], conversation_id: str, n: int) -> Any:
    if "const" in field:
        return field["const"]
    if "enum" in field:
        return field["enum"][n % len(field["enum"])]
    if name == "conversation_id":
        return conversation_id
    if name == "client_msg_id":
        return f"fz-{n}"
    if name == "to_agent_id":
        return "alice"
    if field.get("type") == "integer" or any(o.get("type") == "integer" for o in field.get("anyOf", [])):
        return 1
    return "fuzz text"


def _raw(fields: dict[str, str]) -> str:
    return "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in fields.items()) + "}"


def _refusal(adapter: TypeAdapter[Any], raw: str | bytes) -> str | None:
    """The error code the server must answer `raw` with, from the parser the server runs
    (api/frames.parse), or None for a frame it takes."""
    if isinstance(raw, bytes):
        return "binary_frame"
    try:
        frame = frames.parse(adapter, raw, MAX_FRAME_BYTES)
    except frames.FrameError as exc:
        return exc.code
    # The one rule past the parser: the agent socket's message frame names its conversation.
    if adapter is frames.agent_frames and isinstance(frame, frames.SendMessage) and frame.conversation_id is None:
        return "invalid_frame"
    return None


def fuzz_cases(adapter: TypeAdapter[Any], conversation_id: str, decoy: str, harmless: set[str]) -> list[Case]:
    """Every frame type with each field in turn given each hostile value, left out, and a field
    added; the valid frame itself for the types in `harmless`; unknown types, garbage and binary
    frames. The types not in `harmless` (they would close, hand back or pass on the chat the rest
    of the run needs) name `decoy` instead, so one that turns out valid is refused by the rules."""
    raws: list[str | bytes] = []
    for n, (kind, (fields, required)) in enumerate(sorted(_schemas(adapter).items())):
        target = conversation_id if kind in harmless else decoy
        valid = {name: json.dumps(_valid(name, f, target, n)) for name, f in fields.items()}
        if kind in harmless:
            raws.append(_raw(valid))
        for name in fields:
            raws.extend(_raw({**valid, name: value}) for value in HOSTILE)
            if name in required:
                raws.append(_raw({k: v for k, v in valid.items() if k != name}))
        raws.append(_raw({**valid, "extra": "1"}))
    raws.extend(_raw({"type": value}) for value in HOSTILE)
    raws.extend(GARBAGE)
    raws.extend([b"", b'{"type": "ping"}', bytes(range(256)), b"\xff" * 20_000])
    return [Case(raw, _refusal(adapter, raw)) for raw in raws]


@pytest.fixture(scope="module")
def fuzz_app(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, IO[str]]]:
    """An app of its own (its URL, and its log file opened): its log is read at the end. The
    documented message limits (the suite's apps have none), so a flood of messages is refused as
    the protocol says rather than stored and answered by the bot 2,000 times. Bob keeps his chat
    for the whole run however long he does not write."""
    env = {**NO_RATE_LIMITS, "SHOPBOT_CUSTOMER_MESSAGE_RATE": "20/10 seconds",
           "SHOPBOT_AGENT_MESSAGE_RATE": "60/10 seconds", "SHOPBOT_ANSWER_TIMEOUT_S": "3600",
           "SHOPBOT_PRESENCE_GRACE_S": "3600"}
    for url in extra_app(stack, tmp_path_factory, "wsfuzz", env):
        # Opened now: readable through this handle even if another pytest session, starting its
        # stack, clears tests/artifacts/logs meanwhile.
        with (ARTIFACTS / "logs" / "app-wsfuzz.log").open(errors="replace") as log:
            yield url, log


@dataclass
class Chat:
    customer: Customer  # on a chat handed off to bob
    bob: Agent
    other: str  # a conversation still with the bot: where bob's valid close/handback/transfer go


@pytest.fixture(scope="module")
async def chat(fuzz_app: tuple[str, IO[str]]) -> AsyncIterator[Chat]:
    url = fuzz_app[0]
    bob = await Agent(url, "bob", "bob-demo").login()
    customer = await Customer(url).start()
    start = len(customer.ws.frames)
    await customer.say("I want to talk to a person")
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] in ("queued", "ticket"), start=start)
    assert (await bob.claim(customer.conversation_id))["type"] == "claimed"
    other = await Customer(url).start()
    await other.ws.close()
    yield Chat(customer, bob, other.conversation_id)
    for socket in (customer.socket, bob.socket):
        if socket is not None and socket.closed_code is None:
            await socket.close()


def _ws(url: str) -> str:
    return url.replace("http", "ws", 1)


async def _send(socket: Socket, raw: str | bytes) -> None:
    await socket.ws.send(raw)


async def _pongs(socket: Socket, count: int, start: int, timeout: float = 60.0) -> None:
    """Waits for the count-th pong after frame index `start`."""
    seen = 0

    def enough(frame: Frame) -> bool:  # called once per frame, in order
        nonlocal seen
        if frame["type"] == "pong":
            seen += 1
        return seen >= count
    try:
        await socket.wait_for(enough, timeout, start=start)
    except AssertionError:
        got = sum(1 for f in socket.frames[start:] if f["type"] == "pong")
        raise AssertionError(f"{got} of {count} pongs; socket closed with {socket.closed_code}") from None


def _is_ping(case: Case) -> bool:
    """A valid ping among the cases: answered with a pong of its own."""
    return case.refused is None and isinstance(case.raw, str) and bool(json.loads(case.raw)["type"] == "ping")


def _until_pong(received: Iterator[Frame]) -> list[Frame]:
    answer = []
    for frame in received:
        if frame["type"] == "pong":
            break
        answer.append(frame)
    return answer


async def _each_answered(socket: Socket, cases: list[Case]) -> None:
    """Each case followed by a ping, all sent without waiting; the answers up to that ping's pong are
    the case's (the server handles a socket's frames one at a time, in order)."""
    start = len(socket.frames)
    for case in cases:
        await _send(socket, case.raw)
        await _send(socket, PING)
    try:
        await _pongs(socket, len(cases) + sum(map(_is_ping, cases)), start)
    except AssertionError as exc:  # name the first case left unanswered
        pongs = sum(f["type"] == "pong" for f in socket.frames[start:])
        expected = itertools.accumulate(1 + _is_ping(c) for c in cases)
        culprit = next(c for c, total in zip(cases, expected, strict=True) if total > pongs)
        raise AssertionError(f"{exc}; unanswered from {str(culprit.raw)[:300]!r}") from None
    received = iter(socket.frames[start:])
    for case in cases:
        answer = [frame for _ in range(1 + _is_ping(case)) for frame in _until_pong(received)]
        errors = [f["code"] for f in answer if f["type"] == "error"]
        if case.refused is not None:
            assert errors == [case.refused], (str(case.raw)[:300], answer)
    assert socket.closed_code is None


async def test_every_field_of_every_frame_type_on_both_sockets(chat: Chat) -> None:
    conversation_id = chat.customer.conversation_id
    customer_cases = fuzz_cases(frames.customer_frames, conversation_id, chat.other, CUSTOMER_HARMLESS)
    agent_cases = fuzz_cases(frames.agent_frames, conversation_id, chat.other, AGENT_HARMLESS)
    assert len(customer_cases) > 500 and len(agent_cases) > 1_000, (len(customer_cases), len(agent_cases))
    # Some get past the parser to the handlers (and the database).
    assert sum(c.refused is None for c in agent_cases) > 20, sum(c.refused is None for c in agent_cases)
    await asyncio.gather(_each_answered(chat.customer.ws, customer_cases), _each_answered(chat.bob.ws, agent_cases))
    # The frames that would change the chat's hands, valid, on the conversation still with the bot:
    # refused by the rules (an error frame), not by a crash.
    valid = fuzz_cases(frames.agent_frames, chat.other, chat.other, {"close", "handback", "transfer"})
    await _each_answered(chat.bob.ws, [c for c in valid if c.refused is None])


@pytest.mark.parametrize("who", ["customer", "agent"])
async def test_a_flood_of_2000_frames_sent_without_waiting(chat: Chat, who: str) -> None:
    """2,000 frames, a third of them messages (notes from the agent), the rest drawn from the fuzz
    cases, sent as fast as the socket takes them; then one ping. By its pong every parser refusal
    has had its error frame and every message its ack or its refusal (rate_limited, mostly)."""
    socket = chat.customer.ws if who == "customer" else chat.bob.ws
    adapter = frames.customer_frames if who == "customer" else frames.agent_frames
    pool = [c for c in fuzz_cases(adapter, chat.customer.conversation_id, chat.other,
                                  CUSTOMER_HARMLESS if who == "customer" else AGENT_HARMLESS)
            if len(c.raw) < 4_000]  # a flood, not a bandwidth test
    rng = random.Random(f"{SEED}-{who}")
    start = len(socket.frames)
    fuzzed: list[Case] = []
    ids: set[str] = set()
    for kind in rng.choices(["fuzz", "message"], weights=[2, 1], k=FLOOD):
        if kind == "message":
            cid = f"flood-{who}-{len(ids)}"
            ids.add(cid)
            note = {"type": "note", "conversation_id": chat.customer.conversation_id} if who == "agent" else {}
            await _send(socket, json.dumps({"type": "message", "client_msg_id": cid, "text": "flood", **note}))
        else:
            fuzzed.append(rng.choice(pool))
            await _send(socket, fuzzed[-1].raw)
    await _send(socket, PING)
    await _pongs(socket, sum(map(_is_ping, fuzzed)) + 1, start, timeout=90)
    answers = socket.frames[start:]
    refusals = Counter(f["code"] for f in answers if f["type"] == "error" and f["code"] in PARSER_CODES)
    assert refusals == Counter(c.refused for c in fuzzed if c.refused is not None)
    answered = {f["client_msg_id"] for f in answers if f["type"] in ("ack", "error") and f.get("client_msg_id") in ids}
    assert answered == ids, sorted(ids - answered)[:10]
    assert socket.closed_code is None


async def test_a_frame_past_the_websocket_limit_closes_with_1009(chat: Chat,
                                                                 fuzz_app: tuple[str, IO[str]]) -> None:
    """Past uvicorn's --ws-max-size the websocket layer closes that socket (1009, message too big)
    before the app sees the frame; the app's other sockets go on."""
    url = fuzz_app[0]
    customer = await Customer(url).start()
    for target, token in ((f"{_ws(url)}/ws/customer/{customer.conversation_id}", customer.token),
                          (f"{_ws(url)}/ws/agent", chat.bob.token)):
        socket = await Socket.open(target, token)
        await socket.wait_for(lambda f: f["type"] == "hello")
        await socket.ws.send('{"type": "ping", "x": "' + "x" * WS_MAX_SIZE + '"}')
        with pytest.raises(AssertionError, match="socket closed"):
            await socket.wait_for(lambda f: False, timeout=30)
        assert socket.closed_code == 1009, socket.closed_code
    await customer.ws.close()
    for socket in (chat.customer.ws, chat.bob.ws):
        start = len(socket.frames)
        await _send(socket, PING)
        await _pongs(socket, 1, start)


async def test_first_frames_that_are_not_auth(chat: Chat, fuzz_app: tuple[str, IO[str]]) -> None:
    """A sample of the same cases as the first frame: one error frame, then 4400 (4401 for an auth
    frame whose token is not one)."""
    url = fuzz_app[0]
    rng = random.Random(f"{SEED}-first")
    pool = fuzz_cases(frames.customer_frames, chat.customer.conversation_id, chat.other, {"ping"})
    sample = [c.raw for c in rng.sample(pool, 40)] + [_raw({"type": '"auth"', "token": v}) for v in HOSTILE]
    for target in (f"{_ws(url)}/ws/customer/{chat.customer.conversation_id}", f"{_ws(url)}/ws/agent"):
        for raw in sample:
            async with websockets.connect(target) as ws:
                await ws.send(raw)
                answer = []
                try:
                    while True:
                        answer.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
                except websockets.ConnectionClosed:
                    pass
                code = ws.close_code
            assert code in (4400, 4401) and [f["type"] for f in answer] == ["error"], (str(raw)[:200], code, answer)


async def test_clients_that_leave_right_after_their_auth_frame(chat: Chat) -> None:
    """A tab closed while its socket connects: gone (a close handshake, or the connection dropped)
    by the time the server greets it. The server's hello finds nobody; that is no application error
    (the log is read last), and the next socket is greeted as usual."""
    targets = ((f"{_ws(chat.customer.base_url)}/ws/customer/{chat.customer.conversation_id}", chat.customer.token),
               (f"{_ws(chat.bob.base_url)}/ws/agent", chat.bob.token))
    for target, token in targets:
        for attempt in range(10):
            ws = await websockets.connect(target)
            await ws.send(json.dumps({"type": "auth", "token": token}))
            if attempt % 2:
                ws.transport.abort()
            else:
                await ws.close()
        socket = await Socket.open(target, token)
        await socket.wait_for(lambda f: f["type"] == "hello")
        await socket.close()


@pytest.mark.parametrize("last_seq", ["1e3", "0x10", "+1", " 1", "1 ", "\uff11", "\u0663", "0000000001", "00000000001",
                                      "2147483647", "2147483648", "-0", "NaN", "\x00", "\udcff"])
async def test_last_seq_in_the_url(chat: Chat, fuzz_app: tuple[str, IO[str]], last_seq: str) -> None:
    """The customer socket's one query parameter: refused (an error frame, 4400) exactly when
    api/frames.query_seq refuses it, else the socket opens."""
    query = quote(last_seq, errors="surrogateescape")  # "\udcff": the byte 0xff, not UTF-8
    ws = await websockets.connect(f"{_ws(fuzz_app[0])}/ws/customer/{chat.customer.conversation_id}?last_seq={query}")
    with contextlib.suppress(websockets.ConnectionClosed):  # refused (4400) before the auth frame is read
        await ws.send(json.dumps({"type": "auth", "token": chat.customer.token}))
    first = json.loads(await asyncio.wait_for(ws.recv(), 10))
    try:
        frames.query_seq("last_seq", unquote(query))
    except frames.FrameError:
        assert first["code"] == "invalid_frame", first
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 10)
        assert ws.close_code == 4400
    else:
        assert first["type"] == "hello", first
        await ws.close()


def test_the_app_is_healthy_and_logged_no_traceback(fuzz_app: tuple[str, IO[str]]) -> None:
    url, log_file = fuzz_app
    with httpx.Client(base_url=url) as http:
        assert http.get("/healthz").status_code == 200
    log = log_file.read()
    assert "Traceback" not in log, log[log.index("Traceback") - 2000:][:6000]
