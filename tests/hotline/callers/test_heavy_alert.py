"""The heavy-caller alert (both databases): supervisors get one live notice per number over the
threshold in the period, not one per call nor one per check; other roles get none."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.callers.heavy import alert_heavy_callers, alert_kind
from hotline.db.models import Call, NotificationRow
from hotline.db.session import transaction
from hotline.roles import Role
from tests.fixtures.app import FixedClock, Users
from tests.hotline.telephony.builders import seed_directory

pytestmark = pytest.mark.asyncio
HEAVY = "13957112366"


async def _calls(
    maker: async_sessionmaker[AsyncSession], site: int, number: str, count: int, clock: FixedClock
) -> None:
    async with transaction(maker) as session:
        start = await session.scalar(select(func.count(Call.id))) or 0
        session.add_all(
            Call(site_id=site, channel_id=f"{number}-{start + n}", caller_number=number,
                 arrived_at=clock.now() - timedelta(days=2, minutes=n), outcome="answered")
            for n in range(count)
        )  # fmt: skip


async def test_one_notice_per_number_per_period(
    client: httpx.AsyncClient,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
    users: Users,
) -> None:
    site = (await seed_directory(app_sessionmaker)).site_id
    await _calls(app_sessionmaker, site, HEAVY, 5, clock)
    await _calls(app_sessionmaker, site, "13800000001", 4, clock)  # one call short
    # old calls do not count: 40 days ago is outside a 30-day period
    async with transaction(app_sessionmaker) as session:
        session.add(Call(site_id=site, channel_id="old", caller_number="13800000001",
                         arrived_at=clock.now() - timedelta(days=40)))  # fmt: skip

    fresh = await alert_heavy_callers(app_sessionmaker, clock.now(), 5, 30)
    assert [(c.number, c.calls) for c in fresh] == [(HEAVY, 5)]
    # the next checks, and more calls from the same number, add no notice in the period
    await _calls(app_sessionmaker, site, HEAVY, 3, clock)
    clock.advance(minutes=1)
    assert await alert_heavy_callers(app_sessionmaker, clock.now(), 5, 30) == []

    inbox = await client.get("/api/v1/inbox", headers=users.headers(Role.SUPERVISOR))
    assert inbox.status_code == 200
    notices = [i for i in inbox.json()["items"] if i["kind"] == alert_kind(HEAVY)]
    assert len(notices) == 1
    assert "139****2366 近 30 天来电 5 次（阈值 5 次）" in notices[0]["message"]
    assert HEAVY not in notices[0]["message"]  # masked
    agent_inbox = await client.get("/api/v1/inbox", headers=users.headers(Role.AGENT))
    assert not [i for i in agent_inbox.json()["items"] if i["kind"].startswith("heavy_caller")]

    # a new period: the number is reported again
    clock.advance(days=31)
    await _calls(app_sessionmaker, site, HEAVY, 5, clock)
    again = await alert_heavy_callers(app_sessionmaker, clock.now(), 5, 30)
    assert [c.number for c in again] == [HEAVY]
    async with app_sessionmaker() as session:
        rows = await session.scalar(
            select(func.count(NotificationRow.id)).where(NotificationRow.kind == alert_kind(HEAVY))
        )
    assert rows == 2  # one supervisor, two periods


async def test_a_check_since_the_last_one_sees_only_numbers_that_called_since(
    app_sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock, users: Users
) -> None:
    site = (await seed_directory(app_sessionmaker)).site_id
    await _calls(app_sessionmaker, site, HEAVY, 5, clock)  # two days ago
    since = clock.now() - timedelta(hours=1)
    assert await alert_heavy_callers(app_sessionmaker, clock.now(), 5, 30, since) == []
    async with transaction(app_sessionmaker) as session:
        session.add(Call(site_id=site, channel_id="now", caller_number=HEAVY,
                         arrived_at=clock.now() - timedelta(minutes=5)))  # fmt: skip
    fresh = await alert_heavy_callers(app_sessionmaker, clock.now(), 5, 30, since)
    assert [(c.number, c.calls) for c in fresh] == [(HEAVY, 6)]


async def test_a_zero_threshold_switches_the_alert_off(
    app_sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock, users: Users
) -> None:
    site = (await seed_directory(app_sessionmaker)).site_id
    await _calls(app_sessionmaker, site, HEAVY, 5, clock)
    assert await alert_heavy_callers(app_sessionmaker, clock.now(), 0, 30) == []


async def test_the_running_component_alerts_once(
    app: Any, app_sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock, users: Users
) -> None:
    from hotline.callers.heavy import heavy_caller_component

    state = app.state.hotline
    state.settings.floor.heavy_caller_calls = 5
    site = (await seed_directory(app_sessionmaker)).site_id
    await _calls(app_sessionmaker, site, HEAVY, 5, clock)
    stop = await heavy_caller_component(interval_seconds=0.05)(state)
    try:
        for _ in range(400):  # waits for the first checks; no time is asserted
            async with app_sessionmaker() as session:
                rows = await session.scalar(
                    select(func.count(NotificationRow.id)).where(
                        NotificationRow.kind == alert_kind(HEAVY)
                    )
                )
            if rows:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # several more checks
    finally:
        await stop()
    async with app_sessionmaker() as session:
        rows = await session.scalar(
            select(func.count(NotificationRow.id)).where(NotificationRow.kind == alert_kind(HEAVY))
        )
    assert rows == 1
