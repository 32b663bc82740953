"""The Redis backend of the broker: fan-out between app processes (`BROKER_URL=redis://host:port/db`).

One connection publishes. One pub/sub connection per process reads: Redis is subscribed to a channel
while someone in this process listens on it, and the reader hands each event to the local
subscribers of its channel (bounded queues, as with the memory backend).

Pub/sub keeps nothing. When that connection drops (Redis restarted, the connection killed, no answer
to a PING), whatever was published meanwhile is gone for this process, so every local subscriber is
cut off: its socket closes with 4408 and its client reconnects with `last_seq` and catches up from
the database, where every acknowledged message is. The reader reconnects with backoff and subscribes
again. Nothing here logs an event's content.

Channels carry a prefix (`?channel_prefix=...` in the URL, default `shopbot:`): pub/sub ignores the
database number, so the prefix is what keeps two deployments (or test runs) on one Redis apart.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import logging
import os
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager, suppress
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from redis.asyncio import Redis
from redis.asyncio.connection import AbstractConnection, ConnectionPool
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from handoff.realtime import wire
from handoff.realtime.broker import Subscriber

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "shopbot:"
PUBLISHED_AT = "_published_at"  # added to each event on the wire, taken off on arrival
_ALIVE = "_alive"  # always subscribed: the connection stays in pub/sub mode even with nobody listening
_instances = itertools.count()
_DROPPED = (RedisConnectionError, RedisTimeoutError, OSError)


MAX_PIPELINE = 256  # events in one pipeline
# (channel, payload, event type for the logs, the publisher's future)
_Outgoing = tuple[str, bytes, str, "asyncio.Future[None]"]


def _settle(batch: list[_Outgoing]) -> None:
    for *_, done in batch:
        if not done.done():
            done.set_result(None)


class BrokerUnavailable(RuntimeError):
    """Redis did not confirm a subscription in time."""


def split_url(url: str) -> tuple[str, str]:
    """The URL for redis-py, and the channel prefix (our query parameter, not redis-py's)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefix = next((value for key, value in query if key == "channel_prefix"), DEFAULT_PREFIX)
    rest = urlencode([(key, value) for key, value in query if key != "channel_prefix"])
    return urlunsplit(parts._replace(query=rest)), prefix


class RedisBroker:
    def __init__(self, url: str, queue_size: int = 256, *, ping_interval_s: float = 5.0,
                 subscribe_timeout_s: float = 10.0, backoff_s: tuple[float, float] = (0.05, 2.0),
                 lag: Callable[[float], None] | None = None) -> None:
        """ping_interval_s: a quiet pub/sub connection is PINGed after this long and given up this long
        after that; backoff_s: the first and the longest wait between reconnection attempts; lag: told
        each event's seconds from publication (on any process) to its arrival here (a metric)."""
        self.url, self.prefix = split_url(url)
        self.queue_size = queue_size
        self.ping_interval_s = ping_interval_s
        self.subscribe_timeout_s = subscribe_timeout_s
        self.backoff_s = backoff_s
        # Named, so an operator (or a test) can tell which process a connection in CLIENT LIST is.
        instance = f"{os.getpid()}:{next(_instances)}"
        self.pubsub_client_name = f"{self.prefix}pubsub:{instance}"
        self.publish_client_name = f"{self.prefix}publish:{instance}"
        self.losses = 0  # pub/sub connections lost so far
        self._lag = lag
        self._local: dict[str, set[Subscriber]] = {}  # channel (without prefix) -> subscribers here
        self._starting: set[Subscriber] = set()  # not subscribed yet: they read the database after anyway
        self._conn: AbstractConnection | None = None  # the pub/sub connection, None while reconnecting
        self._live: set[str] = set()  # Redis channels confirmed on that connection
        self._unconfirmed: Counter[str] = Counter()  # SUBSCRIBEs sent on it and not confirmed yet
        self._changed = asyncio.Event()
        self._write = asyncio.Lock()  # one command at a time on the pub/sub connection
        self._reader: asyncio.Task[None] | None = None
        self._publisher: Redis | None = None
        self._outgoing: list[_Outgoing] = []  # published, waiting for the next pipeline
        self._flusher: asyncio.Task[None] | None = None
        self._pool: ConnectionPool | None = None

    async def connect(self) -> None:
        options: dict[str, Any] = {"decode_responses": True, "socket_connect_timeout": 3.0, "socket_timeout": 5.0}
        # No retries inside redis-py: a dropped connection must surface here, where we know what it cost.
        self._publisher = Redis.from_url(self.url, retry=Retry(NoBackoff(), 0),
                                         client_name=self.publish_client_name, **options)
        self._pool = ConnectionPool.from_url(self.url, client_name=self.pubsub_client_name, **options)
        await self._publisher.ping()  # fail at start-up, not at the first message
        await self._open()
        self._reader = asyncio.create_task(self._run(), name="redis-broker-reader")
        log.info("broker: Redis at %s:%s, channel prefix %r", self._pool.connection_kwargs.get("host"),
                 self._pool.connection_kwargs.get("port"), self.prefix)

    async def disconnect(self) -> None:
        if self._flusher is not None:  # what is still waiting is hints: the database has every message
            self._flusher.cancel()
            with suppress(asyncio.CancelledError):
                await self._flusher
        if self._reader is not None:
            self._reader.cancel()
            with suppress(asyncio.CancelledError):
                await self._reader
            self._reader = None
        conn, self._conn = self._conn, None
        if conn is not None:
            with suppress(*_DROPPED):
                await conn.disconnect(nowait=True)
        if self._publisher is not None:
            with suppress(*_DROPPED):
                await self._publisher.aclose()
        self._local.clear()
        self._live.clear()
        self._unconfirmed.clear()

    async def publish(self, channel: str, event: dict[str, Any]) -> None:
        """Returns once Redis has the event (or it was given up, and its channel's listeners here cut
        off). Events published while others are on their way go together in the next pipeline, in
        the order published: one round trip for all of them. One PUBLISH round trip per event, on
        one connection, held one instance to 921 deliveries/s against 2,070/s with the in-process
        broker (bench/relay, 100 conversations on PostgreSQL)."""
        # Shielded: a publisher cancelled meanwhile (its socket gone) leaves the pipeline whole.
        await asyncio.shield(self.post(channel, event))

    def post(self, channel: str, event: dict[str, Any]) -> asyncio.Future[None]:
        assert self._publisher is not None, "connect() first"
        payload = wire.dumpb({**event, "channel": channel, PUBLISHED_AT: time.time()})
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._outgoing.append((channel, payload, str(event.get("type")), done))
        if self._flusher is None:
            # Its own context: not the log context (conversation id) of the flow that started it.
            self._flusher = asyncio.create_task(self._flush(), context=contextvars.Context())
        return done  # settled whatever happens to its waiters (_settle checks)

    async def _flush(self) -> None:
        try:
            while self._outgoing:
                batch = self._outgoing[:MAX_PIPELINE]
                del self._outgoing[:MAX_PIPELINE]
                try:
                    await self._publish_batch(batch)
                finally:
                    _settle(batch)
        finally:  # cancelled (shutdown): nobody waits for ever on what was not sent
            _settle(self._outgoing)
            self._outgoing.clear()
            self._flusher = None

    async def _publish_batch(self, batch: list[_Outgoing]) -> None:
        assert self._publisher is not None
        for attempt in range(2):
            try:
                async with self._publisher.pipeline(transaction=False) as pipe:
                    for channel, payload, _, _ in batch:
                        pipe.publish(self.prefix + channel, payload)
                    await pipe.execute()
                return
            except _DROPPED as exc:
                kinds = ", ".join(sorted({kind for _, _, kind, _ in batch}))
                if attempt == 0:
                    log.warning("broker: publishing %d event(s) (%s) failed (%s); reconnecting, trying once more",
                                len(batch), kinds, type(exc).__name__)
                    await asyncio.sleep(self.backoff_s[0])
                else:
                    # Not raised: the events are already in the database (or only hints, like typing),
                    # and the flows that published them must go on. Listeners here are cut off and
                    # catch up; those of other processes lose their own pub/sub connection to the same
                    # outage and do the same.
                    log.error("broker: %d event(s) (%s) were not published (%s); their listeners here catch up",
                              len(batch), kinds, type(exc).__name__)
        for channel in {channel for channel, _, _, _ in batch}:
            for subscriber in list(self._local.get(channel, ())):
                subscriber.cut_off()

    @asynccontextmanager
    async def subscribe(self, *channels: str) -> AsyncIterator[Subscriber]:
        """Returns once Redis has confirmed every channel: an event published after that arrives."""
        subscriber = Subscriber(channels, self.queue_size)
        self._starting.add(subscriber)
        try:
            await self._listen(subscriber, channels)
            self._starting.discard(subscriber)
            yield subscriber
        finally:
            self._starting.discard(subscriber)
            await self._leave(subscriber)

    async def add_channels(self, subscriber: Subscriber, *channels: str) -> None:
        try:
            await self._listen(subscriber, channels)
        except BrokerUnavailable:
            log.warning("broker: Redis did not confirm %d more channels; the subscriber is cut off", len(channels))
            subscriber.cut_off()

    async def _listen(self, subscriber: Subscriber, channels: Iterable[str]) -> None:
        channels = tuple(channels)
        subscriber.channels.update(channels)
        new = []
        for channel in channels:
            here = self._local.setdefault(channel, set())
            if not here:
                new.append(channel)
            here.add(subscriber)
        await self._send("SUBSCRIBE", new)
        await self._confirmed(channels)

    async def _leave(self, subscriber: Subscriber) -> None:
        gone = []
        for channel in subscriber.channels:
            here = self._local.get(channel)
            if here is None:
                continue
            here.discard(subscriber)
            if not here:
                del self._local[channel]
                gone.append(channel)
        await self._send("UNSUBSCRIBE", gone)

    def _ready(self, channels: Iterable[str]) -> bool:
        names = [self.prefix + channel for channel in channels]
        return all(name in self._live and not self._unconfirmed[name] for name in names)

    async def _confirmed(self, channels: tuple[str, ...]) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.subscribe_timeout_s
        while not self._ready(channels):
            changed = self._changed
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise BrokerUnavailable("Redis did not confirm the subscription in time")
            with suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _send(self, command: str, channels: Iterable[str]) -> None:
        names = [self.prefix + channel for channel in channels]
        if not names:
            return
        async with self._write:
            conn = self._conn
            # Reconnecting: the new connection subscribes to whatever is wanted by then.
            if conn is None or not conn.is_connected:
                return
            if command == "SUBSCRIBE":
                self._unconfirmed.update(names)
            try:
                await conn.send_command(command, *names)
                return
            except _DROPPED as exc:
                error: Exception = exc
        await self._lost(conn, error)

    async def _open(self) -> None:
        """A new pub/sub connection, subscribed to every channel wanted here."""
        assert self._pool is not None
        # A connection of its own, outside the pool: never handed to anyone else, replaced when it drops.
        conn = self._pool.connection_class(**self._pool.connection_kwargs)
        try:
            await conn.connect()  # type: ignore[no-untyped-call]  # unannotated in redis-py
            async with self._write:
                names = [self.prefix + _ALIVE, *(self.prefix + channel for channel in self._local)]
                self._unconfirmed.update(names)
                await conn.send_command("SUBSCRIBE", *names)
                self._conn = conn
        except BaseException:
            self._unconfirmed.clear()
            with suppress(*_DROPPED):
                await conn.disconnect(nowait=True)
            raise

    async def _run(self) -> None:
        while True:
            conn = self._conn
            if conn is not None:
                try:
                    await self._read(conn)
                except _DROPPED as exc:
                    await self._lost(conn, exc)
                except Exception as exc:  # a bug must not leave the process deaf for good
                    log.exception("broker: the Redis reader failed")
                    await self._lost(conn, exc)
            await self._reopen()

    async def _read(self, conn: AbstractConnection) -> None:
        pinged = False
        while conn is self._conn:
            # push_request: with RESP3 (redis-py's default) published messages are pushes.
            reply = await conn.read_response(timeout=self.ping_interval_s, push_request=True)
            if reply is None:  # quiet: is Redis still there?
                if pinged:
                    raise RedisTimeoutError(f"no answer to PING in {self.ping_interval_s}s")
                async with self._write:
                    await conn.send_command("PING")
                pinged = True
                continue
            pinged = False
            self._on_reply(reply)

    def _on_reply(self, reply: Any) -> None:
        # [kind, channel, data]; a PING's answer ("PONG", or ["pong", ""] in RESP2) is only a sign of life.
        if not isinstance(reply, list) or len(reply) != 3:
            return
        kind, name, data = reply
        if kind == "message":
            self._dispatch(name, data)
        elif kind == "subscribe":
            if self._unconfirmed[name] > 0:
                self._unconfirmed[name] -= 1
            self._live.add(name)
            self._notify()
        elif kind == "unsubscribe":
            self._live.discard(name)
            self._notify()

    def _dispatch(self, name: str, data: str) -> None:
        subscribers = self._local.get(name[len(self.prefix):]) if name.startswith(self.prefix) else None
        if not subscribers:
            return  # unsubscribed a moment ago
        try:
            event = wire.loads(data)
        except ValueError:
            log.warning("broker: an undecodable event on %s was dropped", name)
            return
        published = event.pop(PUBLISHED_AT, None)
        if self._lag is not None and isinstance(published, float):
            self._lag(max(0.0, time.time() - published))  # wall clocks: across machines, as good as NTP
        for subscriber in list(subscribers):
            subscriber.deliver(event)

    async def _lost(self, conn: AbstractConnection, exc: BaseException) -> None:
        if conn is not self._conn:
            return  # already handled (the reader and a sender can both notice)
        self._conn = None
        self._live.clear()
        self._unconfirmed.clear()
        self._notify()
        self.losses += 1
        cut = {s for here in self._local.values() for s in here} - self._starting
        for subscriber in cut:
            subscriber.cut_off()
        log.warning("broker: Redis pub/sub connection lost (%s: %s); %d subscribers cut off, reconnecting",
                    type(exc).__name__, exc, len(cut))
        with suppress(*_DROPPED):
            await conn.disconnect(nowait=True)

    async def _reopen(self) -> None:
        loop = asyncio.get_running_loop()
        since = loop.time()
        delay = self.backoff_s[0]
        while True:
            await asyncio.sleep(delay)
            try:
                await self._open()
            except _DROPPED as exc:
                log.warning("broker: Redis reconnect failed (%s); next try in %.2fs", type(exc).__name__,
                            min(delay * 2, self.backoff_s[1]))
                delay = min(delay * 2, self.backoff_s[1])
                continue
            # A warning like the loss it ends, so the pair shows in a log that only keeps warnings.
            log.warning("broker: Redis pub/sub connection back after %.3fs, %d channels", loop.time() - since,
                        len(self._local))
            return
