"""The broker on every backend: memory, and Redis on 127.0.0.1:6379 (these fail, never skip, when it
is missing); then what only Redis has: other processes, and connections that drop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from handoff.realtime.broker import Broker, MemoryBroker, SubscriberOverflow, create_broker
from handoff.realtime.redis_broker import RedisBroker
from tests.support.redis_admin import REDIS_URL, broker_url, channel_prefix, kill_clients, subscriber_count

MakeBroker = Callable[..., Awaitable[Any]]


@pytest.fixture
def prefix() -> str:
    return channel_prefix()


@pytest.fixture
async def make_redis(prefix: str) -> AsyncIterator[MakeBroker]:
    """Connected RedisBrokers on one channel prefix, as separate app processes would have."""
    made: list[RedisBroker] = []

    async def make(queue_size: int = 256) -> RedisBroker:
        broker = RedisBroker(broker_url(prefix), queue_size)
        await broker.connect()
        made.append(broker)
        return broker

    yield make
    for broker in made:
        await broker.disconnect()


@pytest.fixture(params=["memory", "redis"])
async def make_broker(request: pytest.FixtureRequest, prefix: str) -> AsyncIterator[MakeBroker]:
    made: list[Broker] = []

    async def make(queue_size: int = 256) -> Broker:
        broker = create_broker("memory://" if request.param == "memory" else broker_url(prefix), queue_size)
        await broker.connect()
        made.append(broker)
        return broker

    yield make
    for broker in made:
        await broker.disconnect()


async def _next(subscriber: Any) -> dict[str, Any]:
    return dict(await asyncio.wait_for(subscriber.get(), 5))


async def _until(condition: Callable[[], Awaitable[bool]], tries: int = 250) -> None:
    """Polls Redis's own view (it sends no event when a subscription count changes)."""
    for _ in range(tries):
        if await condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("Redis never got there")


async def test_publish_reaches_only_subscribed_channels(make_broker: MakeBroker) -> None:
    broker = await make_broker()
    async with broker.subscribe("a") as sub_a, broker.subscribe("b") as sub_b:
        await broker.publish("a", {"type": "x", "n": 1})
        assert await _next(sub_a) == {"type": "x", "n": 1, "channel": "a"}
        assert sub_b.queue.empty()
        await broker.add_channels(sub_b, "a")
        await broker.publish("a", {"type": "x", "n": 2})
        assert (await _next(sub_a))["n"] == 2
        assert (await _next(sub_b))["n"] == 2
        await broker.publish("b", {"type": "x", "n": 3})
        assert (await _next(sub_b))["n"] == 3
        assert sub_a.queue.empty()


async def test_a_subscriber_that_left_hears_nothing_and_the_others_go_on(make_broker: MakeBroker) -> None:
    broker = await make_broker()
    async with broker.subscribe("a") as stays:
        async with broker.subscribe("a", "b") as leaves:
            await broker.publish("a", {"type": "x", "n": 1})
            assert (await _next(leaves))["n"] == 1
        await broker.publish("a", {"type": "x", "n": 2})
        await broker.publish("b", {"type": "x", "n": 3})  # nobody listens to b any more
        assert [(await _next(stays))["n"] for _ in range(2)] == [1, 2]
        assert leaves.queue.empty()
    async with broker.subscribe("b") as later:  # a channel everyone left can be listened to again
        await broker.publish("b", {"type": "x", "n": 4})
        assert (await _next(later))["n"] == 4


async def test_a_slow_subscriber_is_cut_off_not_buffered_forever(make_broker: MakeBroker) -> None:
    broker = await make_broker(queue_size=4)
    async with broker.subscribe("a") as slow:
        for n in range(10):
            await broker.publish("a", {"type": "x", "n": n})
        with pytest.raises(SubscriberOverflow):
            while True:
                assert slow.queue.qsize() <= 4
                await _next(slow)


def test_the_url_scheme_picks_the_backend() -> None:
    assert isinstance(create_broker("memory://"), MemoryBroker)
    redis = create_broker("redis://127.0.0.1:6379/3?channel_prefix=shop-a:&socket_keepalive=true")
    assert isinstance(redis, RedisBroker)
    assert redis.prefix == "shop-a:"
    assert redis.url == "redis://127.0.0.1:6379/3?socket_keepalive=true"  # the prefix is ours, not redis-py's
    default = create_broker("redis://127.0.0.1:6379")
    assert isinstance(default, RedisBroker) and default.prefix == "shopbot:"
    with pytest.raises(ValueError, match="kafka"):
        create_broker("kafka://127.0.0.1:9092")


async def test_another_process_hears_every_event_once_in_order(make_redis: MakeBroker, prefix: str) -> None:
    one, two = await make_redis(), await make_redis()
    async with one.subscribe("a") as first, one.subscribe("a") as second, two.subscribe("a") as own:
        assert await subscriber_count(f"{prefix}a") == 2  # one Redis subscription per process
        for n in range(100):
            await two.publish("a", {"type": "x", "n": n})
        for subscriber in (first, second, own):
            assert [(await _next(subscriber))["n"] for _ in range(100)] == list(range(100))
            assert subscriber.queue.empty()
    await _until(lambda: _count_is(f"{prefix}a", 0))  # nobody left listening: Redis is told


async def _count_is(channel: str, expected: int) -> bool:
    return await subscriber_count(channel) == expected


async def test_add_channels_subscribes_in_redis_and_leaving_unsubscribes(make_redis: MakeBroker,
                                                                         prefix: str) -> None:
    one, two = await make_redis(), await make_redis()
    async with one.subscribe("queue") as agent, one.subscribe("conversation.1") as customer:
        await one.add_channels(agent, "conversation.1", "conversation.1.team")
        assert await subscriber_count(f"{prefix}conversation.1.team") == 1
        await two.publish("conversation.1.team", {"type": "note"})
        await two.publish("conversation.1", {"type": "message"})
        assert [(await _next(agent))["type"] for _ in range(2)] == ["note", "message"]
        assert (await _next(customer))["type"] == "message"
    # The customer left first; the channel stays subscribed for the agent until the agent leaves too.
    await _until(lambda: _count_is(f"{prefix}conversation.1", 0))
    await _until(lambda: _count_is(f"{prefix}conversation.1.team", 0))


async def test_a_killed_pubsub_connection_cuts_subscribers_off_and_recovers(make_redis: MakeBroker) -> None:
    one, two = await make_redis(), await make_redis()
    async with one.subscribe("a") as before:
        await two.publish("a", {"type": "x", "n": 1})
        assert (await _next(before))["n"] == 1
        assert await kill_clients(one.pubsub_client_name) == 1
        # What was published while the connection was down is gone for this process: the subscriber
        # hears that instead of silence, and its socket sends the client back to the database.
        with pytest.raises(SubscriberOverflow):
            await _next(before)
        assert one.losses == 1
        # Subscribing again waits for the new connection; from then on events arrive again.
        async with one.subscribe("a") as after:
            await two.publish("a", {"type": "x", "n": 2})
            assert (await _next(after))["n"] == 2
            await one.publish("a", {"type": "x", "n": 3})
            assert (await _next(after))["n"] == 3
    assert two.losses == 0


async def test_a_subscriber_still_subscribing_is_not_cut_off(make_redis: MakeBroker) -> None:
    """Killed at once: the new subscription is confirmed on the next connection instead."""
    one, two = await make_redis(), await make_redis()
    await kill_clients(one.pubsub_client_name)
    async with one.subscribe("a") as sub:
        await two.publish("a", {"type": "x", "n": 1})
        assert (await _next(sub))["n"] == 1


async def test_events_published_at_once_arrive_once_in_the_order_published(make_redis: MakeBroker) -> None:
    """Publishes that overlap go out together (pipelined): none lost, none twice, none reordered."""
    one, two = await make_redis(), await make_redis()
    async with one.subscribe("a") as sub, one.subscribe("b") as other:
        await asyncio.gather(*(two.publish("a" if n % 3 else "b", {"type": "x", "n": n}) for n in range(300)))
        assert [(await _next(sub))["n"] for _ in range(200)] == [n for n in range(300) if n % 3]
        assert [(await _next(other))["n"] for _ in range(100)] == [n for n in range(300) if not n % 3]
        assert sub.queue.empty() and other.queue.empty()


async def test_publishing_retries_once_on_a_dropped_connection(make_redis: MakeBroker) -> None:
    one, two = await make_redis(), await make_redis()
    async with one.subscribe("a") as sub:
        assert await kill_clients(two.publish_client_name, kind="normal") == 1
        await two.publish("a", {"type": "x", "n": 1})
        assert await _next(sub) == {"type": "x", "n": 1, "channel": "a"}
        assert sub.queue.empty() and not sub.overflowed


class _SilentLink:
    """A TCP relay to the test Redis whose open connections can go silent: no data, no error, as in
    a network partition. Connections made after that pass again."""

    def __init__(self) -> None:
        self._live: list[dict[str, bool]] = []
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    def silence(self) -> None:
        for link in self._live:
            link["silent"] = True

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host_port = REDIS_URL.removeprefix("redis://").split("/")[0].split(":")
        up_reader, up_writer = await asyncio.open_connection(host_port[0], int(host_port[1]))
        link = {"silent": False}
        self._live.append(link)

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    if not link["silent"]:
                        sink.write(data)
                        await sink.drain()
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer), return_exceptions=True)


async def test_a_silent_connection_is_found_by_its_ping_and_replaced(make_redis: MakeBroker, prefix: str) -> None:
    link = _SilentLink()
    port = await link.start()
    one = RedisBroker(f"redis://127.0.0.1:{port}/0?channel_prefix={prefix}", ping_interval_s=0.2)
    await one.connect()
    two = await make_redis()
    try:
        async with one.subscribe("a") as before:
            link.silence()
            with pytest.raises(SubscriberOverflow):  # no answer to its PING within 2 x 0.2 s
                await _next(before)
            assert one.losses == 1
        async with one.subscribe("a") as after:
            await two.publish("a", {"type": "x", "n": 1})
            assert (await _next(after))["n"] == 1
    finally:
        await one.disconnect()
        await link.close()
