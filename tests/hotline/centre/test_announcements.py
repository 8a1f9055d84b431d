"""The configuration's ``announcements`` reach the caller: without the position, the
announcement leaves it out; with neither position nor expected wait, nothing is announced."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.calls.ports import CallKey
from hotline.telephony import IVR_MENUS, TelephonyService
from routing import default_policy
from tests.fixtures.app import FixedClock
from tests.hotline.telephony.builders import SITE, Seeded, inbound, make_service, seed_directory
from tests.hotline.telephony.fakes import RecordingControl

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def service(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> AsyncIterator[tuple[TelephonyService, RecordingControl, Seeded]]:
    seeded = await seed_directory(sessionmaker)
    control = RecordingControl()
    telephony = make_service(sessionmaker, clock, control)
    await telephony.start()
    yield telephony, control, seeded
    await telephony.stop()


async def _waiting_call(
    telephony: TelephonyService, seeded: Seeded, clock: FixedClock, channel: str
) -> None:
    await telephony.agents.login(seeded.agents["a1"], site=SITE)  # logged in, not ready
    await telephony.director.call_arrived(inbound(channel, clock.now()))
    clock.advance(seconds=8)
    key = CallKey(SITE, channel)
    await telephony.director.ivr_completed(key, language="zh", line="national_tax")


async def test_the_position_can_be_left_out(
    service: tuple[TelephonyService, RecordingControl, Seeded], clock: FixedClock
) -> None:
    telephony, control, seeded = service
    menus = dataclasses.replace(IVR_MENUS, announce_position=False)
    await telephony.apply_config(default_policy(), menus, 1)
    await _waiting_call(telephony, seeded, clock, "c1")
    _, announced = control.last("announce")
    assert announced["position"] is None  # 1 (first in line) under the default menus


async def test_no_announcement_when_both_are_off(
    service: tuple[TelephonyService, RecordingControl, Seeded], clock: FixedClock
) -> None:
    telephony, control, seeded = service
    menus = dataclasses.replace(IVR_MENUS, announce_position=False, announce_expected_wait=False)
    await telephony.apply_config(default_policy(), menus, 1)
    await _waiting_call(telephony, seeded, clock, "c2")
    assert not [a for a in control.actions if a[0] == "announce"]
    assert [a[0] for a in control.actions] == []  # the caller just waits (music on hold)
