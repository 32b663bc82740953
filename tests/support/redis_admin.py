"""The test Redis on 127.0.0.1:6379 (CI runs one too): its address, a channel prefix per test, and
dropping a broker's connections the way a Redis restart would."""

from __future__ import annotations

import uuid

from redis.asyncio import Redis

# Pub/sub ignores the database number: the channel prefix is what keeps parallel runs apart.
REDIS_URL = "redis://127.0.0.1:6379/0"


def channel_prefix() -> str:
    return f"shopbot-test-{uuid.uuid4().hex[:12]}:"


def broker_url(prefix: str) -> str:
    return f"{REDIS_URL}?channel_prefix={prefix}"


async def kill_clients(name_prefix: str, kind: str = "pubsub") -> int:
    """Closes every connection of that kind (`pubsub`, `normal`) whose client name starts with
    name_prefix (RedisBroker names its connections); how many it closed."""
    killed = 0
    async with Redis.from_url(REDIS_URL, decode_responses=True) as admin:
        for client in await admin.client_list(_type=kind):
            if client.get("name", "").startswith(name_prefix):
                await admin.client_kill_filter(_id=client["id"])
                killed += 1
    return killed


async def subscriber_count(channel: str) -> int:
    """How many connections Redis has subscribed to this (prefixed) channel."""
    async with Redis.from_url(REDIS_URL, decode_responses=True) as admin:
        return int(dict(await admin.pubsub_numsub(channel)).get(channel, 0))
