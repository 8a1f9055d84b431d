"""The live service's follower: the version in force at start, a version published for later
taking force at its time (the time is a row: a restart keeps it), nothing applied twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.centre import store
from hotline.centre.files import parse_data
from hotline.centre.live import ConfigFollower
from hotline.telephony.menus import IvrMenus
from routing import Policy
from tests.fixtures.app import FixedClock

from .helpers import example, staff_every_line

pytestmark = pytest.mark.asyncio


async def _publish(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock, max_wait: int, **at: float
) -> None:
    data = example()
    data["routing"]["default"]["max_wait_s"] = max_wait
    async with sessionmaker() as session:
        current = await store.in_force(session, clock.now())
        publication = store.Publication(
            parse_data(data, "test"),
            "",
            f"max wait {max_wait}",
            "test",
            None if current is None else current.id,
            clock.now() + timedelta(**at) if at else None,
        )
        await store.publish(session, publication, now=clock.now())
        await session.commit()


async def test_a_version_published_for_later_takes_force_at_its_time(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    clock = FixedClock()
    applied: list[tuple[int, float | None, str]] = []

    async def apply(policy: Policy, menus: IvrMenus, version: int) -> None:
        applied.append((version, policy.default.max_wait_s, menus.greeting))

    follower = ConfigFollower(sessionmaker, clock, apply)
    assert await follower.check() is False  # nothing published: the service keeps its own
    await staff_every_line(sessionmaker)
    await _publish(sessionmaker, clock, 600)
    await _publish(sessionmaker, clock, 300, hours=2)
    assert await follower.check() is True
    assert await follower.check() is False  # the same version is not applied twice
    clock.advance(hours=1, minutes=59)
    assert await follower.check() is False
    clock.advance(minutes=1)
    assert await follower.check() is True
    assert applied == [
        (1, 600, "sound:hotline/welcome"),
        (2, 300, "sound:hotline/welcome"),
    ]
    # A new follower (a restart) starts from the version in force.
    again: list[tuple[int, float | None, str]] = []

    async def apply_again(policy: Policy, menus: IvrMenus, version: int) -> None:
        again.append((version, policy.default.max_wait_s, menus.greeting))

    assert await ConfigFollower(sessionmaker, clock, apply_again).check() is True
    assert again == [(2, 300, "sound:hotline/welcome")]
