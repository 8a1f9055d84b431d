from __future__ import annotations

import asyncio

import pytest

from hotline.bus import EventBus

pytestmark = pytest.mark.asyncio


async def test_subscribers_of_a_topic_receive_in_order() -> None:
    bus = EventBus()
    async with bus.subscribe("wallboard") as first, bus.subscribe("wallboard") as second:
        bus.publish("wallboard", {"n": 1})
        bus.publish("agent:7", {"n": "not for us"})
        bus.publish("wallboard", {"n": 2})
        assert [await first.get(), await first.get()] == [{"n": 1}, {"n": 2}]
        assert await second.get() == {"n": 1}
    assert bus.subscriber_count("wallboard") == 0


async def test_a_slow_subscriber_loses_the_oldest_and_is_told() -> None:
    bus = EventBus(queue_size=2)
    async with bus.subscribe("t") as sub:
        for n in range(5):
            bus.publish("t", {"n": n})
        assert await sub.get() == {"type": "overflow", "dropped": 3}
        assert await sub.get() == {"n": 3}
        assert await sub.get() == {"n": 4}
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(sub.get(), 0.01)


async def test_publishing_without_subscribers_is_a_no_op() -> None:
    EventBus().publish("nobody", {"x": 1})
