from __future__ import annotations

import pytest

from handoff.realtime.broker import MemoryBroker, SubscriberOverflow


async def test_publish_reaches_only_subscribed_channels() -> None:
    broker = MemoryBroker()
    async with broker.subscribe("a") as sub_a, broker.subscribe("b") as sub_b:
        await broker.publish("a", {"type": "x", "n": 1})
        assert (await sub_a.get())["n"] == 1
        assert sub_b.queue.empty()
        await broker.add_channels(sub_b, "a")
        await broker.publish("a", {"type": "x", "n": 2})
        assert (await sub_a.get())["n"] == 2
        assert (await sub_b.get())["n"] == 2


async def test_a_slow_subscriber_is_cut_off_not_buffered_forever() -> None:
    broker = MemoryBroker(queue_size=4)
    async with broker.subscribe("a") as slow:
        for n in range(10):
            await broker.publish("a", {"type": "x", "n": n})
        assert slow.queue.qsize() <= 4
        with pytest.raises(SubscriberOverflow):
            while True:
                await slow.get()
