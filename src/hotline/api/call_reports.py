"""Call-centre reports: the interval report and abandoned calls, as JSON, CSV or XLSX.

Every JSON report carries its figures' ``definitions`` (docs/reports.md). Callers' numbers are
masked unless a director or supervisor asks for them in full (``full=true``); each such read,
shown or exported, is audited (``personal_data_read``).
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import Field
from sqlalchemy import select

from hotline import audit
from hotline.auth.principal import Principal, require
from hotline.db.models import Agent, AgentShift
from hotline.deps import AppStateDep, SessionDep
from hotline.errors import ForbiddenError, InvalidInputError
from hotline.masking import mask_phone, mask_tax_id
from hotline.reports import export, service, standards_store
from hotline.reports.definitions import (
    ABANDONS,
    AGENTS,
    HEAVY_CALLERS,
    INTERVAL,
    ORIGIN,
    SURVEYS,
    TOPICS,
    Figure,
)
from hotline.reports.period import Granularity
from hotline.reports.queries import AgentGroup
from hotline.reports.scorecard import SCORECARD_DEFINITIONS
from hotline.reports.standards import STANDARD_ID, StandardIn
from hotline.roles import Role
from hotline.schemas.base import Moment, Schema

router = APIRouter(prefix="/reports", tags=["reports"])
DAY_PREFIX = "day:"  # the topics export's trend columns, one per day of the period

call_report_readers = require(Role.DIRECTOR, Role.OPS, Role.SUPERVISOR)
CallReportReader = Annotated[Principal, Depends(call_report_readers)]
FULL_NUMBER_READERS = frozenset({Role.DIRECTOR, Role.SUPERVISOR})


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


class Lang(StrEnum):
    ZH = "zh"
    EN = "en"


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the report (format=json), its rows as CSV (format=csv) or XLSX",
        "content": {
            "application/json": {},
            "text/csv": {"schema": {"type": "string"}},
            XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}

Start = Annotated[Moment, Query(alias="from", description="inclusive, with an offset")]
End = Annotated[Moment, Query(alias="to", description="exclusive, with an offset")]
SiteQ = Annotated[str | None, Query(max_length=32, description="site code")]
LineQ = Annotated[str | None, Query(max_length=32, description="business line")]
LanguageQ = Annotated[str | None, Query(max_length=8, description="language code")]
FormatQ = Annotated[ExportFormat, Query(alias="format")]


def _zone(state: AppStateDep) -> ZoneInfo:
    return ZoneInfo(state.settings.timezone)


def _file(body: str | bytes, name: str, fmt: ExportFormat) -> Response:
    media = "text/csv; charset=utf-8" if fmt is ExportFormat.CSV else XLSX_TYPE
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _name(kind: str, data: dict[str, Any], fmt: ExportFormat) -> str:
    start = data["period"]["from"][:10]
    end = data["period"]["to"][:10]
    return f"{kind}-{start}-{end}.{fmt.value}"


def _export(
    kind: str,
    data: dict[str, Any],
    header: list[str],
    table: list[list[Any]],
    figures: dict[str, Figure],
    fmt: ExportFormat,
    lang: Lang,
) -> Response:
    """The rows as CSV (machine names as header) or XLSX (labels and a definitions sheet)."""
    if fmt is ExportFormat.CSV:
        return _file(export.to_csv(header, table), _name(kind, data, fmt), fmt)
    body = export.to_xlsx(kind, header, table, figures, lang.value)
    return _file(body, _name(kind, data, fmt), fmt)


@router.get("/interval", response_model=None, responses=_FILE_RESPONSES)
async def interval_report(
    state: AppStateDep,
    session: SessionDep,
    _: CallReportReader,
    start: Start,
    end: End,
    interval: Granularity = Granularity.MIN30,
    site: SiteQ = None,
    line: LineQ = None,
    language: LanguageQ = None,
    group: AgentGroup | None = None,
    threshold: Annotated[float, Query(gt=0, le=3600, description="SL threshold T, s")] = 20.0,
    short_abandon: Annotated[float, Query(ge=0, le=600, description="short abandon, s")] = 5.0,
    format_: FormatQ = ExportFormat.JSON,
    lang: Lang = Lang.ZH,
) -> dict[str, Any] | Response:
    """Offered, answered, abandoned, service level, ASA, AHT and staffing per interval of
    15 / 30 / 60 minutes or days in Asia/Shanghai time, with the period's total."""
    request = service.Request(
        start, end, interval, site, line, language, group, None, threshold, short_abandon
    )
    data = await service.interval(session, request, _zone(state), state.clock.now(), lang.value)
    if format_ is ExportFormat.JSON:
        return data
    header, table = export.flatten([*data["rows"], data["total"]], list(INTERVAL))
    table[-1][0] = "total"
    if format_ is ExportFormat.CSV:
        return _file(export.to_csv(header, table), _name("interval", data, format_), format_)
    body = export.to_xlsx("interval", header, table, INTERVAL, lang.value)
    return _file(body, _name("interval", data, format_), format_)


@router.get("/abandons", response_model=None, responses=_FILE_RESPONSES)
async def abandons_report(
    request: Request,
    state: AppStateDep,
    session: SessionDep,
    principal: CallReportReader,
    start: Start,
    end: End,
    site: SiteQ = None,
    line: LineQ = None,
    language: LanguageQ = None,
    full: Annotated[bool, Query(description="callers' numbers in full (audited)")] = False,
    floor: Annotated[
        bool | None,
        Query(description="each abandon's whole floor (JSON, at most a day; default: a day)"),
    ] = None,
    format_: FormatQ = ExportFormat.JSON,
    lang: Lang = Lang.ZH,
) -> dict[str, Any] | Response:
    """Every abandoned call of the period (up to 31 days) with what every logged-in agent was
    doing at that moment, and the summary ("N abandons while M eligible agents were idle").
    CSV and XLSX carry one row per abandon with the counts, never the floor."""
    if full and not principal.has_any(FULL_NUMBER_READERS):
        raise ForbiddenError("only a director or a supervisor reads callers' numbers in full")
    ask = service.Request(start, end, Granularity.MIN15, site, line, language)
    # Flat exports drop the nested floor anyway: never build abandons x seats rows for them.
    with_floor = floor if format_ is ExportFormat.JSON else False
    data = await service.abandons(
        session, ask, _zone(state), state.clock.now(), lang.value, with_floor
    )
    if full:
        audit.add(
            session,
            action=audit.PERSONAL_DATA_READ,
            actor_user_id=principal.user_id,
            actor_username=principal.username,
            subject_type="report",
            subject_id="abandons",
            detail={
                "calls": len(data["rows"]),
                "format": format_.value,
                "from": data["period"]["from"],
                "to": data["period"]["to"],
            },
            request_id=getattr(request.state, "request_id", None),
            client_ip=request.client.host if request.client else None,
        )
    else:
        for row in data["rows"]:
            row["caller_number"] = mask_phone(row["caller_number"])
    data["numbers"] = "full" if full else "masked"
    if format_ is ExportFormat.JSON:
        return data
    header, table = export.flatten(data["rows"], list(ABANDONS))
    if format_ is ExportFormat.CSV:
        return _file(export.to_csv(header, table), _name("abandons", data, format_), format_)
    body = export.to_xlsx("abandons", header, table, ABANDONS, lang.value)
    return _file(body, _name("abandons", data, format_), format_)


@router.get("/agents", response_model=None, responses=_FILE_RESPONSES)
async def agents_report(
    state: AppStateDep,
    session: SessionDep,
    _: CallReportReader,
    start: Start,
    end: End,
    site: SiteQ = None,
    line: LineQ = None,
    language: LanguageQ = None,
    group: AgentGroup | None = None,
    agent: Annotated[str | None, Query(max_length=32, description="agent code")] = None,
    format_: FormatQ = ExportFormat.JSON,
    lang: Lang = Lang.ZH,
) -> dict[str, Any] | Response:
    """Each agent's calls, talk / hold / wrap-up time, transfers, RONA, not-ready time by
    reason, occupancy, survey average and work orders raised with their on-time rate, over a
    period of up to 92 days."""
    ask = service.Request(start, end, Granularity.MIN60, site, line, language, group, agent)
    data = await service.agents(session, ask, _zone(state), state.clock.now(), lang.value)
    if format_ is ExportFormat.JSON:
        return data
    header, table = export.flatten([*data["rows"], data["total"]], list(AGENTS))
    if format_ is ExportFormat.CSV:
        return _file(export.to_csv(header, table), _name("agents", data, format_), format_)
    body = export.to_xlsx("agents", header, table, AGENTS, lang.value)
    return _file(body, _name("agents", data, format_), format_)


@router.get("/standards", response_model=None, responses=_FILE_RESPONSES)
async def standards_report(
    state: AppStateDep,
    session: SessionDep,
    _: CallReportReader,
    start: Start,
    end: End,
    site: SiteQ = None,
    line: LineQ = None,
    language: LanguageQ = None,
    format_: FormatQ = ExportFormat.JSON,
    lang: Lang = Lang.ZH,
) -> dict[str, Any] | Response:
    """Every service standard (e.g. 75% of calls answered within 120 s, abandonment below 5%,
    work orders on time above 95%) measured per day (up to 366 days) and over the period, each
    with its verdict (``met``: true, false, or null when nothing was measured)."""
    ask = service.Request(start, end, Granularity.DAY, site, line, language)
    data = await service.standards(session, ask, _zone(state), state.clock.now())
    if format_ is ExportFormat.JSON:
        return data
    ids = [s["id"] for s in data["standards"]]
    header = ["day", *(f"{i}{suffix}" for i in ids for suffix in ("", ":met"))]
    table = [
        [
            row["day"],
            *(v for i in ids for v in (row["standards"][i]["value"], row["standards"][i]["met"])),
        ]
        for row in [*data["rows"], {"day": "period", "standards": data["overall"]}]
    ]
    figures = {
        s["id"]: Figure(s["label_zh"], s["label_en"], s["label_zh"], s["label_en"])
        for s in data["standards"]
    }
    if format_ is ExportFormat.CSV:
        return _file(export.to_csv(header, table), _name("standards", data, format_), format_)
    body = export.to_xlsx("standards", header, table, figures, lang.value)
    return _file(body, _name("standards", data, format_), format_)


standard_editors = require(Role.DIRECTOR, Role.ADMIN)
StandardEditor = Annotated[Principal, Depends(standard_editors)]


@router.get("/standards/targets")
async def list_standard_targets(session: SessionDep, _: CallReportReader) -> dict[str, Any]:
    """The service standards as data: every target, who last changed it and when (version 0:
    the built-in set, never edited)."""
    return {"standards": await standards_store.listing(session)}


@router.put("/standards/targets/{standard_id}")
async def put_standard_target(
    state: AppStateDep,
    session: SessionDep,
    principal: StandardEditor,
    standard_id: Annotated[str, Path(pattern=STANDARD_ID.pattern)],
    body: StandardIn,
) -> dict[str, Any]:
    """Create or change one service standard (director or admin); audited with the values
    before and after (``service_standard_changed``)."""
    standard = body.as_standard(standard_id)
    saved = await standards_store.save(
        session,
        standard,
        active=body.active,
        actor=principal.username,
        actor_user_id=principal.user_id,
        now=state.clock.now(),
    )
    await session.commit()
    return saved


class ShiftIn(Schema):
    agent: str = Field(min_length=1, max_length=32, description="agent code")
    start: Moment
    end: Moment


class ShiftsIn(Schema):
    shifts: list[ShiftIn] = Field(min_length=1, max_length=5000)


MAX_SHIFT = timedelta(hours=24)


@router.post("/shifts", status_code=201)
async def add_shifts(
    session: SessionDep, principal: CallReportReader, body: ShiftsIn
) -> dict[str, Any]:
    """Scheduled shifts (排班) of agents, which the agent report's adherence measures against:
    all or nothing; an unknown agent or a shift that ends before it starts or lasts over
    24 hours is a 422 naming the shift."""
    codes = {shift.agent for shift in body.shifts}
    found = await session.execute(select(Agent.code, Agent.id).where(Agent.code.in_(codes)))
    known: dict[str, int] = {code: agent_id for code, agent_id in found}
    problems = []
    for index, shift in enumerate(body.shifts):
        if shift.agent not in known:
            problems.append(
                (index, "agent", f"no agent '{shift.agent}': use a code from /api/v1/agents")
            )
        elif not timedelta(0) < shift.end - shift.start <= MAX_SHIFT:
            problems.append((index, "end", "a shift ends after it starts, within 24 hours"))
    if problems:
        raise InvalidInputError(
            [
                {"loc": ["body", "shifts", i, f], "msg": m, "type": "value_error"}
                for i, f, m in problems
            ]
        )
    session.add_all(
        AgentShift(
            agent_id=known[s.agent], starts_at=s.start, ends_at=s.end, created_by=principal.username
        )
        for s in body.shifts
    )
    await session.commit()
    return {"added": len(body.shifts)}


@router.get("/scorecard", response_model=None, responses=_FILE_RESPONSES)
async def scorecard_report(
    state: AppStateDep,
    session: SessionDep,
    _: CallReportReader,
    start: Start,
    end: End,
    site: SiteQ = None,
    line: LineQ = None,
    language: LanguageQ = None,
    format_: FormatQ = ExportFormat.JSON,
    lang: Lang = Lang.ZH,
) -> dict[str, Any] | Response:
    """The balanced scorecard over a period (up to 366 days): satisfaction, complaint rate,
    completion rate and timeliness, with the service level beside them."""
    ask = service.Request(start, end, Granularity.DAY, site, line, language)
    data = await service.balanced_scorecard(
        session, ask, _zone(state), state.clock.now(), lang.value
    )
    if format_ is ExportFormat.JSON:
        return data
    header = list(data["scorecard"])
    table = [[data["scorecard"][c] for c in header]]
    figures = {
        key: Figure(zh.split("：")[0], key, zh, en)
        for key, (zh, en) in SCORECARD_DEFINITIONS.items()
    }
    return _export("scorecard", data, header, table, figures, format_, lang)


@router.get("/origin", response_model=None, responses=_FILE_RESPONSES)
async def origin_report(
    state: AppStateDep,
    session: SessionDep,
    _: CallReportReader,
    start: Start,
    end: End,
    site: SiteQ = None,
    line: LineQ = None,
    language: LanguageQ = None,
    home: Annotated[str, Query(max_length=16, description="the centre's province")] = "浙江省",
    format_: FormatQ = ExportFormat.JSON,
    lang: Lang = Lang.ZH,
) -> dict[str, Any] | Response:
    """Inbound calls of the period (up to 366 days) by origin: the home province by city,
    other provinces, abroad by country; IP-call prefixes stripped before geocoding."""
    ask = service.Request(start, end, Granularity.DAY, site, line, language)
    data = await service.origin(session, ask, _zone(state), state.clock.now(), home)
    if format_ is ExportFormat.JSON:
        return data
    rows = [
        {"scope": scope, **row}
        for scope in ("home", "province", "abroad", "unknown")
        for row in data[scope]
    ]
    header, table = export.flatten(rows, list(ORIGIN))
    return _export("origin", data, header, table, ORIGIN, format_, lang)


@router.get("/heavy-callers", response_model=None, responses=_FILE_RESPONSES)
async def heavy_callers_report(
    request: Request,
    state: AppStateDep,
    session: SessionDep,
    principal: CallReportReader,
    start: Start,
    end: End,
    site: SiteQ = None,
    line: LineQ = None,
    language: LanguageQ = None,
    threshold: Annotated[
        int | None,
        Query(
            ge=2,
            le=10_000,
            description="calls in the period (default: HOTLINE_FLOOR__HEAVY_CALLER_CALLS)",
        ),
    ] = None,
    full: Annotated[bool, Query(description="numbers and taxpayer ids in full (audited)")] = False,
    format_: FormatQ = ExportFormat.JSON,
    lang: Lang = Lang.ZH,
) -> dict[str, Any] | Response:
    """Callers (by number, with the taxpayer id where a work order names it) with at least
    ``threshold`` calls in the period (up to 366 days), most calls first (at most 200), with
    their topics and work orders. Numbers are masked unless a director or supervisor asks for
    them in full; such a read is audited."""
    if full and not principal.has_any(FULL_NUMBER_READERS):
        raise ForbiddenError("only a director or a supervisor reads callers' numbers in full")
    ask = service.Request(start, end, Granularity.DAY, site, line, language)
    if threshold is None:  # the report lists whom the live alert would name
        threshold = service.heavy_caller_threshold(state.settings.floor.heavy_caller_calls)
    data = await service.heavy_callers(session, ask, _zone(state), state.clock.now(), threshold)
    if full:
        audit.add(
            session,
            action=audit.PERSONAL_DATA_READ,
            actor_user_id=principal.user_id,
            actor_username=principal.username,
            subject_type="report",
            subject_id="heavy_callers",
            detail={
                "callers": len(data["rows"]),
                "format": format_.value,
                "from": data["period"]["from"],
                "to": data["period"]["to"],
            },
            request_id=getattr(request.state, "request_id", None),
            client_ip=request.client.host if request.client else None,
        )
    else:
        for row in data["rows"]:
            row["number"] = mask_phone(row["number"])
            row["taxpayer_number"] = mask_tax_id(row["taxpayer_number"])
    data["numbers"] = "full" if full else "masked"
    if format_ is ExportFormat.JSON:
        return data
    rows = [
        {**row, "topics": "; ".join(f"{t}:{n}" for t, n in row["topics"].items())}
        for row in data["rows"]
    ]
    header, table = export.flatten(rows, list(HEAVY_CALLERS))
    return _export("heavy-callers", data, header, table, HEAVY_CALLERS, format_, lang)


@router.get("/topics", response_model=None, responses=_FILE_RESPONSES)
async def topics_report(
    state: AppStateDep,
    session: SessionDep,
    _: CallReportReader,
    start: Start,
    end: End,
    site: SiteQ = None,
    line: LineQ = None,
    language: LanguageQ = None,
    format_: FormatQ = ExportFormat.JSON,
    lang: Lang = Lang.ZH,
) -> dict[str, Any] | Response:
    """What callers asked about over the period (up to 366 days): call-summary topics ranked,
    by business area and per day, and the knowledge-base searches that found nothing. CSV and
    XLSX carry the ranked topics with the trend: one column per day (``day:YYYY-MM-DD``, the
    topic's summaries that day) and a last row with every topic's total per day."""
    ask = service.Request(start, end, Granularity.DAY, site, line, language)
    data = await service.topics(session, ask, _zone(state), state.clock.now(), lang.value)
    if format_ is ExportFormat.JSON:
        return data
    name = "name_zh" if lang is Lang.ZH else "name_en"
    days = [point["day"] for point in data["trend"]]
    rows = [{**t, "name": t[name], "area": t["area"][name]} for t in data["topics"]]
    header, table = export.flatten(rows, ["code", "name", "area", "calls", "share"])
    header += [f"{DAY_PREFIX}{day}" for day in days]
    for row, topic in zip(table, data["topics"], strict=True):
        row += [point["topics"].get(topic["code"], 0) for point in data["trend"]]
    table.append(
        ["total", "", "", data["total"], 1.0 if data["total"] else None,
         *(point["calls"] for point in data["trend"])]
    )  # fmt: skip
    figures = {
        **TOPICS,
        **{
            f"{DAY_PREFIX}{day}": Figure(day, day, TOPICS["trend"].definition_zh,
                                         TOPICS["trend"].definition_en)
            for day in days
        },
    }  # fmt: skip
    return _export("topics", data, header, table, figures, format_, lang)


@router.get("/surveys", response_model=None, responses=_FILE_RESPONSES)
async def surveys_report(
    request: Request,
    state: AppStateDep,
    session: SessionDep,
    principal: CallReportReader,
    start: Start,
    end: End,
    site: SiteQ = None,
    line: LineQ = None,
    language: LanguageQ = None,
    agent: Annotated[str | None, Query(max_length=32, description="agent code")] = None,
    full: Annotated[bool, Query(description="callers' numbers in full (audited)")] = False,
    format_: FormatQ = ExportFormat.JSON,
    lang: Lang = Lang.ZH,
) -> dict[str, Any] | Response:
    """Survey scores over the period (up to 366 days): the distribution over 1..5 and the
    average, in total and by line, agent and day, and the calls scored 1 or 2 (callers' numbers
    masked unless a director or supervisor asks for them in full; audited). The survey records
    a key press only: ``comments`` is always null. CSV and XLSX carry the per-agent rows."""
    if full and not principal.has_any(FULL_NUMBER_READERS):
        raise ForbiddenError("only a director or a supervisor reads callers' numbers in full")
    ask = service.Request(start, end, Granularity.DAY, site, line, language, None, agent)
    data = await service.surveys(session, ask, _zone(state), state.clock.now(), lang.value)
    if full:
        audit.add(
            session,
            action=audit.PERSONAL_DATA_READ,
            actor_user_id=principal.user_id,
            actor_username=principal.username,
            subject_type="report",
            subject_id="surveys",
            detail={
                "calls": len(data["low_scores"]),
                "format": format_.value,
                "from": data["period"]["from"],
                "to": data["period"]["to"],
            },
            request_id=getattr(request.state, "request_id", None),
            client_ip=request.client.host if request.client else None,
        )
    else:
        for row in data["low_scores"]:
            row["caller_number"] = mask_phone(row["caller_number"])
    data["numbers"] = "full" if full else "masked"
    if format_ is ExportFormat.JSON:
        return data
    columns = ["agent", "answered", "responses", "response_rate", "average"]
    columns += [f"score_{s}" for s in range(1, 6)]
    rows = [
        {**r, **{f"score_{s}": r["distribution"][str(s)] for s in range(1, 6)}}
        for r in [*data["by_agent"], {"agent": "total", **data["total"]}]
    ]
    header, table = export.flatten(rows, columns)
    figures = {**SURVEYS, "agent": Figure("坐席", "Agent", "坐席工号", "the agent's code")}
    return _export("surveys", data, header, table, figures, format_, lang)
