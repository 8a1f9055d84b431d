"""The call engine's lease on a real database: one holder at a time, a new token per term, and
the holder's fence closed before anyone else can take the row."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.cluster.lease import Lease

TTL_S = 2.0  # long enough that a loaded CI machine renews in time


def _lease(engine: AsyncEngine, name: str) -> Lease:
    return Lease(engine, instance_id=name, advertise_url=f"http://{name}:8000", ttl_s=TTL_S)


@pytest.mark.asyncio
async def test_one_holder_at_a_time_and_a_new_token_for_the_next_term(
    engine: AsyncEngine,
) -> None:
    first, second = _lease(engine, "a"), _lease(engine, "b")
    if first.embedded:
        # SQLite: one process by design, so every instance leads and nothing is stored.
        assert await first.try_acquire() == 1
        assert await second.try_acquire() == 1
        assert first.holds()
        assert await first.renew()
        assert await first.current() is None
        return
    token = await first.try_acquire()
    assert token is not None
    assert first.holds(token)
    assert await second.try_acquire() is None
    assert not second.holds()
    assert await first.renew()
    info = await second.current()
    assert info is not None
    assert (info.holder, info.advertise_url, info.live) == (
        "a",
        "http://a:8000",
        True,
    )
    # The holder stops renewing (it died): the row can change hands only after its fence closed.
    old_gate = first.gate()
    taken = None
    for _ in range(1000):
        taken = await second.try_acquire()
        if taken is not None:
            break
        await asyncio.sleep(0.02)
    assert taken == token + 1
    assert not first.holds()  # closed before the row could change hands, with no round trip
    assert not old_gate()
    assert not await first.renew()  # the old term is over for good
    assert second.holds(taken)
    assert not second.holds(token)


@pytest.mark.asyncio
async def test_a_fence_closes_when_the_holder_cannot_renew(engine: AsyncEngine) -> None:
    holder = _lease(engine, "a")
    if holder.embedded:
        pytest.skip("SQLite: no lease to lose")
    assert await holder.try_acquire() is not None
    gate = holder.gate()
    while holder.holds():  # no renewal reaches the database (a partition, a hung socket)
        await asyncio.sleep(0.02)
    assert not gate()
    info = await holder.current()
    assert info is not None
    assert info.holder == "a"


@pytest.mark.asyncio
async def test_a_released_lease_is_taken_at_once(engine: AsyncEngine) -> None:
    first, second = _lease(engine, "a"), _lease(engine, "b")
    if first.embedded:
        pytest.skip("SQLite: no lease to hand over")
    token = await first.try_acquire()
    assert token is not None
    await first.release()
    assert not first.holds()
    assert await second.try_acquire() == token + 1  # no wait for the expiry


@pytest.mark.asyncio
async def test_the_same_instance_taking_the_lease_again_starts_a_new_term(
    engine: AsyncEngine,
) -> None:
    lease = _lease(engine, "a")
    if lease.embedded:
        pytest.skip("SQLite: one term for ever")
    token = await lease.try_acquire()
    assert token is not None
    old_gate = lease.gate()
    lease.drop()
    again = None
    for _ in range(1000):
        again = await lease.try_acquire()
        if again is not None:
            break
        await asyncio.sleep(0.02)
    assert again == token + 1
    assert lease.holds()
    assert not old_gate()
