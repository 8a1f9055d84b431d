"""The logged-in agents per report interval that the fold keeps (``report_headcount_rollup``)
are the raw computation's, on SQLite and PostgreSQL: a synthetic day at two sites is reported
raw, folded in two steps (the day's interval counted in part, then whole), and each width's
counts, per site view, are compared with the raw report's ``agents_logged_in``; then the
report reads them, and falls back to the presence rollup where the fold counted other days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import AgentStateLog, HeadcountRollup, Site
from hotline.reports import rollup_store, service
from hotline.reports.period import Granularity
from hotline.reports.queries import AgentGroup
from tests.hotline.reports.centre import seed_synthetic

pytestmark = pytest.mark.asyncio

ZONE = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 2)
START = datetime(2026, 3, 2, tzinfo=ZONE)
END = START + timedelta(days=1)
NOW = END + timedelta(hours=6)
WIDTHS = {
    Granularity.MIN15: 900,
    Granularity.MIN30: 1800,
    Granularity.MIN60: 3600,
    Granularity.DAY: 86400,
}


async def _two_sites(maker: async_sessionmaker[AsyncSession]) -> None:
    """The synthetic day, with three agents moving to a second site after lunch and one whose
    changes name no site: each site view has its own agents."""
    await seed_synthetic(maker, DAY)
    async with maker() as session, session.begin():
        other = Site(code="sh", name="Shanghai", ari_url="http://127.0.0.1:1", ari_username="u",
                     ari_password="p")  # fmt: skip
        session.add(other)
        await session.flush()
        agents = sorted(set(await session.scalars(select(AgentStateLog.agent_id))))
        afternoon = datetime(2026, 3, 2, 13, 0, tzinfo=ZONE)
        for row in await session.scalars(select(AgentStateLog)):
            if row.agent_id in agents[:3] and row.at >= afternoon:
                row.site_id = other.id
            elif row.agent_id == agents[3]:
                row.site_id = None


async def _report(
    maker: async_sessionmaker[AsyncSession], ask: dict[str, Any], zone: ZoneInfo = ZONE
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    start, end = START.replace(tzinfo=zone), END.replace(tzinfo=zone)
    async with maker() as session:
        data = await service.interval(session, service.Request(start, end, **ask), zone, NOW)
    return data["rows"], data["total"]


async def _site_ids(maker: async_sessionmaker[AsyncSession]) -> dict[str | None, int | None]:
    """Each site view of a report: None (every site) and each site's code, with its id."""
    views: dict[str | None, int | None] = {None: None}
    async with maker() as session:
        for site_id, code in await session.execute(select(Site.id, Site.code)):
            views[code] = site_id
    return views


async def _headcounts(
    maker: async_sessionmaker[AsyncSession], site_id: int | None, width: int
) -> dict[int, int]:
    h = HeadcountRollup
    site = h.site_id.is_(None) if site_id is None else h.site_id == site_id
    async with maker() as session:
        rows = list(
            await session.execute(
                select(h.start, h.agents).where(
                    site,
                    h.width_s == width,
                    h.start >= int(START.timestamp()),
                    h.start < int(END.timestamp()),
                )
            )
        )
    counts = dict(rows)
    assert len(counts) == len(rows)  # one row per interval and view
    return counts


async def test_the_folded_headcounts_are_the_raw_logged_in_agents(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _two_sites(sessionmaker)
    views = await _site_ids(sessionmaker)
    asks: list[dict[str, Any]] = [
        {"granularity": granularity, "site": code} for granularity in WIDTHS for code in views
    ]
    raw = [await _report(sessionmaker, ask) for ask in asks]
    assert max(row["agents_logged_in"] for row in raw[0][0]) >= 10  # a staffed day
    assert raw[-1][1]["agents_logged_in"] >= 3  # the other site has its own agents

    # Folded to noon first: the day (and the noon hour's neighbours) counted in part, then
    # counted again, whole, when the fold gets past them.
    noon = datetime(2026, 3, 2, 12, 0, tzinfo=ZONE)
    await rollup_store.fold_pending(sessionmaker, noon + rollup_store.SETTLE)
    for ask, expected in zip(asks, raw, strict=True):
        assert await _report(sessionmaker, ask) == expected, ask
    await rollup_store.fold_pending(sessionmaker, NOW)

    for ask, (rows, _) in zip(asks, raw, strict=True):
        width = WIDTHS[ask["granularity"]]
        kept = await _headcounts(sessionmaker, views[ask["site"]], width)
        wanted = {
            int(datetime.fromisoformat(row["interval_start"]).timestamp()): row["agents_logged_in"]
            for row in rows
        }
        # Every interval from the first fold on (the day's first change) has its row.
        assert kept == {s: n for s, n in wanted.items() if s >= min(kept)}, ask
        assert {s: n for s, n in wanted.items() if n}.items() <= kept.items(), ask
    for ask, expected in zip(asks, raw, strict=True):
        assert await _report(sessionmaker, ask) == expected, ask


async def test_an_unfiltered_report_reads_the_headcount_rollup(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Proof of which table is read: a count changed by hand shows in the unfiltered report's
    row (the period's total is the agents found in the presence rollup), not in an agent
    group's report, which counts its agents in the presence rollup."""
    await seed_synthetic(sessionmaker, DAY)
    await rollup_store.fold_pending(sessionmaker, NOW)
    ask = {"granularity": Granularity.DAY}
    group = {"granularity": Granularity.DAY, "group": AgentGroup.OVERFLOW}
    (row,), total = await _report(sessionmaker, ask)
    group_before = await _report(sessionmaker, group)
    async with sessionmaker() as session, session.begin():
        kept = await session.scalar(
            select(HeadcountRollup).where(
                HeadcountRollup.site_id.is_(None),
                HeadcountRollup.width_s == 86400,
                HeadcountRollup.start == int(START.timestamp()),
            )
        )
        assert kept is not None
        assert kept.agents == row["agents_logged_in"]
        kept.agents += 5
    (after,), after_total = await _report(sessionmaker, ask)
    assert after["agents_logged_in"] == row["agents_logged_in"] + 5
    assert after_total == total
    assert await _report(sessionmaker, group) == group_before


async def test_a_fold_in_another_zone_leaves_the_days_to_the_presence_rollup(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Days counted by a fold in UTC are not the centre's days: a report by day in Shanghai
    finds no count for its days and counts the presence rollup, with the raw numbers; its
    quarter and half hours are the same in both zones and are read from the counts."""
    await _two_sites(sessionmaker)
    utc = ZoneInfo("UTC")
    asks: list[dict[str, Any]] = [
        {"granularity": Granularity.DAY},
        {"granularity": Granularity.DAY, "site": "sh"},
        {"granularity": Granularity.MIN30},
    ]
    raw = [await _report(sessionmaker, ask) for ask in asks]
    raw_utc = await _report(sessionmaker, {"granularity": Granularity.DAY}, utc)
    await rollup_store.fold_pending(sessionmaker, NOW, zone=utc)
    async with sessionmaker() as session:
        starts = set(
            await session.scalars(
                select(HeadcountRollup.start).where(HeadcountRollup.width_s == 86400)
            )
        )
    assert starts
    assert all(start % 86400 == 0 for start in starts)  # UTC midnights
    for ask, expected in zip(asks, raw, strict=True):
        assert await _report(sessionmaker, ask) == expected, ask
    assert await _report(sessionmaker, {"granularity": Granularity.DAY}, utc) == raw_utc


async def test_the_service_standards_read_no_staffing_from_the_rollups(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """``staffing=False`` (the standards, which show no staffing figure) reads only the call
    rollup: the rolled intervals have no agent-time and nobody logged in, and the calls are
    those of the full report."""
    await seed_synthetic(sessionmaker, DAY)
    await rollup_store.fold_pending(sessionmaker, NOW)
    async with sessionmaker() as session:
        request = service.Request(START, END, Granularity.MIN60)
        full = await service.interval(session, request, ZONE, NOW)
        calls_only = await service.interval(session, request, ZONE, NOW, staffing=False)
    assert full["total"]["staffed"] > 0
    assert full["total"]["agents_logged_in"] > 0
    calls = ("arrived", "offered", "answered", "answered_within", "abandoned_queue", "asa_s")
    for whole, part in zip(
        [*full["rows"], full["total"]], [*calls_only["rows"], calls_only["total"]], strict=True
    ):
        assert {k: part[k] for k in calls} == {k: whole[k] for k in calls}
        assert part["staffed"] == 0
        assert part["agents_logged_in"] == 0
        assert part["not_ready_by_reason"] == {}
