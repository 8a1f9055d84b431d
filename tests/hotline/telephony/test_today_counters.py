"""Today's counters kept running by the director equal a fresh count from the call table, across
answers, abandons, callbacks, a restart of the service, and the turn of the day (China time)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.calls.ports import CallKey, CallPhase, EndedBy
from hotline.telephony import TelephonyService
from hotline.telephony.stats import today_counters
from tests.fixtures.app import FixedClock
from tests.hotline.telephony.builders import SITE, Seeded, inbound, make_service, seed_directory
from tests.hotline.telephony.fakes import RecordingControl

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def seeded(sessionmaker: async_sessionmaker[AsyncSession]) -> Seeded:
    return await seed_directory(sessionmaker)


@pytest_asyncio.fixture
async def service(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock, seeded: Seeded
) -> AsyncIterator[TelephonyService]:
    telephony = make_service(sessionmaker, clock, RecordingControl())
    await telephony.start()
    yield telephony
    await telephony.stop()


async def _queue(service: TelephonyService, clock: FixedClock, channel: str) -> CallKey:
    await service.director.call_arrived(inbound(channel, clock.now()))
    key = CallKey(SITE, channel)
    await service.director.ivr_completed(key, language="zh", line="national_tax")
    return key


async def _same_as_the_table(
    service: TelephonyService, sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> dict[str, int]:
    running = await service.today()
    await service.flush()  # the table is written through the CTI write queue
    counted = await today_counters(sessionmaker, clock.now())
    assert running == counted
    c = running[("national_tax", "zh")]
    return {
        "offered": c.offered,
        "answered": c.answered,
        "within": c.answered_within,
        "abandoned": c.abandoned,
        "callbacks": c.callbacks_requested,
    }


async def test_running_counters_follow_the_calls_and_survive_a_restart(
    service: TelephonyService,
    seeded: Seeded,
    clock: FixedClock,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    a1, a2 = (str(seeded.agents[code]) for code in ("a1", "a2"))
    for agent in seeded.agents.values():
        await service.agents.login(agent, site=SITE)
        await service.agents.set_ready(agent)
    fast = await _queue(service, clock, "fast")
    clock.advance(seconds=5)
    await service.director.offer_answered(fast, agent_id=a1)
    slow = await _queue(service, clock, "slow")
    left = await _queue(service, clock, "left")
    back = await _queue(service, clock, "back")
    waiting = await _queue(service, clock, "waiting")
    clock.advance(seconds=40)
    await service.director.offer_answered(slow, agent_id=a2)
    await service.director.caller_left(left, phase=CallPhase.QUEUE)
    await service.director.callback_accepted(back)
    counts = await _same_as_the_table(service, sessionmaker, clock)
    assert counts == {"offered": 5, "answered": 2, "within": 1, "abandoned": 1, "callbacks": 1}

    # Ending calls moves nothing twice; a restart rebuilds the same numbers from the table.
    await service.director.talk_ended(fast, agent_id=a1, ended_by=EndedBy.AGENT)
    for key in (fast, left, back):
        await service.director.call_finished(key)
    assert await _same_as_the_table(service, sessionmaker, clock) == counts
    await service.stop()
    restarted = make_service(sessionmaker, clock, RecordingControl())
    await restarted.start()
    try:
        assert await _same_as_the_table(restarted, sessionmaker, clock) == counts
        # A call live across the restart still moves once when it ends.
        await restarted.adopt_live_calls([slow, waiting])
        await restarted.director.caller_left(waiting, phase=CallPhase.QUEUE)
        await restarted.director.call_finished(waiting)
        await restarted.director.call_finished(slow)
        after = await _same_as_the_table(restarted, sessionmaker, clock)
        assert after == {**counts, "abandoned": 2}
    finally:
        await restarted.stop()


async def test_the_counters_start_again_when_the_day_turns_in_china(
    service: TelephonyService, clock: FixedClock, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    # Nobody logged in: the calls wait (or divert) without an answer, which is all this needs.
    clock.current = datetime(2026, 3, 2, 15, 50, tzinfo=UTC)  # 23:50 in Beijing
    late = await _queue(service, clock, "late")
    assert (await service.today())[("national_tax", "zh")].offered == 1
    clock.current = datetime(2026, 3, 2, 16, 5, tzinfo=UTC)  # 00:05 the next day
    assert await service.today() == {}
    await service.director.caller_left(late, phase=CallPhase.QUEUE)  # yesterday's call
    await _queue(service, clock, "early")
    running = await service.today()
    await service.flush()
    assert running == await today_counters(sessionmaker, clock.now())
    assert running[("national_tax", "zh")].offered == 1
    assert running[("national_tax", "zh")].abandoned == 0
