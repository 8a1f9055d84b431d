"""Logged-in agents per report interval: kept by the fold, read by the interval report.

``agents_logged_in`` is a distinct count, so an interval's figure is not the sum of its quarter
hours' (an agent logged in all morning counts once): the report used to count the presence
rollup (a row per agent and quarter hour) for every interval it showed, which for a month of a
730-agent centre is over half a million rows per report. The fold now keeps the count for each
interval of each report width (15, 30, 60 minutes, a day) and site view in
``report_headcount_rollup``, counted from the presence rollup it has just written, so a month
reads one row per interval. The agents of a whole period (the total row) are one index probe
per agent into the presence rollup.

Distinct counts are counted in the database from the presence rollup, the same rows the report
counted before, so the figures are the same ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, distinct, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from hotline.db.models import Agent, HeadcountRollup, PresenceRollup
from hotline.db.models.report import HEADCOUNT_WIDTHS

# The settings' default zone (``hotline.config``): the fold's days when no zone is given.
DEFAULT_ZONE = ZoneInfo("Asia/Shanghai")
_BUCKET_S = 900
_MAX_RUNS = 16  # ranges of intervals to count in the presence rollup, OR-ed; more: one range


def _offset(epoch: int, zone: ZoneInfo) -> int | None:
    delta = datetime.fromtimestamp(epoch, UTC).astimezone(zone).utcoffset()
    return None if delta is None else int(delta.total_seconds())


def grid(low: int, high: int, width: int, zone: ZoneInfo) -> tuple[int, int, int] | None:
    """The intervals of ``width`` seconds, clock-aligned in ``zone``, that overlap [low, high):
    (the first one's start, the last one's end, the zone's UTC offset). None when the offset
    changes over them (a clock change: the report reads the presence rollup there, as it does
    for any period with one) or is not a whole number of buckets."""
    offset = _offset(low, zone)
    if offset is None or offset % _BUCKET_S or _offset(high, zone) != offset:
        return None
    first = (low + offset) // width * width - offset
    last = -(-(high + offset) // width) * width - offset
    if _offset(first, zone) != offset or _offset(last, zone) != offset:
        return None
    return first, last, offset


async def fold_headcounts(
    connection: AsyncConnection,
    low: int,
    high: int,
    zone: ZoneInfo,
    views: Sequence[int | None],
) -> list[dict[str, Any]]:
    """The headcount rows of every interval overlapping the buckets [low, high) just folded
    (their old rows deleted), counted from the presence rollup: this range's rows, written
    just before, and its neighbours' from earlier folds. An interval reaching past what is
    folded is counted in part now and again, whole, when the fold gets there; the report only
    reads intervals that end before the fold's position. ``views``: None and every site."""
    p, h = PresenceRollup, HeadcountRollup
    rows: list[dict[str, Any]] = []
    for width in HEADCOUNT_WIDTHS:
        await connection.execute(
            delete(h).where(h.width_s == width, h.start > low - width, h.start < high)
        )
        covered = grid(low, high, width, zone)
        if covered is None:
            continue
        first, last, offset = covered
        key = (p.bucket + offset) // width
        counted = {
            (site_id, int(k) * width - offset): int(n)
            for site_id, k, n in await connection.execute(
                select(p.site_id, key, func.count(distinct(p.agent_id)))
                .where(p.bucket >= first, p.bucket < last)
                .group_by(p.site_id, key)
            )
        }
        # Every interval gets a row, nobody logged in included: a missing row is "not counted".
        rows.extend(
            {
                "site_id": view,
                "width_s": width,
                "start": start,
                "agents": counted.get((view, start), 0),
            }
            for start in range(first, last, width)
            for view in views
        )
    return rows


def presence_where(low: int, high: int, site_id: int | None, agents: set[int] | None) -> list[Any]:
    p = PresenceRollup
    conditions: list[Any] = [p.bucket >= low, p.bucket < high]
    conditions.append(p.site_id.is_(None) if site_id is None else p.site_id == site_id)
    if agents is not None:
        conditions.append(p.agent_id.in_(sorted(agents)) if agents else false())
    return conditions


async def logged_in_counts(
    session: AsyncSession, low: int, high: int, width: int, shift: int, site_id: int | None
) -> list[tuple[int, int]]:
    """(interval start, distinct agents) for the report intervals of ``width`` in [low, high)
    (epoch seconds; ``shift`` the zone's UTC offset). The whole intervals from the headcount
    rollup; from the presence rollup (their buckets in [low, high) only) the ones the period
    cuts at either end and any whole one without a count: before the first fold (nothing
    there, a cheap read) or counted in another time zone's days (the old, slower read)."""
    first = -(-(low + shift) // width) * width - shift  # the first whole interval's start
    last = (high + shift) // width * width - shift  # the last whole interval's end
    counts: dict[int, int] = {}
    if first < last:
        h = HeadcountRollup
        site = h.site_id.is_(None) if site_id is None else h.site_id == site_id
        query = select(h.start, h.agents).where(
            site, h.width_s == width, h.start >= first, h.start < last
        )
        counts = {int(start): int(n) for start, n in await session.execute(query)}
    wanted = [(low, high)] if first > last else [(low, first), (last, high)]
    wanted += [(s, s + width) for s in range(first, last, width) if s not in counts]
    runs: list[tuple[int, int]] = []
    for a, b in sorted(r for r in wanted if r[0] < r[1]):
        if runs and a <= runs[-1][1]:
            runs[-1] = (runs[-1][0], max(b, runs[-1][1]))
        else:
            runs.append((a, b))
    if runs:
        p = PresenceRollup
        key = (p.bucket + shift) // width
        inside = (
            or_(*(and_(p.bucket >= a, p.bucket < b) for a, b in runs))
            if len(runs) <= _MAX_RUNS
            else and_(p.bucket >= runs[0][0], p.bucket < runs[-1][1])
        )
        for k, n in await session.execute(
            select(key, func.count(distinct(p.agent_id)))
            .where(*presence_where(low, high, site_id, None), inside)
            .group_by(key)
        ):
            # Over one bounding range, intervals with a count are read again: keep the count.
            counts.setdefault(int(k) * width - shift, int(n))
    return sorted(counts.items())


async def agents_present(
    session: AsyncSession, low: int, high: int, site_id: int | None, agents: set[int] | None
) -> frozenset[int]:
    """The agents logged in at some time in [low, high): for each agent (of ``agents``, or
    every one), does the presence rollup hold a row of theirs there. A probe of the index per
    agent, a few thousand index pages for a month, instead of the period's presence rows; a
    scalar subquery with LIMIT so that PostgreSQL probes rather than hashing the whole range.
    (The state log's rows cascade with their agent, so every agent it ever named is in
    ``agent``.)"""
    p = PresenceRollup
    probe = (
        select(p.bucket)
        .where(p.agent_id == Agent.id, *presence_where(low, high, site_id, None))
        .limit(1)
        .scalar_subquery()
    )
    query = select(Agent.id).where(probe.is_not(None))
    if agents is not None:
        query = query.where(Agent.id.in_(sorted(agents)) if agents else false())
    return frozenset(await session.scalars(query))
