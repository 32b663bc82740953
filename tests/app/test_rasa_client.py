"""The app's Rasa client and its circuit breaker against a Rasa on a real socket, which answers, or
answers with an error status, or hangs (accepts and reads the request, never answers, as a
SIGSTOPped process does), or is not there at all (refused). The breaker opens after
`failures_to_open` timeouts in a row (a success or any answer starts the count again), or at once on
a refused connection; while open, calls fail at once without touching the network; after
`open_for_s` (an injected clock: no waiting) one call goes through as a probe."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest

from bot.client import BotUnavailable, RasaClient

TIMEOUT_S = 0.5  # each hanging call costs this much real time
OPEN_FOR_S = 15.0
FAST = "not asking again"  # the breaker's own refusal: no request was made


class FakeRasa:
    """Counts connections and requests. `mode`: "answer" (200, or `status`), "hang"; `gate`, when
    set, holds each answer until it is set; `arrived` is set as each request has been read."""

    def __init__(self) -> None:
        self.mode = "answer"
        self.status = 200
        self.gate: asyncio.Event | None = None
        self.arrived = asyncio.Event()
        self.connections = 0
        self.requests = 0
        self._closing = asyncio.Event()
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None

    async def start(self, port: int = 0) -> str:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def close(self) -> None:
        self._closing.set()
        for writer in self._writers:
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    # The app's channel (bot/channels/shopbot.py): the replies and the message's parse.
    channel_answer = (b'{"replies": [], "reading": {"text": "hello", '
                      b'"intent": {"name": "greet", "confidence": 0.9}}}')

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        try:
            while line := await reader.readline():
                length = 0
                while (header := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = header.decode("latin-1").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                await reader.readexactly(length)
                self.requests += 1
                self.arrived.set()
                if self.mode == "hang":
                    await self._closing.wait()
                    return
                if self.gate is not None:
                    await self.gate.wait()
                body = self.channel_answer if b"/webhooks/" in line else b"{}"
                writer.write(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                             % (self.status, len(body), body))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def rasa() -> AsyncIterator[FakeRasa]:
    fake = FakeRasa()
    try:
        yield fake
    finally:
        await fake.close()


async def _client(fake: FakeRasa, clock: Clock, failures_to_open: int = 3) -> RasaClient:
    return RasaClient(await fake.start(), "token", timeout_s=TIMEOUT_S, open_for_s=OPEN_FOR_S,
                      failures_to_open=failures_to_open, monotonic=clock)


async def _times_out(client: RasaClient) -> None:
    """A call that went to Rasa and gave up after its timeout (not the breaker's refusal)."""
    with pytest.raises(BotUnavailable) as failed:
        await client.send("c1", "hello", {})
    assert FAST not in str(failed.value)


async def _fails_fast(client: RasaClient, fake: FakeRasa) -> None:
    """Every kind of call fails at once, and none of them reaches Rasa."""
    connections, requests = fake.connections, fake.requests
    for call in (client.tracker("c1"), client.parse("hi"), client.send("c2", "hello", {}),
                 client.reading("c3")):  # c3: no parse kept from a turn of its own
        with pytest.raises(BotUnavailable, match=FAST):
            await asyncio.wait_for(call, TIMEOUT_S / 5)
    assert (fake.connections, fake.requests) == (connections, requests)


async def test_a_hanging_rasa_under_load_costs_one_timeout_then_the_breaker_answers(rasa: FakeRasa) -> None:
    # Three turns at once all time out together: three failures in a row, the breaker opens, and the
    # handoffs' tracker reads (and every later call) cost nothing more.
    rasa.mode = "hang"
    client = await _client(rasa, Clock())
    try:
        await asyncio.gather(*(_times_out(client) for _ in range(3)))
        assert rasa.requests == 3
        await _fails_fast(client, rasa)
    finally:
        await client.aclose()


async def test_one_slow_turn_does_not_open_it_and_a_success_starts_the_count_again(rasa: FakeRasa) -> None:
    rasa.mode = "hang"
    client = await _client(rasa, Clock())
    try:
        await _times_out(client)
        await _times_out(client)
        assert rasa.requests == 2
        rasa.mode = "answer"
        assert await client.send("c1", "hello", {}) == []  # still closed: it went through
        assert rasa.requests == 3

        rasa.mode = "hang"  # the count starts again: two more timeouts still leave it closed
        await _times_out(client)
        await _times_out(client)
        await _times_out(client)  # the third reached Rasa, and opens it
        assert rasa.requests == 6
        await _fails_fast(client, rasa)
    finally:
        await client.aclose()


async def test_an_error_status_starts_the_count_again_and_never_opens_it(rasa: FakeRasa) -> None:
    client = await _client(rasa, Clock(), failures_to_open=2)
    try:
        rasa.mode = "hang"
        await _times_out(client)
        rasa.mode, rasa.status = "answer", 500
        with pytest.raises(BotUnavailable, match="500"):  # Rasa answered: reachable
            await client.send("c1", "hello", {})
        rasa.mode = "hang"
        await _times_out(client)  # one in a row again, not two: still closed
        rasa.mode = "answer"
        for _ in range(5):  # error statuses alone never open it
            with pytest.raises(BotUnavailable, match="500"):
                await client.parse("hi")
        assert rasa.requests == 8
    finally:
        await client.aclose()


async def test_after_open_for_s_one_probe_goes_through_and_its_answer_closes_it(rasa: FakeRasa) -> None:
    clock = Clock()
    client = await _client(rasa, clock)
    try:
        rasa.mode = "hang"
        await asyncio.gather(*(_times_out(client) for _ in range(3)))
        clock.now += OPEN_FOR_S - 0.01
        await _fails_fast(client, rasa)  # not yet

        clock.now += 0.02
        rasa.mode, rasa.gate = "answer", asyncio.Event()
        rasa.arrived.clear()
        requests = rasa.requests
        probe = asyncio.create_task(client.send("c1", "hello", {}))
        await asyncio.wait_for(rasa.arrived.wait(), 5)  # the probe is at Rasa, its answer held back
        assert rasa.requests == requests + 1
        await _fails_fast(client, rasa)  # while the probe is in flight, the others still fail at once
        rasa.gate.set()
        assert await asyncio.wait_for(probe, 5) == []
        assert rasa.requests == requests + 1

        assert await client.tracker("c1") == {}  # closed: calls go to Rasa again
        assert rasa.requests == requests + 2
    finally:
        await client.aclose()


async def test_a_failed_probe_opens_it_again_for_open_for_s(rasa: FakeRasa) -> None:
    clock = Clock()
    client = await _client(rasa, clock)
    try:
        rasa.mode = "hang"
        await asyncio.gather(*(_times_out(client) for _ in range(3)))
        clock.now += OPEN_FOR_S
        await _times_out(client)  # the probe reached Rasa and timed out
        assert rasa.requests == 4
        await _fails_fast(client, rasa)  # open again at once: one failed probe is enough
        clock.now += OPEN_FOR_S - 0.01
        await _fails_fast(client, rasa)  # for the whole open_for_s

        clock.now += 0.02
        rasa.mode = "answer"
        assert await client.parse("hi") == {}  # the next probe closes it
        assert await client.parse("hi") == {}
        assert rasa.requests == 6
    finally:
        await client.aclose()


async def test_a_cancelled_probe_lets_the_next_call_probe(rasa: FakeRasa) -> None:
    clock = Clock()
    client = await _client(rasa, clock, failures_to_open=1)
    try:
        rasa.mode = "hang"
        await _times_out(client)
        clock.now += OPEN_FOR_S
        rasa.arrived.clear()
        probe = asyncio.create_task(client.send("c1", "hello", {}))
        await asyncio.wait_for(rasa.arrived.wait(), 5)
        probe.cancel()  # e.g. the app shutting down mid-turn
        with pytest.raises(asyncio.CancelledError):
            await probe
        rasa.mode = "answer"
        assert await client.send("c1", "hello", {}) == []
        assert rasa.requests == 3
    finally:
        await client.aclose()


async def test_a_refused_connection_opens_it_at_once(rasa: FakeRasa) -> None:
    # Nothing listens: Rasa is down, not slow. One refusal is enough; the customer reaches a person.
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    clock = Clock()
    client = RasaClient(f"http://127.0.0.1:{port}", "token", timeout_s=TIMEOUT_S, open_for_s=OPEN_FOR_S,
                        failures_to_open=10, monotonic=clock)
    try:
        with pytest.raises(BotUnavailable) as refused:
            await client.send("c1", "hello", {})
        assert FAST not in str(refused.value)
        for call in (client.tracker("c1"), client.send("c2", "hello", {})):
            with pytest.raises(BotUnavailable, match=FAST):
                await call
        clock.now += OPEN_FOR_S  # a probe goes out, is refused again, and it opens again
        with pytest.raises(BotUnavailable) as refused:
            await client.send("c1", "hello", {})
        assert FAST not in str(refused.value)
        with pytest.raises(BotUnavailable, match=FAST):
            await client.send("c1", "hello", {})

        # Rasa is back on its port but hangs: the probe times out, and that one failure (the third in
        # a row, below failures_to_open) opens it again, as any failed probe does.
        rasa.mode = "hang"
        await rasa.start(port)
        clock.now += OPEN_FOR_S
        await _times_out(client)
        assert rasa.requests == 1
        await _fails_fast(client, rasa)
        clock.now += OPEN_FOR_S
        rasa.mode = "answer"
        assert await client.send("c1", "hello", {}) == []
    finally:
        await client.aclose()


async def test_the_parse_a_turn_came_back_with_is_read_once_without_asking_rasa(rasa: FakeRasa) -> None:
    client = await _client(rasa, Clock())
    assert await client.send("c1", "hello", {}) == []
    requests = rasa.requests
    assert (await client.reading("c1"))["intent"]["name"] == "greet"
    assert rasa.requests == requests  # from the turn's own answer
    await client.reading("c1")
    assert rasa.requests == requests + 1  # taken once: then from Rasa's tracker
    await client.aclose()
