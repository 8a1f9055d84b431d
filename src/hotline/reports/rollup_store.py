"""The rollups in the database: the fold job that keeps them, and the reads the report makes.

The fold runs off the call path (``rollup_component`` beside the sweeper, or ``hotline reports
fold``): it takes the buckets from its stored position up to the settled edge, recomputes them
from the raw rows (delete, then insert, in one transaction with the new position) and moves on a
day at a time, so it catches up after downtime and folding twice changes nothing.

A bucket is settled once its calls can no longer change: it ended ``SETTLE`` ago (the wrap-up
margin the report reads past a period, plus slack for the write queue) and no call that arrived
in it is still live. A late change past that (a corrected row, a restored backup) is folded
again with ``hotline reports fold --from ... --to ...``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, distinct, false, func, literal, or_, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from hotline.db.base import Base
from hotline.db.models import AgentStateLog, Call, Site
from hotline.db.models.report import (
    SHORT_LIMITS,
    WITHIN_THRESHOLDS,
    CallRollup,
    HeadcountRollup,
    PresenceRollup,
    RollupPosition,
    StateRollup,
    StateTotalRollup,
)
from hotline.reports import queries
from hotline.reports.interval import CallRow
from hotline.reports.period import Granularity, Period
from hotline.reports.queries import Filters
from hotline.reports.rollup import (
    BUCKET_S,
    PlacedCall,
    Rolled,
    ceil_bucket,
    floor_bucket,
    fold_calls,
    fold_spans,
    presence,
    total_spans,
)
from hotline.reports.rollup_headcount import (
    DEFAULT_ZONE,
    agents_present,
    fold_headcounts,
    logged_in_counts,
    presence_where,
)
from hotline.reports.rollup_people_store import fold_people
from hotline.reports.staffing import StateRow, spans, wrap_up_seconds

POSITION = "interval"
SETTLE = queries.WRAP_MARGIN + timedelta(hours=1)
CHUNK = timedelta(days=1)
_WIDTH_S = {
    Granularity.MIN15: 900,
    Granularity.MIN30: 1800,
    Granularity.MIN60: 3600,
    Granularity.DAY: 86400,
}


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


@dataclass(frozen=True, slots=True)
class FoldResult:
    start: datetime
    end: datetime
    call_rows: int
    state_rows: int
    total_rows: int = 0
    presence_rows: int = 0
    headcount_rows: int = 0


async def fold_range(
    session: AsyncSession, start: datetime, end: datetime, zone: ZoneInfo = DEFAULT_ZONE
) -> FoldResult:
    """Recompute every bucket in [start, end) (whole buckets) from the raw rows.

    The raw rows are read as plain tuples, one statement per table (the state log once for
    every site view: the views are picked out of it here), and the rollup rows are written in
    bulk (COPY on PostgreSQL, one executemany on SQLite): the ORM's per-row work was most of a
    fold's time, and a year of a large centre is tens of millions of state rows. ``zone``: the
    centre's time zone, whose days the headcount rollup counts (``rollup_headcount``)."""
    low, high = floor_bucket(start.timestamp()), ceil_bucket(end.timestamp())
    begin, finish = _at(low), _at(high)
    connection = await session.connection()
    placed = [
        PlacedCall(CallRow(*row[:9]), row[9], row[10], row[11])
        for row in await connection.execute(
            select(
                Call.id,
                Call.kind,
                Call.arrived_at,
                Call.queued_at,
                Call.answered_at,
                Call.outcome,
                Call.wait_s,
                Call.talk_s,
                Call.hold_s,
                Call.site_id,
                Call.business_line,
                Call.language,
            ).where(Call.arrived_at >= begin, Call.arrived_at < finish)
        )
    ]
    until = finish + queries.WRAP_MARGIN
    logged = await _state_log(connection, begin, until)
    site_ids = list(await connection.scalars(select(Site.id).order_by(Site.id)))

    Rows = list[dict[str, Any]]

    Views = dict[int | None, list[StateRow]]

    def compute() -> tuple[Rows, Rows, Rows, Rows, Views]:
        views: Views = {None: _view(logged, None)}
        all_spans = spans(views[None], until)
        call_rows = fold_calls(placed, wrap_up_seconds(all_spans), low, high)
        every = fold_spans(all_spans, low, high, None)
        state_rows = list(every)
        for site_id in site_ids:
            if all(row[5] is None or row[5] == site_id for row in logged):
                # The site's view is every row: the same spans, the same sums.
                views[site_id] = views[None]
                state_rows.extend({**row, "site_id": site_id} for row in every)
                continue
            views[site_id] = _view(logged, site_id)
            rows = spans(views[site_id], until)
            state_rows.extend(fold_spans(rows, low, high, site_id))
        return call_rows, state_rows, total_spans(state_rows), presence(state_rows), views

    call_rows, state_rows, total_rows, present_rows, views = await asyncio.to_thread(compute)
    for table in (CallRollup, StateRollup, StateTotalRollup, PresenceRollup):
        await connection.execute(delete(table).where(table.bucket >= low, table.bucket < high))
    await _write(connection, CallRollup, call_rows)
    await _write(connection, StateRollup, state_rows)
    await _write(connection, StateTotalRollup, total_rows)
    await _write(connection, PresenceRollup, present_rows)
    # Logged-in agents per report interval, counted from the presence rows just written.
    headcount_rows = await fold_headcounts(connection, low, high, zone, [None, *site_ids])
    await _write(connection, HeadcountRollup, headcount_rows)
    # The surveys' and agents' rollups: the same buckets, from the state rows read above.
    await fold_people(
        session, low, high, views[None], {site_id: views[site_id] for site_id in site_ids}
    )
    return FoldResult(
        begin,
        finish,
        len(call_rows),
        len(state_rows),
        len(total_rows),
        len(present_rows),
        len(headcount_rows),
    )


# (agent, at, status, reason, call, site, part): part 0 is a last change before the range.
_Logged = tuple[int, datetime, str, str | None, int | None, int | None, int]


async def _state_log(
    connection: AsyncConnection, begin: datetime, until: datetime
) -> list[_Logged]:
    """The changes in [begin, until) and, before ``begin`` (within the lookback), each agent's
    last change overall and at each site: whatever any site view needs (``_view``), in one
    statement, ordered by agent, time and the order they were written in."""
    log = AgentStateLog
    columns = (log.agent_id, log.at, log.status, log.reason, log.call_id, log.site_id, log.id)
    window = (
        select(
            *columns,
            func.max(log.at).over(partition_by=log.agent_id).label("last_all"),
            func.max(log.at).over(partition_by=(log.agent_id, log.site_id)).label("last_site"),
        )
        .where(log.at >= begin - queries.LOOKBACK, log.at < begin)
        .subquery()
    )
    before = select(*(window.c[c.key] for c in columns), literal(0).label("part")).where(
        or_(window.c.at == window.c.last_all, window.c.at == window.c.last_site)
    )
    inside = select(*columns, literal(1).label("part")).where(log.at >= begin, log.at < until)
    both = union_all(before, inside).subquery()
    query = select(
        both.c.agent_id,
        both.c.at,
        both.c.status,
        both.c.reason,
        both.c.call_id,
        both.c.site_id,
        both.c.part,
    ).order_by(both.c.agent_id, both.c.at, both.c.id)
    return [tuple(row) for row in await connection.execute(query)]


def _view(logged: Sequence[_Logged], site_id: int | None) -> list[StateRow]:
    """The rows ``queries.state_rows`` reads for one site view (None: every site): the changes
    at that site or without one, and per agent the last of them before the range."""
    mine = [r for r in logged if site_id is None or r[5] is None or r[5] == site_id]
    last: dict[int, datetime] = {}
    for row in mine:
        if row[6] == 0 and (row[0] not in last or row[1] > last[row[0]]):
            last[row[0]] = row[1]
    return [
        StateRow(row[0], row[1], row[2], row[3], row[4])
        for row in mine
        if row[6] == 1 or row[1] == last[row[0]]
    ]


async def _write(
    connection: AsyncConnection, table: type[Base], rows: list[dict[str, Any]]
) -> None:
    """Insert the rows in bulk: asyncpg's COPY inside the fold's transaction on PostgreSQL,
    one executemany of plain tuples on SQLite."""
    if not rows:
        return
    names = list(rows[0])
    records = list(map(itemgetter(*names), rows))  # every table has several columns: tuples
    tablename = table.__tablename__
    if connection.dialect.name == "postgresql":
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        await driver.copy_records_to_table(tablename, records=records, columns=names)
        return
    marks = ", ".join("?" for _ in names)
    await connection.exec_driver_sql(
        f"INSERT INTO {tablename} ({', '.join(names)}) VALUES ({marks})", records
    )


async def folded_until(session: AsyncSession) -> datetime | None:
    return await session.scalar(
        select(RollupPosition.folded_until).where(RollupPosition.name == POSITION)
    )


async def _settled_edge(session: AsyncSession, now: datetime) -> datetime:
    """The end of the last bucket whose calls can no longer change."""
    edge = now - SETTLE
    live = await session.scalar(
        select(func.min(Call.arrived_at)).where(
            Call.outcome.is_(None), Call.arrived_at > now - queries.LOOKBACK
        )
    )
    if live is not None:
        edge = min(edge, live)
    return _at(floor_bucket(edge.timestamp()))


async def _first_position(session: AsyncSession, now: datetime, edge: datetime) -> RollupPosition:
    """The position row of the very first fold, locked. Two instances folding for the first
    time at once both find no row: the second one's insert waits for the first one's, does
    nothing, and locks the row the first one wrote (a plain insert would fail on the key)."""
    start = await _first_data(session) or edge
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    await session.execute(
        dialect.insert(RollupPosition)
        .values(name=POSITION, folded_until=min(start, edge), updated_at=now)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    position = await session.get(
        RollupPosition, POSITION, with_for_update=True, populate_existing=True
    )
    assert position is not None  # inserted now, or by the other instance
    return position


async def _first_data(session: AsyncSession) -> datetime | None:
    first_call = await session.scalar(select(func.min(Call.arrived_at)))
    first_state = await session.scalar(select(func.min(AgentStateLog.at)))
    known = [at for at in (first_call, first_state) if at is not None]
    return _at(floor_bucket(min(known).timestamp())) if known else None


async def fold_pending(
    sessionmaker: async_sessionmaker[AsyncSession],
    now: datetime,
    *,
    max_chunks: int | None = None,
    zone: ZoneInfo = DEFAULT_ZONE,
) -> list[FoldResult]:
    """Fold from the stored position to the settled edge, a day per transaction; concurrent
    runs wait on the position row (PostgreSQL) and find nothing left to do."""
    done: list[FoldResult] = []
    while max_chunks is None or len(done) < max_chunks:
        async with sessionmaker() as session, session.begin():
            position = await session.get(RollupPosition, POSITION, with_for_update=True)
            edge = await _settled_edge(session, now)
            if position is None:
                position = await _first_position(session, now, edge)
            start = position.folded_until
            if start >= edge:
                return done
            end = min(start + CHUNK, edge)
            done.append(await fold_range(session, start, end, zone))
            position.folded_until = end
            position.updated_at = now
    return done


@dataclass(frozen=True, slots=True)
class FoldedSpan:
    """The whole buckets [low, high) (epoch seconds) at the start of a report's period that
    the rollups hold; ``offset``: the zone's UTC offset in seconds (one for the period)."""

    low: int
    high: int
    offset: int


async def folded_span(session: AsyncSession, period: Period) -> FoldedSpan | None:
    """What of ``period`` a report may read from the rollups: from its start (on a bucket) up
    to the fold's position; the raw rows then give the rest. None when the rollups cannot
    answer (a period not starting on a bucket, a clock change inside it, nothing folded)."""
    low = period.start.timestamp()
    if low % BUCKET_S:
        return None
    offsets = {start.utcoffset() for start, _ in period.intervals()}
    offsets.add(period.end.astimezone(period.zone).utcoffset())
    if len(offsets) != 1:
        return None
    offset = next(iter(offsets))
    position = await folded_until(session)
    if position is None or offset is None:
        return None
    high = min(floor_bucket(period.end.timestamp()), position.timestamp())
    if high <= low:
        return None
    return FoldedSpan(int(low), int(high), int(offset.total_seconds()))


async def rolled(
    session: AsyncSession,
    period: Period,
    f: Filters,
    agents: set[int] | None,
    threshold_s: float,
    short_abandon_s: float,
    *,
    staffing: bool = True,
) -> Rolled | None:
    """The rolled part of an interval report, or None when the rollups cannot answer it (a
    threshold they do not keep, an agent filter, a period not starting on a bucket, a clock
    change inside it, nothing folded yet): the report then reads the raw rows. Without
    ``staffing`` (the service standards) only the calls: no agent-time, nobody logged in."""
    if (
        f.agent_id is not None
        or threshold_s not in WITHIN_THRESHOLDS
        or short_abandon_s not in SHORT_LIMITS
    ):
        return None
    folded = await folded_span(session, period)
    if folded is None:
        return None
    low, high, shift = folded.low, folded.high, folded.offset
    calls = await _call_sums(session, low, high, f, threshold_s, short_abandon_s)
    if not staffing:
        return Rolled(float(low), float(high), calls, (), (), frozenset(), frozenset())
    us = await _state_us(session, low, high, f, agents)
    width = _WIDTH_S[period.granularity]
    # Who was logged in per interval: counted per interval by the fold for the whole centre
    # or a site; an agent group's from the presence rollup, one row per agent and bucket (the
    # group is today's skills and flags, which a count kept at fold time would not follow).
    if agents is None:
        counts = await logged_in_counts(session, low, high, width, shift, f.site_id)
    else:
        p = PresenceRollup
        key = (p.bucket + shift) // width
        counts = [
            (int(k) * width - shift, int(n))
            for k, n in await session.execute(
                select(key, func.count(distinct(p.agent_id)))
                .where(*presence_where(low, high, f.site_id, agents))
                .group_by(key)
            )
        ]
    every = await agents_present(session, low, high, f.site_id, agents)
    edge_start = max(((high + shift) // width) * width - shift, low)
    edge: frozenset[int] = frozenset()
    if edge_start < high:
        edge = frozenset(
            await session.scalars(
                select(PresenceRollup.agent_id)
                .where(*presence_where(edge_start, high, f.site_id, agents))
                .distinct()
            )
        )
    return Rolled(float(low), float(high), calls, us, counts, edge, every)


async def _state_us(
    session: AsyncSession, low: int, high: int, f: Filters, agents: set[int] | None
) -> list[tuple[int, str, str | None, int]]:
    """Agent-microseconds per (bucket, state, reason): from the rollup without agents unless an
    agent group picks some (a month's unfiltered report then sums a few rows per bucket)."""
    table: type[StateRollup] | type[StateTotalRollup] = StateRollup
    where = _state_where(low, high, f, agents)
    if agents is None:
        table = StateTotalRollup
        where = [table.bucket >= low, table.bucket < high]
        where.append(table.site_id.is_(None) if f.site_id is None else table.site_id == f.site_id)
    query = (
        select(table.bucket, table.status, table.reason, func.sum(table.us))
        .where(*where)
        .group_by(table.bucket, table.status, table.reason)
    )
    return [
        (int(b), status, reason, int(total))
        for b, status, reason, total in await session.execute(query)
    ]


def _state_where(low: int, high: int, f: Filters, agents: set[int] | None) -> list[Any]:
    conditions: list[Any] = [StateRollup.bucket >= low, StateRollup.bucket < high]
    if f.site_id is None:
        conditions.append(StateRollup.site_id.is_(None))
    else:
        conditions.append(StateRollup.site_id == f.site_id)
    if agents is not None:
        conditions.append(StateRollup.agent_id.in_(sorted(agents)) if agents else false())
    return conditions


async def _call_sums(
    session: AsyncSession, low: int, high: int, f: Filters, threshold_s: float, short_s: float
) -> Sequence[tuple[int, dict[str, int]]]:
    r = CallRollup  # every column an integer: SUM is exact
    names = (
        "arrived",
        "callback_calls",
        "abandoned_ivr",
        "offered",
        "answered",
        "abandoned_queue",
        "abandoned_ringing",
        "callbacks",
        "wait_answered_us",
        "handle_us",
    )
    columns = [func.sum(getattr(r, name)) for name in names]
    columns.append(func.sum(getattr(r, f"within_{int(threshold_s)}")))
    columns.append(func.sum(getattr(r, f"short_{int(short_s)}")))
    query = select(r.bucket, *columns).where(r.bucket >= low, r.bucket < high)
    if f.site_id is not None:
        query = query.where(r.site_id == f.site_id)
    if f.line is not None:
        query = query.where(r.business_line == f.line)
    if f.language is not None:
        query = query.where(r.language == f.language)
    out = []
    for row in await session.execute(query.group_by(r.bucket)):
        values = [v or 0 for v in row[1:]]
        counters = {name: int(v) for name, v in zip(names, values, strict=False)}
        counters["answered_within"] = int(values[-2])
        counters["short_abandons"] = int(values[-1])
        out.append((int(row[0]), counters))
    return out
