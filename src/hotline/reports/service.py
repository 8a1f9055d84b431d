"""The reports as the API and the pages ask for them: read, compute off the event loop, shape.

The computation runs in a worker thread (``asyncio.to_thread``): a month of 15-minute rows over
many calls is seconds of Python, and the CTI engine shares this event loop.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from hotline.reports import queries, rollup_people_reads, rollup_store, standards_store
from hotline.reports.abandons import AbandonFold
from hotline.reports.adherence import adherence
from hotline.reports.agents import FinishedCall, agent_report
from hotline.reports.definitions import ABANDONS, ADHERENCE, AGENTS, INTERVAL, SURVEYS, TOPICS
from hotline.reports.interval import CallRow, interval_report
from hotline.reports.origin import HOME_PROVINCE, origin_report
from hotline.reports.period import Granularity, Period, PeriodError, make_period
from hotline.reports.queries import AgentGroup, Filters, invalid
from hotline.reports.scorecard import SCORECARD_DEFINITIONS, scorecard
from hotline.reports.staffing import StateRow, spans, wrap_up_seconds
from hotline.reports.standards import Standard, measure
from hotline.reports.surveys import SurveyedCall, survey_report
from hotline.reports.topics import topics_report


@dataclass(frozen=True, slots=True)
class Request:
    start: datetime
    end: datetime
    granularity: Granularity = Granularity.MIN30
    site: str | None = None
    line: str | None = None
    language: str | None = None
    group: AgentGroup | None = None
    agent: str | None = None
    threshold_s: float = 20.0
    short_abandon_s: float = 5.0


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def period_of(request: Request, zone: ZoneInfo) -> Period:
    try:
        return make_period(request.start, request.end, request.granularity, zone)
    except PeriodError as exc:
        raise invalid(exc.field, exc.message) from None


async def _filters(session: AsyncSession, request: Request) -> Filters:
    return await queries.resolve_filters(
        session,
        site=request.site,
        line=request.line,
        language=request.language,
        group=request.group,
        agent=request.agent,
    )


def _definitions(figures: dict[str, Any], lang: str) -> dict[str, str]:
    return {
        key: (f.definition_zh if lang == "zh" else f.definition_en) for key, f in figures.items()
    }


async def interval(
    session: AsyncSession,
    request: Request,
    zone: ZoneInfo,
    now: datetime,
    lang: str = "en",
    *,
    staffing: bool = True,
) -> dict[str, Any]:
    """The interval report as JSON-ready data; ``staffing=False`` skips the state log (the
    staffing columns are then zero and AHT lacks wrap-up: for the service standards only)."""
    period = period_of(request, zone)
    filters = await _filters(session, request)
    agents = await queries.group_agents(session, filters)
    # The closed buckets from the rollups, the raw rows only for what is not folded yet.
    rolled = await rollup_store.rolled(
        session,
        period,
        filters,
        agents,
        request.threshold_s,
        request.short_abandon_s,
        staffing=staffing,
    )
    raw_start = _at(rolled.end) if rolled is not None else period.start
    call_rows: list[CallRow] = []
    states: list[StateRow] = []
    every_agent: list[StateRow] | None = None
    if raw_start < period.end:
        call_rows = await queries.calls(session, raw_start, period.end, filters)
        if staffing:
            states = await queries.state_rows(session, raw_start, period.end, filters, agents)
            if agents is not None or filters.site_id is not None:
                # AHT counts the wrap-up of whoever wrapped the call up, in or out of the group.
                every_agent = await queries.state_rows(
                    session, raw_start, period.end, Filters(), None
                )
    until = min(now, period.end + queries.WRAP_MARGIN)
    report = await asyncio.to_thread(
        lambda: interval_report(
            period,
            call_rows,
            spans(states, until),
            threshold_s=request.threshold_s,
            short_abandon_s=request.short_abandon_s,
            rolled=rolled,
            wraps=wrap_up_seconds(spans(every_agent, until)) if every_agent is not None else None,
        )
    )
    return {
        "report": "interval",
        "period": {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "interval": period.granularity.value,
            "time_zone": str(zone),
        },
        "as_of": now.isoformat(),
        "filters": {
            **_filter_echo(request),
            "threshold_s": request.threshold_s,
            "short_abandon_s": request.short_abandon_s,
        },
        "definitions": _definitions(INTERVAL, lang),
        "rows": report.rows,
        "total": report.total,
    }


def _filter_echo(request: Request) -> dict[str, Any]:
    return {
        "site": request.site,
        "line": request.line,
        "language": request.language,
        "group": request.group.value if request.group else None,
        "agent": request.agent,
    }


FLOOR_PERIOD = timedelta(days=1)


async def abandons(
    session: AsyncSession,
    request: Request,
    zone: ZoneInfo,
    now: datetime,
    lang: str = "en",
    with_floor: bool | None = None,
) -> dict[str, Any]:
    """Every abandoned call of the period with its counts and the summary; each with the floor
    at that moment when ``with_floor`` (by default when the period is at most a day: a month
    of a large centre would be abandons x seats rows, docs/reports.md)."""
    period = period_of(request, zone)
    one_day = period.end - period.start <= FLOOR_PERIOD
    if with_floor and not one_day:
        raise invalid(
            "floor",
            "each abandon's floor is listed for at most one day: narrow `from`/`to` to a day "
            "or set floor=false for the counts of a longer period",
        )
    floor = one_day if with_floor is None else with_floor
    filters = await _filters(session, request)
    calls = await queries.abandoned_calls(session, period.start, period.end, filters)
    codes = await queries.agent_codes(session)
    fold = AbandonFold(calls, codes, zone, min(now, period.end), floor)
    if fold.last_abandon is not None:
        # The floor is every logged-in agent: the site filter applies, the skill filters do
        # not. The state log streams in time order up to the last abandon and is folded batch
        # by batch off the event loop; a month of a large centre is never held whole.
        changes = queries.state_changes(
            session,
            period.start,
            min(now, period.end),
            fold.last_abandon,
            Filters(site_id=filters.site_id),
        )
        async for batch in changes:
            await asyncio.to_thread(fold.feed, batch)
    report = await asyncio.to_thread(fold.finish)
    return {
        "report": "abandons",
        "period": {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "time_zone": str(zone),
        },
        "as_of": now.isoformat(),
        "filters": _filter_echo(request),
        "definitions": _definitions(ABANDONS, lang),
        "summary": report.summary,
        "floor": floor,
        "rows": report.rows,
    }


async def agents(
    session: AsyncSession, request: Request, zone: ZoneInfo, now: datetime, lang: str = "en"
) -> dict[str, Any]:
    """Each agent's performance over the period (up to 92 days), and the total."""
    period = period_of(request, zone)
    filters = await _filters(session, request)
    chosen = await queries.group_agents(session, filters)
    # The folded buckets summed from the rollups, the raw rows only for what is not folded yet.
    rolled = await rollup_people_reads.agent_tallies(session, period, filters, chosen)
    raw_start = rolled.raw_from if rolled is not None else period.start
    states: list[StateRow] = []
    finished: list[FinishedCall] = []
    transfers: dict[int, int] = dict(rolled.transfers) if rolled is not None else {}
    if raw_start < period.end:
        states = await queries.state_rows(session, raw_start, period.end, filters, chosen)
        finished = await queries.finished_calls(session, raw_start, period.end, filters)
        for agent_id, n in (
            await queries.transfers_by_agent(session, raw_start, period.end)
        ).items():
            transfers[agent_id] = transfers.get(agent_id, 0) + n
    orders = await queries.orders_by_agent(session, period.start, period.end)
    codes = await queries.agent_codes(session)
    scheduled = await queries.shifts(session, period.start, period.end)
    # Adherence compares the state log with shifts at any minute: the raw rows of the agents
    # with a shift (all of them when the report reads no rollup).
    shift_states = states
    if rolled is not None:
        rostered = {agent_id for agent_id, _, _ in scheduled}
        if chosen is not None:
            rostered &= chosen
        shift_states = (
            await queries.state_rows(session, period.start, period.end, filters, rostered)
            if rostered
            else []
        )
    until = min(now, period.end)

    def compute() -> tuple[list[dict[str, Any]], dict[str, Any], dict[int, dict[str, Any]]]:
        all_spans = spans(states, until)
        rostered_spans = all_spans if shift_states is states else spans(shift_states, until)
        rows, total = agent_report(
            raw_start,
            until,
            all_spans,
            finished,
            transfers,
            orders,
            codes,
            sorted(chosen) if chosen is not None else None,
            rolled.tallies if rolled is not None else None,
        )
        return rows, total, adherence(period.start, until, scheduled, rostered_spans)

    rows, total, kept = await asyncio.to_thread(compute)
    by_code = {codes.get(agent_id, str(agent_id)): figures for agent_id, figures in kept.items()}
    for row in rows:
        row["adherence"] = by_code.get(row["agent"])
    return {
        "report": "agents",
        "period": {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "time_zone": str(zone),
        },
        "as_of": now.isoformat(),
        "filters": _filter_echo(request),
        "definitions": _definitions(AGENTS, lang),
        "rows": rows,
        "total": total,
        # Per agent in each row where the agent has shifts in the period (agent_shift), else
        # null; here, the definition of the figures.
        "adherence": _definitions(ADHERENCE, lang) if scheduled else None,
    }


async def standards(
    session: AsyncSession,
    request: Request,
    zone: ZoneInfo,
    now: datetime,
    chosen: tuple[Standard, ...] | None = None,
) -> dict[str, Any]:
    """Every service standard measured per day of the period (up to 366 days) and overall;
    the standards are the stored ones (``standards_store``) unless ``chosen``."""
    if chosen is None:
        chosen = await standards_store.active(session)
    ask = replace(request, granularity=Granularity.DAY)
    period = period_of(ask, zone)
    by_threshold = {}
    for threshold in sorted({s.threshold_s or 20.0 for s in chosen}):
        data = await interval(
            session, replace(ask, threshold_s=threshold), zone, now, staffing=False
        )
        by_threshold[threshold] = (data["rows"], data["total"])
    days = [start.date() for start, _ in period.intervals()]
    orders = await queries.orders_due_by_day(session, period.start, period.end, zone)
    measured = measure(chosen, days, by_threshold, orders)
    return {
        "report": "standards",
        "period": {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "time_zone": str(zone),
        },
        "as_of": now.isoformat(),
        "filters": _filter_echo(request),
        "standards": [
            {
                "id": s.id,
                "metric": s.metric,
                "comparison": s.comparison,
                "target": s.target,
                "threshold_s": s.threshold_s,
                "label_zh": s.label_zh,
                "label_en": s.label_en,
            }
            for s in chosen
        ],
        **measured,
    }


async def balanced_scorecard(
    session: AsyncSession, request: Request, zone: ZoneInfo, now: datetime, lang: str = "en"
) -> dict[str, Any]:
    """Satisfaction, complaint rate, completion and timeliness over the period (<= 366 days)."""
    period = period_of(replace(request, granularity=Granularity.DAY), zone)
    filters = await _filters(session, request)
    counts = await queries.scorecard_counts(
        session, period.start, period.end, filters, request.threshold_s
    )
    return {
        "report": "scorecard",
        "period": {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "time_zone": str(zone),
        },
        "as_of": now.isoformat(),
        "filters": _filter_echo(request),
        "definitions": {
            k: v[0] if lang == "zh" else v[1] for k, v in SCORECARD_DEFINITIONS.items()
        },
        "scorecard": scorecard(counts),
    }


async def origin(
    session: AsyncSession,
    request: Request,
    zone: ZoneInfo,
    now: datetime,
    home: str = HOME_PROVINCE,
) -> dict[str, Any]:
    """Where the period's callers called from (up to 366 days)."""
    period = period_of(replace(request, granularity=Granularity.DAY), zone)
    filters = await _filters(session, request)
    numbers = await queries.calls_per_number(session, period.start, period.end, filters)
    report = await asyncio.to_thread(lambda: origin_report(numbers, home))
    return {
        "report": "origin",
        "period": {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "time_zone": str(zone),
        },
        "as_of": now.isoformat(),
        "filters": _filter_echo(request),
        "definitions": {
            "home": "calls from the centre's province, by city",
            "province": "calls from other provinces of China, by province",
            "abroad": "calls from abroad, by country or region",
            "unknown": "numbers the geocoder cannot place (withheld, too short, unknown ranges)",
            "share": "calls / all inbound calls of the period",
            "ip_prefixes": "17951, 17911, 12593, 17909 and 10193 are stripped before geocoding",
        },
        **report,
    }


HEAVY_MINIMUM = 2  # one call each would list every caller


def heavy_caller_threshold(alert_calls: int) -> int:
    """The report's default threshold: the live alert's (``HOTLINE_FLOOR__HEAVY_CALLER_CALLS``),
    so the report lists whom the alert names; an alert switched off (0) or set below the
    report's minimum still gives a usable report."""
    return max(alert_calls, HEAVY_MINIMUM)


async def heavy_callers(
    session: AsyncSession,
    request: Request,
    zone: ZoneInfo,
    now: datetime,
    threshold: int,
    limit: int = 200,
) -> dict[str, Any]:
    """Callers with at least ``threshold`` calls in the period (up to 366 days), numbers in
    full: the API masks them for whoever may not read them."""
    period = period_of(replace(request, granularity=Granularity.DAY), zone)
    filters = await _filters(session, request)
    rows = await queries.heavy_callers(session, period.start, period.end, filters, threshold, limit)
    for row in rows:
        row["first_call"] = row["first_call"].astimezone(zone).isoformat()
        row["last_call"] = row["last_call"].astimezone(zone).isoformat()
        row["topics"] = dict(sorted(row["topics"].items(), key=lambda kv: (-kv[1], kv[0])))
    return {
        "report": "heavy_callers",
        "period": {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "time_zone": str(zone),
        },
        "as_of": now.isoformat(),
        "filters": {**_filter_echo(request), "threshold": threshold},
        "definitions": {
            "calls": "inbound calls from the number in the period (IVR hang-ups included)",
            "answered": "of those, answered by an agent",
            "topics": "call-summary topics of those calls, with how many calls each",
            "work_orders": "work orders ever raised with this number as the taxpayer's phone",
            "taxpayer_number": "the taxpayer id on the latest of those work orders, if any",
        },
        "rows": rows,
    }


def _local_day(at: datetime, zone: ZoneInfo) -> date:
    aware = at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite returns naive UTC
    return aware.astimezone(zone).date()


async def topics(
    session: AsyncSession, request: Request, zone: ZoneInfo, now: datetime, lang: str = "en"
) -> dict[str, Any]:
    """Call-summary topics of the period (up to 366 days) with their per-day trend, and the
    knowledge-base searches that found nothing."""
    period = period_of(replace(request, granularity=Granularity.DAY), zone)
    filters = await _filters(session, request)
    # Counted per day and topic, and per query, in the database: a few hundred rows for a
    # month instead of one per summary.
    summaries = await queries.topic_counts(session, period.start, period.end, filters, zone)
    names = await queries.taxonomy(session)
    misses = await queries.search_miss_counts(session, period.start, period.end)
    days = [start.date() for start, _ in period.intervals()]
    report = await asyncio.to_thread(
        lambda: topics_report(
            days,
            summaries,
            names,
            [(text, n, _local_day(last, zone)) for text, n, last in misses],
        )
    )
    return {
        "report": "topics",
        "period": {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "time_zone": str(zone),
        },
        "as_of": now.isoformat(),
        "filters": _filter_echo(request),
        "definitions": _definitions(TOPICS, lang),
        **report,
    }


async def surveys(
    session: AsyncSession, request: Request, zone: ZoneInfo, now: datetime, lang: str = "en"
) -> dict[str, Any]:
    """Survey scores of the period's answered calls (up to 366 days), numbers in full: the
    API masks them for whoever may not read them."""
    period = period_of(replace(request, granularity=Granularity.DAY), zone)
    filters = await _filters(session, request)
    codes = await queries.agent_codes(session)
    # Counts of the folded buckets from the rollup, the raw rows for the rest; the low-scored
    # calls are listed from the raw rows over the whole period (a partial index holds them).
    rolled = await rollup_people_reads.survey_counts(session, period, filters, codes)
    raw_start = rolled.raw_from if rolled is not None else period.start
    rows: list[tuple[int, datetime, str, int | None, str, int | None]] = []
    if raw_start < period.end:
        rows = await queries.answered_with_scores(session, raw_start, period.end, filters)
    low = await queries.low_scored(session, period.start, period.end, filters)

    def surveyed(row: tuple[int, datetime, str, int | None, str, int | None]) -> SurveyedCall:
        call_id, at, line, agent_id, caller, score = row
        return SurveyedCall(
            call_id,
            (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(zone),
            line or "",
            codes.get(agent_id, "") if agent_id is not None else "",
            caller or "",
            score,
        )

    days = [start.date() for start, _ in period.intervals()]
    report = await asyncio.to_thread(
        lambda: survey_report(
            [surveyed(row) for row in rows],
            days,
            rolled.counts if rolled is not None else (),
            [surveyed(row) for row in low],
        )
    )
    return {
        "report": "surveys",
        "period": {
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "time_zone": str(zone),
        },
        "as_of": now.isoformat(),
        "filters": _filter_echo(request),
        "definitions": _definitions(SURVEYS, lang),
        "comments": None,
        **report,
    }
