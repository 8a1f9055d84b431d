"""The rollups give the interval report the same numbers as the raw rows, on SQLite and
PostgreSQL: a synthetic day is reported raw, folded, and reported again from the rollups (whole
and with the afternoon still unfolded), for every interval width and filter."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import (
    CallRollup,
    HeadcountRollup,
    PresenceRollup,
    RollupPosition,
    StateRollup,
    StateTotalRollup,
)
from hotline.db.session import create_engine, create_sessionmaker
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

ASKS: list[dict[str, Any]] = [
    {"granularity": Granularity.MIN15},
    {"granularity": Granularity.MIN30, "threshold_s": 120.0},
    {"granularity": Granularity.MIN60, "line": "national_tax"},
    {"granularity": Granularity.DAY, "site": "hz", "short_abandon_s": 10.0},
    {"granularity": Granularity.MIN30, "group": AgentGroup.OVERFLOW},
    {"granularity": Granularity.MIN60, "language": "zh", "line": "finance"},
]


async def _report(maker: async_sessionmaker[AsyncSession], ask: dict[str, Any]) -> Any:
    async with maker() as session:
        data = await service.interval(session, service.Request(START, END, **ask), ZONE, NOW)
    return data["rows"], data["total"]


async def _rollup_rows(maker: async_sessionmaker[AsyncSession]) -> tuple[int, ...]:
    async with maker() as session:
        calls = await session.scalar(select(func.sum(CallRollup.offered)))
        states = await session.scalar(select(func.count(StateRollup.id)))
        seconds = await session.scalar(select(func.sum(StateRollup.us)))
        totals = await session.scalar(select(func.count(StateTotalRollup.id)))
        heads = await session.scalar(select(func.sum(HeadcountRollup.agents)))
    return int(calls or 0), int(states or 0), int(seconds or 0), int(totals or 0), int(heads or 0)


async def test_the_rollups_give_the_raw_numbers(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await seed_synthetic(sessionmaker, DAY)
    raw = [await _report(sessionmaker, ask) for ask in ASKS]
    assert raw[0][1]["offered"] > 500  # a real day, not an empty one

    # The afternoon still open: the morning from the rollups, the rest from the raw rows.
    noon = datetime(2026, 3, 2, 12, 0, tzinfo=ZONE)
    folded = await rollup_store.fold_pending(sessionmaker, noon + rollup_store.SETTLE)
    assert folded
    assert folded[-1].end == noon.astimezone(UTC)
    for ask, expected in zip(ASKS, raw, strict=True):
        assert await _report(sessionmaker, ask) == expected, ask

    # Then the whole day, the job catching up from its stored position.
    await rollup_store.fold_pending(sessionmaker, NOW)
    async with sessionmaker() as session:
        position = await session.get(RollupPosition, rollup_store.POSITION)
    assert position is not None
    assert position.folded_until >= END
    for ask, expected in zip(ASKS, raw, strict=True):
        assert await _report(sessionmaker, ask) == expected, ask


async def test_the_report_reads_the_rollups_once_folded(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Proof the rollups are read (not only written): a folded bucket's numbers come from
    them, so a rollup row changed by hand shows in the report."""
    await seed_synthetic(sessionmaker, DAY)
    await rollup_store.fold_pending(sessionmaker, NOW)
    before = (await _report(sessionmaker, ASKS[0]))[1]["offered"]
    async with sessionmaker() as session, session.begin():
        row = await session.scalar(select(CallRollup).where(CallRollup.offered > 0).limit(1))
        assert row is not None
        row.offered += 1000
    assert (await _report(sessionmaker, ASKS[0]))[1]["offered"] == before + 1000


async def test_folding_again_changes_nothing_and_a_refold_repairs(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await seed_synthetic(sessionmaker, DAY)
    await rollup_store.fold_pending(sessionmaker, NOW)
    first = await _rollup_rows(sessionmaker)
    assert first[0] > 0
    assert first[1] > 0
    assert 0 < first[3] < first[1]  # summed over the agents: fewer rows
    assert first[4] > 0
    assert await rollup_store.fold_pending(sessionmaker, NOW) == []  # nothing pending
    async with sessionmaker() as session, session.begin():
        await rollup_store.fold_range(session, START, END)
        await rollup_store.fold_range(session, START, END)
    assert await _rollup_rows(sessionmaker) == first


async def test_a_live_call_holds_the_fold_back(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """A bucket with a call still in progress is not folded: its numbers could still change."""
    await seed_synthetic(sessionmaker, DAY)
    from hotline.db.models import Call

    async with sessionmaker() as session, session.begin():
        call = await session.scalar(
            select(Call).where(Call.arrived_at >= datetime(2026, 3, 2, 14, 0, tzinfo=ZONE))
            .order_by(Call.arrived_at).limit(1)
        )  # fmt: skip
        assert call is not None
        call.outcome = None
        arrived = call.arrived_at
    await rollup_store.fold_pending(sessionmaker, arrived + timedelta(hours=3))
    async with sessionmaker() as session:
        position = await session.get(RollupPosition, rollup_store.POSITION)
    assert position is not None
    assert position.folded_until <= arrived


async def test_the_state_rollup_without_agents_sums_the_per_agent_one(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Every (bucket, site, state, reason) of the rollup without agents holds the sum of the
    per-agent rows: the unfiltered report reads it, a group's report the per-agent rows."""
    await seed_synthetic(sessionmaker, DAY)
    await rollup_store.fold_pending(sessionmaker, NOW)

    def keyed(rows: Any) -> dict[tuple[Any, ...], int]:
        return {tuple(row[:4]): int(row[4]) for row in rows}

    async with sessionmaker() as session:
        per_agent = keyed(
            await session.execute(
                select(
                    StateRollup.bucket,
                    StateRollup.site_id,
                    StateRollup.status,
                    StateRollup.reason,
                    func.sum(StateRollup.us),
                ).group_by(
                    StateRollup.bucket,
                    StateRollup.site_id,
                    StateRollup.status,
                    StateRollup.reason,
                )
            )
        )
        totals = keyed(
            await session.execute(
                select(
                    StateTotalRollup.bucket,
                    StateTotalRollup.site_id,
                    StateTotalRollup.status,
                    StateTotalRollup.reason,
                    StateTotalRollup.us,
                )
            )
        )
    assert len(totals) > 100
    assert totals == per_agent
    assert {site for _, site, _, _ in totals} > {None}  # the all-sites view and per site


async def test_an_unfiltered_report_reads_the_rollup_without_agents(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Proof of which table is read: agent-time added by hand to the rollup without agents
    shows in the unfiltered report, not in an agent group's (read from the per-agent rows)."""
    await seed_synthetic(sessionmaker, DAY)
    await rollup_store.fold_pending(sessionmaker, NOW)
    ask = {"granularity": Granularity.DAY}
    group = {"granularity": Granularity.DAY, "group": AgentGroup.OVERFLOW}
    before, group_before = (await _report(sessionmaker, ask))[1], await _report(sessionmaker, group)
    async with sessionmaker() as session, session.begin():
        row = await session.scalar(
            select(StateTotalRollup)
            .where(StateTotalRollup.site_id.is_(None), StateTotalRollup.status == "on_call")
            .limit(1)
        )
        assert row is not None
        row.us += 86_400 * 10**6  # one agent more, all day
    after = (await _report(sessionmaker, ask))[1]
    assert after["on_call"] == pytest.approx(before["on_call"] + 1.0, abs=0.011)
    assert after["staffed"] == pytest.approx(before["staffed"] + 1.0, abs=0.011)
    assert await _report(sessionmaker, group) == group_before


async def test_the_presence_rollup_holds_who_the_state_rollup_has(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """One row per (bucket, site view, agent) with agent-time in the state rollup, and the
    period's agents are read from it: an agent whose rows are taken out by hand is no longer
    in the total (the day's own count is the headcount rollup's, counted when folded)."""
    await seed_synthetic(sessionmaker, DAY)
    await rollup_store.fold_pending(sessionmaker, NOW)
    async with sessionmaker() as session:
        states = set(
            await session.execute(
                select(StateRollup.bucket, StateRollup.site_id, StateRollup.agent_id).distinct()
            )
        )
        present = list(
            await session.execute(
                select(PresenceRollup.bucket, PresenceRollup.site_id, PresenceRollup.agent_id)
            )
        )
    assert len(present) > 100
    assert len(set(present)) == len(present)  # once each
    assert set(present) == states
    ask = {"granularity": Granularity.DAY}
    rows, total = await _report(sessionmaker, ask)
    async with sessionmaker() as session, session.begin():
        gone = min(agent for _, site, agent in present if site is None)
        await session.execute(
            delete(PresenceRollup).where(
                PresenceRollup.site_id.is_(None), PresenceRollup.agent_id == gone
            )
        )
    after_rows, after_total = await _report(sessionmaker, ask)
    assert after_total["agents_logged_in"] == total["agents_logged_in"] - 1
    assert after_rows == rows


async def test_each_site_folds_its_own_view_of_the_state_log(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """With agents at two sites (and changes without a site), a report filtered on either site
    gives the same numbers from the rollups as from the raw rows: the fold picks each site's
    view (its changes, those without a site, and each agent's last one before the range) out
    of the one read of the state log."""
    from hotline.db.models import AgentStateLog, Site

    await seed_synthetic(sessionmaker, DAY)
    async with sessionmaker() as session, session.begin():
        other = Site(code="sh", name="Shanghai", ari_url="http://127.0.0.1:1", ari_username="u",
                     ari_password="p")  # fmt: skip
        session.add(other)
        await session.flush()
        agents = sorted(set(await session.scalars(select(AgentStateLog.agent_id))))
        afternoon = datetime(2026, 3, 2, 13, 0, tzinfo=ZONE)
        for row in await session.scalars(select(AgentStateLog)):
            if row.agent_id in agents[:3] and row.at >= afternoon:
                row.site_id = other.id  # three agents move to the other site after lunch
            elif row.agent_id == agents[3]:
                row.site_id = None  # one agent's changes name no site
        # A change the evening before: the state at the start of the day, at the other site.
        session.add(
            AgentStateLog(agent_id=agents[4], at=START - timedelta(hours=2), status="not_ready",
                          reason="meeting", site_id=other.id)
        )  # fmt: skip
    asks: list[dict[str, Any]] = [
        {"granularity": g, "site": site}
        for g in (Granularity.MIN30, Granularity.DAY)
        for site in ("hz", "sh")
    ]
    raw = [await _report(sessionmaker, ask) for ask in asks]
    assert raw[1][1]["agents_logged_in"] >= 3  # the other site has its own staffing
    await rollup_store.fold_pending(sessionmaker, NOW)
    for ask, expected in zip(asks, raw, strict=True):
        assert await _report(sessionmaker, ask) == expected, ask


async def test_two_instances_folding_at_once_fold_each_day_once(
    sessionmaker: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    """Why the fold needs no fence (docs/cluster.md): a second instance folding at the same
    moment (an old leader and a new one) waits on the position row and finds nothing left of
    the range the first folded; folding recomputes a bucket from the raw rows anyway."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite admits one writer at a time; two folding instances need PostgreSQL")
    await seed_synthetic(sessionmaker, DAY)
    raw = [await _report(sessionmaker, ask) for ask in ASKS]
    engines = [create_engine(database_url) for _ in range(2)]
    try:
        runs = await asyncio.gather(
            *(rollup_store.fold_pending(create_sessionmaker(e), NOW) for e in engines)
        )
    finally:
        for engine in engines:
            await engine.dispose()
    ranges = sorted((r.start, r.end) for run in runs for r in run)
    assert ranges, "nothing was folded"
    # Each range folded by one of the two, one after the other without a gap or an overlap.
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges)), ranges
    for ask, expected in zip(ASKS, raw, strict=True):
        assert await _report(sessionmaker, ask) == expected, ask
    assert await rollup_store.fold_pending(sessionmaker, NOW) == []
