"""OrderedDispatcher and Backoff: ordering per key, concurrency across keys, bounded state."""

from __future__ import annotations

import asyncio
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cti.ari.backoff import Backoff
from cti.ari.dispatch import OrderedDispatcher
from tests.waiting import WAIT_S


@pytest.mark.asyncio
async def test_one_key_runs_in_order_while_other_keys_overtake_a_slow_one() -> None:
    gate = asyncio.Event()
    handled: list[str] = []

    async def handler(item: str) -> None:
        if item == "a1":
            await gate.wait()
        handled.append(item)

    dispatcher: OrderedDispatcher[str, str] = OrderedDispatcher(handler)
    for key, item in [("a", "a1"), ("b", "b1"), ("a", "a2"), ("b", "b2"), ("c", "c1")]:
        dispatcher.submit(key, item)
    for _ in range(5):
        await asyncio.sleep(0)
    # Keys b and c finished while a1 is still blocked; a2 waits behind it.
    assert sorted(handled) == ["b1", "b2", "c1"]
    assert handled.index("b1") < handled.index("b2")
    assert dispatcher.active_lanes == 1
    gate.set()
    await asyncio.wait_for(dispatcher.join(), WAIT_S)
    assert handled[3:] == ["a1", "a2"]
    assert dispatcher.active_lanes == 0  # idle lanes and their workers are gone
    assert dispatcher.pending == 0


@pytest.mark.asyncio
async def test_a_failing_handler_is_reported_and_the_lane_goes_on() -> None:
    failures: list[tuple[str, str]] = []
    handled: list[str] = []

    async def handler(item: str) -> None:
        if item == "boom":
            raise RuntimeError("handler bug")
        handled.append(item)

    dispatcher: OrderedDispatcher[str, str] = OrderedDispatcher(
        handler, on_error=lambda key, item, error: failures.append((key, str(error)))
    )
    for item in ["x1", "boom", "x2"]:
        dispatcher.submit("x", item)
    await asyncio.wait_for(dispatcher.join(), WAIT_S)
    assert handled == ["x1", "x2"]
    assert failures == [("x", "handler bug")]


@pytest.mark.asyncio
async def test_close_cancels_blocked_work() -> None:
    started = asyncio.Event()

    async def handler(item: str) -> None:
        started.set()
        await asyncio.Event().wait()  # never returns

    dispatcher: OrderedDispatcher[str, str] = OrderedDispatcher(handler)
    dispatcher.submit("k", "stuck")
    dispatcher.submit("k", "queued")
    await asyncio.wait_for(started.wait(), WAIT_S)
    await asyncio.wait_for(dispatcher.close(), WAIT_S)
    assert dispatcher.active_lanes == 0
    await asyncio.wait_for(dispatcher.join(), WAIT_S)


@settings(deadline=None, max_examples=50)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 2)), min_size=1, max_size=30))
def test_per_key_order_holds_for_any_interleaving(script: list[tuple[str, int]]) -> None:
    async def run() -> dict[str, list[int]]:
        seen: dict[str, list[int]] = {}

        async def handler(item: tuple[str, int, int]) -> None:
            key, index, yields = item
            for _ in range(yields):
                await asyncio.sleep(0)
            seen.setdefault(key, []).append(index)

        dispatcher: OrderedDispatcher[str, tuple[str, int, int]] = OrderedDispatcher(handler)
        for index, (key, yields) in enumerate(script):
            dispatcher.submit(key, (key, index, yields))
        await dispatcher.join()
        return seen

    seen = asyncio.run(run())
    for key, indices in seen.items():
        assert indices == [i for i, (k, _) in enumerate(script) if k == key]


def test_backoff_grows_exponentially_up_to_the_ceiling() -> None:
    backoff = Backoff(initial=1.0, maximum=8.0, multiplier=2.0)
    top = [backoff.delay(attempt, lambda: 0.999999) for attempt in range(6)]
    bottom = [backoff.delay(attempt, lambda: 0.0) for attempt in range(6)]
    assert bottom == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert top == pytest.approx([1.0, 2.0, 4.0, 8.0, 8.0, 8.0], rel=1e-5)
    assert backoff.delay(10_000, lambda: 0.5) == 6.0  # huge attempt numbers stay finite


@settings(deadline=None, max_examples=100)
@given(st.integers(0, 200), st.integers(0, 2**32))
def test_backoff_stays_within_half_and_full_ceiling(attempt: int, seed: int) -> None:
    backoff = Backoff(initial=0.5, maximum=30.0)
    delay = backoff.delay(attempt, random.Random(seed).random)
    ceiling = min(30.0, 0.5 * 2.0 ** min(attempt, 64))
    assert ceiling / 2 <= delay <= ceiling


def test_backoff_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="initial"):
        Backoff(initial=0, maximum=1)


def test_a_recovering_backoff_is_capped_at_two_seconds() -> None:
    backoff = Backoff()
    recovering = [backoff.delay(n, lambda: 0.999999, recovering=True) for n in range(12)]
    assert max(recovering) <= 2.0
    assert backoff.delay(11, lambda: 0.999999) == pytest.approx(30.0, rel=1e-5)
