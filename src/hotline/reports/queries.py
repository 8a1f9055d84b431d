"""The database reads behind the reports: filters checked against the directory, the calls of a
period and the agent state log around it.

Reports read the tables, never the service's in-memory counters, so two replicas answer alike.
The state log is read from a lookback before the period (an agent's state at the start is their
last change before it) to a margin after it (the wrap-up of a call that arrived near the end).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, false, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from hotline.db.models import (
    Agent,
    AgentShift,
    AgentSkill,
    AgentStateLog,
    Call,
    CallEvent,
    CallSummaryRow,
    KbSearchMiss,
    Site,
    Skill,
    Topic,
    WorkOrderRow,
)
from hotline.db.models.call import LOW_SURVEY_SCORE
from hotline.errors import InvalidInputError
from hotline.reports.abandons import AbandonRow, Change
from hotline.reports.agents import FinishedCall, Orders
from hotline.reports.interval import ABANDON_OUTCOMES, CallRow
from hotline.reports.local_day import as_date, local_day
from hotline.reports.scorecard import ScorecardCounts
from hotline.reports.staffing import StateRow
from hotline.reports.standards import DueOrders
from hotline.reports.topics import TopicName

_Query = TypeVar("_Query", bound=Select)  # type: ignore[type-arg]
LOOKBACK = timedelta(hours=24)  # an agent logged in longer without a change is counted from here
WRAP_MARGIN = timedelta(hours=1)  # wrap-up of the period's last calls, read past its end
# Inbound calls, the value written into the SQL: a partial index on them (kind = 'inbound')
# serves a query only when the planner sees the value, not a parameter (a generic plan on
# PostgreSQL, every plan on SQLite).
INBOUND = Call.kind == literal("inbound", literal_execute=True)


class AgentGroup(StrEnum):
    """Agent groups: the specialists of the lines and the overflow pool (溢出)."""

    SPECIALISTS = "specialists"
    OVERFLOW = "overflow"


def invalid(field: str, message: str) -> InvalidInputError:
    """A 422 in the shape of FastAPI's own validation errors, naming the query parameter."""
    return InvalidInputError([{"loc": ["query", field], "msg": message, "type": "value_error"}])


@dataclass(frozen=True, slots=True)
class Filters:
    site_id: int | None = None
    line: str | None = None
    language: str | None = None
    group: AgentGroup | None = None
    agent_id: int | None = None

    def as_dict(self, site: str | None, agent: str | None) -> dict[str, Any]:
        return {
            "site": site,
            "line": self.line,
            "language": self.language,
            "group": self.group.value if self.group else None,
            "agent": agent,
        }


async def resolve_filters(
    session: AsyncSession,
    *,
    site: str | None,
    line: str | None,
    language: str | None,
    group: AgentGroup | None,
    agent: str | None = None,
) -> Filters:
    """Check each named filter exists: an unknown one is a 422, never an empty report."""
    site_id = None
    if site:
        site_id = await session.scalar(select(Site.id).where(Site.code == site))
        if site_id is None:
            raise invalid("site", f"no site '{site}': use a site code from /api/v1/sites")
    if line:
        known = await session.scalar(select(Skill.id).where(Skill.business_line == line).limit(1))
        if known is None:
            raise invalid("line", f"no business line '{line}': use one of /api/v1/skills")
    if language:
        known = await session.scalar(select(Skill.id).where(Skill.language == language).limit(1))
        if known is None:
            raise invalid("language", f"no language '{language}': use one of /api/v1/skills")
    agent_id = None
    if agent:
        agent_id = await session.scalar(select(Agent.id).where(Agent.code == agent))
        if agent_id is None:
            raise invalid("agent", f"no agent '{agent}': use an agent code from /api/v1/agents")
    return Filters(site_id, line or None, language or None, group, agent_id)


def _calls_where(query: _Query, start: datetime, end: datetime, f: Filters) -> _Query:
    query = query.where(Call.arrived_at >= start, Call.arrived_at < end)
    if f.site_id is not None:
        query = query.where(Call.site_id == f.site_id)
    if f.line is not None:
        query = query.where(Call.business_line == f.line)
    if f.language is not None:
        query = query.where(Call.language == f.language)
    if f.agent_id is not None:
        query = query.where(Call.agent_id == f.agent_id)
    return query


async def _rows(session: AsyncSession, query: Executable) -> Any:
    """Plain rows through the session's connection: the ORM layer (identity, entity loading)
    has nothing to add to column tuples and took half of a large report's time."""
    connection = await session.connection()
    return await connection.execute(query)


async def calls(session: AsyncSession, start: datetime, end: datetime, f: Filters) -> list[CallRow]:
    query = _calls_where(
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
        ),
        start,
        end,
        f,
    )
    return [CallRow(*row) for row in await _rows(session, query)]


async def abandoned_calls(
    session: AsyncSession, start: datetime, end: datetime, f: Filters
) -> list[AbandonRow]:
    query = _calls_where(
        select(
            Call.id,
            Call.arrived_at,
            Call.ended_at,
            Call.caller_number,
            Site.code,
            Call.business_line,
            Call.language,
            Call.outcome,
            Call.wait_s,
            Call.abandon_snapshot,
        )
        .join(Site, Site.id == Call.site_id)
        .where(Call.outcome.in_(ABANDON_OUTCOMES), Call.kind == "inbound"),
        start,
        end,
        f,
    )
    return [
        AbandonRow(r[0], r[1], r[2] or r[1], r[3], r[4], r[5], r[6], r[7], r[8], r[9])
        for r in await _rows(session, query.order_by(Call.ended_at, Call.id))
    ]


async def group_agents(session: AsyncSession, f: Filters) -> set[int] | None:
    """The agents the staffing side counts: those of the group holding the line / language
    asked for (None: every agent)."""
    if f.agent_id is not None:
        return {f.agent_id}
    if f.line is None and f.language is None and f.group is None:
        return None
    query = select(Agent.id)
    if f.line is not None or f.language is not None:
        query = query.join(AgentSkill, AgentSkill.agent_id == Agent.id).join(
            Skill, Skill.id == AgentSkill.skill_id
        )
        if f.line is not None:
            query = query.where(Skill.business_line == f.line)
        if f.language is not None:
            query = query.where(Skill.language == f.language)
    if f.group is not None:
        query = query.where(Agent.overflow.is_(f.group is AgentGroup.OVERFLOW))
    return set((await session.scalars(query.distinct())).all())


async def state_rows(
    session: AsyncSession,
    start: datetime,
    end: datetime,
    f: Filters,
    agents: set[int] | None,
) -> list[StateRow]:
    """The changes inside [start, end + margin) and, per agent, the last one before start
    (within the lookback): enough to know every agent's state at every instant of the period."""
    log = AgentStateLog
    columns = (log.agent_id, log.at, log.status, log.reason, log.call_id)
    conditions = []
    if f.site_id is not None:
        conditions.append(or_(log.site_id == f.site_id, log.site_id.is_(None)))
    if agents is not None:
        conditions.append(log.agent_id.in_(sorted(agents)) if agents else false())
    inside = (
        select(*columns)
        .where(log.at >= start, log.at < end + WRAP_MARGIN, *conditions)
        # The (agent_id, at) index; spans() then sorts runs. Two changes of one agent at the
        # same instant (a wrap-up ending into a break) keep the order they were written in.
        .order_by(log.agent_id, log.at, log.id)
    )
    before = _last_change_before(columns, start, conditions)
    rows: list[StateRow] = []
    for query in (before, inside):
        rows.extend(StateRow(*row) for row in await _rows(session, query))
    return rows


def _last_change_before(
    columns: tuple[Any, ...], start: datetime, conditions: list[Any]
) -> Select[Any]:
    """Each agent's last state change before ``start`` (within the lookback): the floor as it
    stood when the period began."""
    log = AgentStateLog
    last_before = (
        select(log.agent_id, func.max(log.at).label("at"))
        .where(log.at >= start - LOOKBACK, log.at < start, *conditions)
        .group_by(log.agent_id)
        .subquery()
    )
    return (
        select(*columns)
        .join(last_before, and_(log.agent_id == last_before.c.agent_id, log.at == last_before.c.at))
        .order_by(log.agent_id, log.id)
    )


CHANGES_BATCH = 20_000  # state-log rows per fetch from a server-side cursor


async def state_changes(
    session: AsyncSession, start: datetime, until: datetime, through: datetime, f: Filters
) -> AsyncIterator[Sequence[Change]]:
    """Every agent's state change that sets the floor at the instants of [start, through]:
    each agent's last change before ``start`` (within the lookback), then the changes in
    [start, through] and before ``until``, ordered by (time, id), in batches.

    Streamed through a server-side cursor in time order, so that a caller can fold a month of
    a large centre's state log (millions of rows) without holding it."""
    log = AgentStateLog
    columns = (log.agent_id, log.at, log.status, log.reason)
    conditions = []
    if f.site_id is not None:
        conditions.append(or_(log.site_id == f.site_id, log.site_id.is_(None)))
    before = _last_change_before(columns, start, conditions)
    yield [tuple(row) for row in await _rows(session, before)]
    inside = (
        select(*columns)
        .where(log.at >= start, log.at <= through, log.at < until, *conditions)
        # The `at` index gives the time order; ties (two changes of one agent at one instant)
        # keep the order they were written in.
        .order_by(log.at, log.id)
        .execution_options(yield_per=CHANGES_BATCH)
    )
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        # asyncpg's own cursor, in the session's transaction: its records unpack like the
        # tuples below, and SQLAlchemy's row and type handling (two thirds of the client's
        # time over a month's 4 M rows) has nothing to add to four plain columns.
        compiled = inside.compile(dialect=connection.dialect)
        values = [compiled.params[name] for name in compiled.positiontup or ()]
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        cursor = await driver.cursor(str(compiled), *values)
        while batch := await cursor.fetch(CHANGES_BATCH):
            yield batch
        return
    async with connection.stream(inside) as result:
        async for rows in result.partitions():
            yield cast(Sequence[Change], rows)  # rows of exactly the four columns above


async def agent_codes(session: AsyncSession, ids: Sequence[int] | None = None) -> dict[int, str]:
    query = select(Agent.id, Agent.code)
    if ids is not None:
        query = query.where(Agent.id.in_(list(ids)))
    return {agent_id: code for agent_id, code in await session.execute(query)}


async def finished_calls(
    session: AsyncSession, start: datetime, end: datetime, f: Filters
) -> list[FinishedCall]:
    """Answered calls of the period with the agent who finished them."""
    query = _calls_where(
        select(Call.agent_id, Call.hold_s, Call.survey_score).where(
            Call.agent_id.is_not(None), Call.answered_at.is_not(None)
        ),
        start,
        end,
        f,
    )
    return [FinishedCall(*row) for row in await _rows(session, query)]


async def transfer_moments(
    session: AsyncSession, start: datetime, end: datetime
) -> list[tuple[datetime, int]]:
    """(moment, agent) of every call passed on in the period: to another agent
    (``transfer_answered``) or to a queue (``requeued``), from the calls' journals; the journal
    names the agent in ``data.from``. The journal has no index on its time: it is reached
    through the calls that arrived up to a lookback before the period (by ``call_id``)."""
    query = (
        select(CallEvent.at, CallEvent.data)
        .join(Call, Call.id == CallEvent.call_id)
        .where(
            Call.arrived_at >= start - LOOKBACK,
            Call.arrived_at < end,
            CallEvent.kind.in_(("transfer_answered", "requeued")),
            CallEvent.at >= start,
            CallEvent.at < end,
        )
    )
    moments: list[tuple[datetime, int]] = []
    for at, data in await _rows(session, query):
        named = (data or {}).get("from")
        try:
            agent_id = int(str(named))
        except ValueError:
            continue  # a journal entry of another shape: not a transfer by a known agent
        moments.append((at, agent_id))
    return moments


async def transfers_by_agent(
    session: AsyncSession, start: datetime, end: datetime
) -> dict[int, int]:
    """Calls each agent passed on in the period (``transfer_moments``)."""
    counts: dict[int, int] = {}
    for _, agent_id in await transfer_moments(session, start, end):
        counts[agent_id] = counts.get(agent_id, 0) + 1
    return counts


async def orders_by_agent(
    session: AsyncSession, start: datetime, end: datetime
) -> dict[int, Orders]:
    """Work orders created in the period by each agent's user: raised, resolved, on time."""
    query = (
        select(Agent.id, WorkOrderRow.resolved_at, WorkOrderRow.resolve_due_at)
        .join(Agent, Agent.user_id == WorkOrderRow.created_by)
        .where(WorkOrderRow.created_at >= start, WorkOrderRow.created_at < end)
    )
    tally: dict[int, list[int]] = {}
    for agent_id, resolved, due in await _rows(session, query):
        counts = tally.setdefault(agent_id, [0, 0, 0])
        counts[0] += 1
        if resolved is not None:
            counts[1] += 1
            counts[2] += due is None or resolved <= due
    return {agent_id: Orders(*counts) for agent_id, counts in tally.items()}


async def orders_due_by_day(
    session: AsyncSession, start: datetime, end: datetime, zone: ZoneInfo
) -> dict[date, DueOrders]:
    """Work orders whose resolution deadline falls on each day, and how many were resolved by
    it (merged duplicates are not counted: they are closed with the order they joined)."""
    query = select(WorkOrderRow.resolve_due_at, WorkOrderRow.resolved_at).where(
        WorkOrderRow.resolve_due_at >= start,
        WorkOrderRow.resolve_due_at < end,
        WorkOrderRow.merged_into.is_(None),
    )
    tally: dict[date, list[int]] = {}
    for due, resolved in await _rows(session, query):
        counts = tally.setdefault(due.astimezone(zone).date(), [0, 0])
        counts[0] += 1
        counts[1] += resolved is not None and resolved <= due
    return {day: DueOrders(*counts) for day, counts in tally.items()}


async def scorecard_counts(
    session: AsyncSession, start: datetime, end: datetime, f: Filters, threshold_s: float
) -> ScorecardCounts:
    """The counts behind the scorecard, each in one aggregate query."""
    calls = (
        await session.execute(
            _calls_where(
                select(
                    func.count(Call.queued_at),
                    func.count(Call.answered_at),
                    func.count(case((Call.wait_s <= threshold_s, Call.answered_at))),
                    func.coalesce(func.sum(Call.survey_score), 0),
                    func.count(Call.survey_score),
                ).where(Call.kind == "inbound"),
                start,
                end,
                f,
            )
        )
    ).one()
    orders = (
        await session.execute(
            select(
                func.count(WorkOrderRow.id),
                func.count(WorkOrderRow.resolved_at),
                func.count(case((WorkOrderRow.category == "complaint", WorkOrderRow.id))),
                func.coalesce(func.sum(WorkOrderRow.satisfaction), 0),
                func.count(WorkOrderRow.satisfaction),
            ).where(
                WorkOrderRow.created_at >= start,
                WorkOrderRow.created_at < end,
                WorkOrderRow.merged_into.is_(None),
            )
        )
    ).one()
    due = await orders_due_by_day(session, start, end, ZoneInfo("UTC"))
    return ScorecardCounts(
        answered=int(calls[1]),
        offered=int(calls[0]),
        answered_within=int(calls[2]),
        survey_sum=int(calls[3] or 0),
        surveys=int(calls[4]),
        orders_raised=int(orders[0]),
        orders_resolved=int(orders[1]),
        complaints=int(orders[2]),
        orders_due=sum(d.due for d in due.values()),
        orders_on_time=sum(d.on_time for d in due.values()),
        follow_up_sum=int(orders[3] or 0),
        follow_ups=int(orders[4]),
    )


async def calls_per_number(
    session: AsyncSession, start: datetime, end: datetime, f: Filters
) -> list[tuple[str, int]]:
    """Inbound calls of the period per caller number (the geocoding then runs once a number)."""
    query = _calls_where(
        select(Call.caller_number, func.count()).where(INBOUND), start, end, f
    ).group_by(Call.caller_number)
    return [(number, int(calls)) for number, calls in await _rows(session, query)]


def heavy_callers_grouped(
    start: datetime, end: datetime, f: Filters, threshold: int, limit: int
) -> Select[str, int, int, datetime, datetime, int]:
    """The numbers with at least ``threshold`` inbound calls in the period, counted in the
    database (``ix_call_inbound_caller_arrived`` holds every column it reads)."""
    return (
        _calls_where(
            select(
                Call.caller_number,
                func.count().label("calls"),
                func.count(Call.answered_at),
                func.min(Call.arrived_at),
                func.max(Call.arrived_at),
                func.max(Call.id),  # names the caller in the history link, not the number
            ).where(INBOUND),
            start,
            end,
            f,
        )
        .group_by(Call.caller_number)
        .having(func.count() >= threshold)
        .order_by(func.count().desc(), Call.caller_number)
        .limit(limit)
    )


async def heavy_callers(
    session: AsyncSession, start: datetime, end: datetime, f: Filters, threshold: int, limit: int
) -> list[dict[str, Any]]:
    """Numbers with at least ``threshold`` inbound calls in the period, most calls first, with
    the topics of their call summaries and their work orders (by the taxpayer's phone)."""
    grouped = heavy_callers_grouped(start, end, f, threshold, limit)
    rows = {
        number: {
            "number": number,
            "calls": int(calls),
            "answered": int(answered),
            "first_call": first,
            "last_call": last,
            "topics": {},
            "work_orders": 0,
            "taxpayer_number": None,
            "last_call_id": int(last_id),
        }
        for number, calls, answered, first, last, last_id in await _rows(session, grouped)
    }
    if not rows:
        return []
    topics = _calls_where(
        select(Call.caller_number, CallSummaryRow.topic_code, func.count())
        .join(CallSummaryRow, CallSummaryRow.call_id == Call.id)
        .where(Call.caller_number.in_(list(rows))),
        start,
        end,
        f,
    ).group_by(Call.caller_number, CallSummaryRow.topic_code)
    for number, topic, calls in await _rows(session, topics):
        rows[number]["topics"][topic] = int(calls)
    orders = (
        select(WorkOrderRow.taxpayer_phone, func.count(), func.max(WorkOrderRow.taxpayer_number))
        .where(WorkOrderRow.taxpayer_phone.in_(list(rows)))
        .group_by(WorkOrderRow.taxpayer_phone)
    )
    for number, count, taxpayer in await _rows(session, orders):
        rows[number]["work_orders"] = int(count)
        rows[number]["taxpayer_number"] = taxpayer or None
    return list(rows.values())


async def topic_counts(
    session: AsyncSession, start: datetime, end: datetime, f: Filters, zone: ZoneInfo
) -> list[tuple[date, str, int]]:
    """(local day of the call's arrival, topic, summaries) over the period's calls, counted in
    the database: a transferred call summarised by two agents counts under each topic."""
    connection = await session.connection()
    day = local_day(Call.arrived_at, start, end, zone, connection.dialect.name)
    filed = _calls_where(
        select(day.label("day"), CallSummaryRow.topic_code.label("topic")).join(
            CallSummaryRow, CallSummaryRow.call_id == Call.id
        ),
        start,
        end,
        f,
    ).subquery()
    # Grouped outside the subquery: PostgreSQL would not match a GROUP BY expression whose
    # bound parameters are numbered apart from the select list's.
    query = select(filed.c.day, filed.c.topic, func.count()).group_by(filed.c.day, filed.c.topic)
    return [(as_date(day), code, int(n)) for day, code, n in await connection.execute(query)]


async def taxonomy(session: AsyncSession) -> list[TopicName]:
    query = select(Topic.code, Topic.parent_code, Topic.name_zh, Topic.name_en)
    return [TopicName(*row) for row in await _rows(session, query)]


async def search_miss_counts(
    session: AsyncSession, start: datetime, end: datetime
) -> list[tuple[str, int, datetime]]:
    """(query, searches, last search) of the knowledge-base searches of the period that found
    nothing, counted in the database (not tied to a call, so the line and language filters do
    not apply to them)."""
    query = (
        select(KbSearchMiss.query, func.count(), func.max(KbSearchMiss.at))
        .where(KbSearchMiss.at >= start, KbSearchMiss.at < end)
        .group_by(KbSearchMiss.query)
    )
    return [(text, int(n), last) for text, n, last in await _rows(session, query)]


ScoredCall = tuple[int, datetime, str, int | None, str, int | None]


async def _scored_calls(
    session: AsyncSession, start: datetime, end: datetime, f: Filters, *conditions: Any
) -> list[ScoredCall]:
    """(id, arrival, line, agent id, caller, survey score) of the period's answered inbound
    calls meeting ``conditions``."""
    query = _calls_where(
        select(
            Call.id,
            Call.arrived_at,
            Call.business_line,
            Call.agent_id,
            Call.caller_number,
            Call.survey_score,
        ).where(*conditions, Call.answered_at.is_not(None), Call.kind == "inbound"),
        start,
        end,
        f,
    )
    return [tuple(row) for row in await _rows(session, query)]


async def answered_with_scores(
    session: AsyncSession, start: datetime, end: datetime, f: Filters
) -> list[ScoredCall]:
    """The period's answered inbound calls: the calls a survey could follow."""
    return await _scored_calls(session, start, end, f)


async def low_scored(
    session: AsyncSession, start: datetime, end: datetime, f: Filters
) -> list[ScoredCall]:
    """``answered_with_scores`` for the calls scored low only (the partial index on them):
    the surveys report lists these one by one, whatever part of it the rollups count."""
    return await _scored_calls(session, start, end, f, Call.survey_score <= LOW_SURVEY_SCORE)


async def shifts(
    session: AsyncSession, start: datetime, end: datetime
) -> list[tuple[int, datetime, datetime]]:
    """(agent id, start, end) of every scheduled shift overlapping [start, end)."""
    query = select(AgentShift.agent_id, AgentShift.starts_at, AgentShift.ends_at).where(
        AgentShift.starts_at < end, AgentShift.ends_at > start
    )
    return [(a, s0, s1) for a, s0, s1 in await _rows(session, query)]
