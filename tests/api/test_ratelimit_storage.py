"""Rate-limit counts in Redis are shared by every app instance (two RateLimits, as two processes
would have, on the test Redis at 127.0.0.1:6379); in memory each process counts alone."""

from __future__ import annotations

import uuid

import pytest

from api.ratelimit import RateLimits
from handoff.config import Settings
from tests.support.redis_admin import REDIS_URL


def _limits(storage: str) -> RateLimits:
    return RateLimits(Settings(environment="development", rate_limit_storage=storage,
                               customer_message_rate="3/minute"))


async def test_two_instances_share_one_count_in_redis() -> None:
    a, b = _limits(REDIS_URL), _limits(REDIS_URL)
    conversation = uuid.uuid4().hex  # a key no other run uses
    assert [await a.customer_message(conversation), await b.customer_message(conversation),
            await a.customer_message(conversation)] == [0, 0, 0]
    wait = await b.customer_message(conversation)  # the 4th in a minute, on either instance
    assert 1 <= wait <= 60
    assert await a.customer_message(conversation) >= 1


async def test_in_memory_each_instance_counts_alone() -> None:
    a, b = _limits("memory://"), _limits("memory://")
    conversation = uuid.uuid4().hex
    for _ in range(3):
        assert await a.customer_message(conversation) == 0
    assert await a.customer_message(conversation) >= 1
    assert await b.customer_message(conversation) == 0


def test_an_unknown_storage_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="memory:// or redis://"):
        _limits("memcached://127.0.0.1:11211")
