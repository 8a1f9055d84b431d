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


async def test_a_retained_topic_numbers_its_messages_and_replays_what_a_subscriber_missed() -> None:
    bus = EventBus()
    bus.retain("wallboard", 3)
    for n in range(1, 5):
        bus.publish("wallboard", {"n": n})
    assert bus.last_seq("wallboard") == 4
    # Seen up to 2: 3 and 4 come first, then the live ones.
    async with bus.subscribe("wallboard", resume=(bus.epoch, 2)) as sub:
        bus.publish("wallboard", {"n": 5})
        got = [await sub.get() for _ in range(3)]
    assert got == [{"n": 3, "seq": 3}, {"n": 4, "seq": 4}, {"n": 5, "seq": 5}]
    # Up to date: nothing replayed.
    assert bus.missed("wallboard", bus.epoch, 5) == []


@pytest.mark.parametrize(
    ("epoch", "after", "reason"),
    [
        ("another-process", 4, "unknown_position"),
        (None, 99, "unknown_position"),  # ahead of this process: a number from elsewhere
        (None, 0, "too_far_behind"),  # 1 is no longer kept
    ],
)
async def test_a_position_the_bus_cannot_resume_from_gets_a_reset(
    epoch: str | None, after: int, reason: str
) -> None:
    bus = EventBus()
    bus.retain("wallboard", 3)
    for n in range(1, 5):
        bus.publish("wallboard", {"n": n})
    assert bus.missed("wallboard", epoch or bus.epoch, after) == [
        {"type": "reset", "reason": reason}
    ]


async def test_an_unretained_topic_keeps_its_messages_as_they_are() -> None:
    bus = EventBus()
    async with bus.subscribe("agent:1") as sub:
        bus.publish("agent:1", {"n": 1})
        assert await sub.get() == {"n": 1}
    assert bus.missed("agent:1", bus.epoch, 0) == [{"type": "reset", "reason": "unknown_position"}]
