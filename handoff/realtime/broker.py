"""Fan-out between app processes, after encode/broadcaster: one small interface, backends by URL.

Every subscriber has a bounded queue. A subscriber that falls that far behind (a stalled socket)
is marked overflowed and its connection is expected to close; the client then reconnects with its
last sequence number and catches up from the database, so nothing is lost and memory stays bounded.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol

from handoff.realtime import wire


class SubscriberOverflow(Exception):
    pass


class Subscriber:
    def __init__(self, channels: tuple[str, ...], maxsize: int) -> None:
        self.channels = set(channels)
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(maxsize=maxsize)
        self.overflowed = False

    def deliver(self, event: dict[str, Any]) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.cut_off()

    def cut_off(self) -> None:
        """The live stream has a hole (this reader fell behind, or the broker lost its connection):
        what is queued is still read, then SubscriberOverflow, and the client catches up from the database."""
        if self.overflowed:
            return
        self.overflowed = True
        if self.queue.full():  # make room for the wake-up marker so the reader notices at once
            self.queue.get_nowait()
        self.queue.put_nowait(None)

    async def get(self) -> dict[str, Any]:
        event = await self.queue.get()
        if event is None:
            raise SubscriberOverflow()
        return event

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[dict[str, Any]]:
        while True:
            yield await self.get()


class Broker(Protocol):
    async def connect(self) -> None: ...

    async def disconnect(self) -> None: ...

    async def publish(self, channel: str, event: dict[str, Any]) -> None: ...

    def post(self, channel: str, event: dict[str, Any]) -> asyncio.Future[None] | None:
        """`publish` without waiting: the event is queued (or delivered) now, in the order posted;
        returns what to await for the broker to have it, None if it has it already."""
        ...

    def subscribe(self, *channels: str) -> Any: ...

    async def add_channels(self, subscriber: Subscriber, *channels: str) -> None: ...


class MemoryBroker:
    """In-process backend: the embedded default and the unit tests."""

    def __init__(self, queue_size: int = 256) -> None:
        self.queue_size = queue_size
        # channel -> its subscribers: a publish touches only those (scanning every subscriber of the
        # process cost ~250 us a message at 1,000 conversations, a quarter of the relay's CPU; profiled).
        self._local: dict[str, set[Subscriber]] = {}

    async def connect(self) -> None:
        return None

    async def disconnect(self) -> None:
        self._local.clear()

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        self.post(channel, event)

    def post(self, channel: str, event: dict[str, Any]) -> None:
        subscribers = self._local.get(channel)
        if not subscribers:
            return
        # Round-trip through JSON so the memory backend behaves like a networked one (no shared objects
        # with the publisher; its receivers share one decoded copy, as the Redis broker's do).
        data = wire.copy({**event, "channel": channel})
        for subscriber in list(subscribers):
            subscriber.deliver(data)

    @asynccontextmanager
    async def subscribe(self, *channels: str) -> AsyncIterator[Subscriber]:
        subscriber = Subscriber((), self.queue_size)
        self._listen(subscriber, channels)
        try:
            yield subscriber
        finally:
            for channel in subscriber.channels:
                here = self._local.get(channel)
                if here is not None:
                    here.discard(subscriber)
                    if not here:
                        del self._local[channel]

    async def add_channels(self, subscriber: Subscriber, *channels: str) -> None:
        self._listen(subscriber, channels)

    def _listen(self, subscriber: Subscriber, channels: tuple[str, ...]) -> None:
        subscriber.channels.update(channels)
        for channel in channels:
            self._local.setdefault(channel, set()).add(subscriber)


def create_broker(url: str, queue_size: int = 256, lag: Callable[[float], None] | None = None) -> Broker:
    """lag: told each event's seconds from publication to arrival (Redis only: in memory it is nil)."""
    scheme = url.split("://", 1)[0]
    if scheme == "memory":
        return MemoryBroker(queue_size)
    if scheme in ("redis", "rediss"):
        from handoff.realtime.redis_broker import RedisBroker  # only scale-out needs the redis package

        return RedisBroker(url, queue_size, lag=lag)
    raise ValueError(f"unsupported broker URL scheme {scheme!r} (supported: memory://, redis://, rediss://)")
