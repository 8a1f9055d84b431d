"""GET /reports, /reports/interval and /reports/abandons: the report pages for the director,
ops and supervisors. They call the same report functions as the API (never the API over HTTP);
the download links are the API's CSV and XLSX exports of exactly what the page shows. Numbers
on the pages are always masked; the audited full export is a separate link for the roles that
may read it.

plotly.js is served from the installed plotly wheel (``/reports/plotly.min.js``), never a CDN.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from html import escape
from importlib.resources import files
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import FileResponse, RedirectResponse, Response

from hotline.db.models import Site, Skill
from hotline.deps import AppState, AppStateDep, SessionDep
from hotline.errors import InvalidInputError
from hotline.masking import mask_phone, mask_tax_id
from hotline.reports import charts, service, standards_store
from hotline.reports.definitions import ABANDONS, ADHERENCE, AGENTS, INTERVAL, SURVEYS, TOPICS
from hotline.reports.period import Granularity
from hotline.reports.queries import AgentGroup
from hotline.reports.standards import STANDARD_ID, StandardIn
from hotline.roles import Role
from hotline.web import i18n, nav
from hotline.web.session import PageUser
from hotline.web.templating import lang_of, render

router = APIRouter(include_in_schema=False)
READERS = (Role.DIRECTOR, Role.OPS, Role.SUPERVISOR)
FULL_NUMBER_READERS = (Role.DIRECTOR, Role.SUPERVISOR)
# The landing page of directors and ops; supervisors keep their own home and get a link.
nav.register("nav.reports", "/reports", [Role.DIRECTOR, Role.OPS], order=30, home=True)
nav.register("nav.reports", "/reports/interval", [Role.SUPERVISOR], order=30)
# The interval table's columns on the page (the exports carry every figure).
PAGE_COLUMNS = (
    "offered",
    "answered",
    "answered_within",
    "abandoned_queue",
    "abandoned_ringing",
    "abandoned_ivr",
    "callbacks",
    "service_level",
    "abandon_rate",
    "asa_s",
    "aht_s",
    "agents_logged_in",
    "staffed",
    "ready",
    "on_call",
    "wrap_up",
    "not_ready",
    "occupancy",
)
PERCENT = frozenset({"service_level", "abandon_rate", "occupancy"})
_PLOTLY = files("plotly") / "package_data" / "plotly.min.js"


def _allowed(principal: Any) -> bool:
    return bool(principal.has_any(READERS))


@router.get("/reports/plotly.min.js")
async def plotly_js() -> Response:
    """plotly.js from the wheel the server runs (its version matches the figures' JSON)."""
    return FileResponse(
        str(_PLOTLY),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/reports")
async def reports_index(request: Request, principal: PageUser) -> Response:
    if not _allowed(principal):
        return RedirectResponse("/home", status_code=303)
    return render(request, "reports_index.html", {"user": principal})


def _days(state: AppStateDep, start: str, end: str, default_days: int) -> tuple[date, date, bool]:
    """The first and last day asked for (inclusive), and whether both dates were valid."""
    zone = ZoneInfo(state.settings.timezone)
    today = state.clock.now().astimezone(zone).date()
    try:
        first = date.fromisoformat(start) if start else today - timedelta(days=default_days - 1)
        last = date.fromisoformat(end) if end else today
    except ValueError:
        return today, today, False
    return first, last, True


async def _choices(session: SessionDep) -> dict[str, list[str]]:
    return {
        "sites": list((await session.scalars(select(Site.code).order_by(Site.code))).all()),
        "lines": list(
            (
                await session.scalars(
                    select(Skill.business_line).distinct().order_by(Skill.business_line)
                )
            ).all()
        ),
        "languages": list(
            (
                await session.scalars(select(Skill.language).distinct().order_by(Skill.language))
            ).all()
        ),
    }


def _problem(exc: InvalidInputError, lang: i18n.Lang) -> str:
    """What to change, in the reader's language: one message per refused field."""
    detail = exc.detail if isinstance(exc.detail, list) else []
    fields = [str(item.get("loc", ["", ""])[-1]) for item in detail if isinstance(item, dict)]
    known = [f for f in fields if f"reports.err.{f}" in i18n.CATALOG]
    text = "; ".join(i18n.translate(lang, f"reports.err.{f}") for f in known) or str(exc.detail)
    return i18n.translate(lang, "reports.fix") + text


def _moment(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _api_query(params: dict[str, Any]) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _downloads(
    report: str, ask: service.Request, form: dict[str, str], lang: i18n.Lang
) -> dict[str, str | None]:
    """The API's CSV and XLSX of exactly what a page shows (the form's filters, its period)."""
    extra = {k: v for k, v in form.items() if k not in ("start", "end")}
    api = _api_query(
        {
            "from": ask.start.isoformat(),
            "to": ask.end.isoformat(),
            **extra,
            "lang": "zh" if lang == "zh-CN" else "en",
        }
    )
    return {
        "csv_url": f"/api/v1/reports/{report}?{api}&format=csv",
        "xlsx_url": f"/api/v1/reports/{report}?{api}&format=xlsx",
        "full_url": None,
    }


def _full_url(principal: Any, links: dict[str, str | None]) -> str | None:
    """The audited XLSX with numbers in full, for the roles that may read them."""
    return f"{links['xlsx_url']}&full=true" if principal.has_any(FULL_NUMBER_READERS) else None


@dataclass(frozen=True, slots=True)
class PageQuery:
    """The query every report page takes: the days (inclusive, in the centre's time zone) and
    the call filters. Empty means "not asked"."""

    start: str = ""
    end: str = ""
    site: str = ""
    line: str = ""
    language: str = ""

    def form(self, **more: str) -> dict[str, str]:
        return {
            "start": self.start,
            "end": self.end,
            "site": self.site,
            "line": self.line,
            "language": self.language,
            **more,
        }


Asked = Annotated[PageQuery, Depends()]
Compute = Callable[[service.Request, ZoneInfo, datetime], Awaitable[dict[str, Any]]]
# What a page adds to its template from the report: (data, request, download links) -> context.
Show = Callable[[dict[str, Any], service.Request, dict[str, str | None]], dict[str, Any]]
# A page's own parameters checked: the request to compute, or the message saying what to fix.
Check = Callable[[service.Request], service.Request | str]


@dataclass(frozen=True, slots=True)
class _Page:
    report: str  # the API's name, for the download links
    template: str
    default_days: int  # the days shown when none are asked for
    granularity: Granularity = Granularity.DAY


@dataclass(frozen=True, slots=True)
class _Reader:
    """Who asks for a report page, with what: what every page handler receives."""

    request: Request
    principal: Any
    session: AsyncSession
    state: AppState
    asked: PageQuery


async def _reader(
    request: Request, principal: PageUser, session: SessionDep, state: AppStateDep, asked: Asked
) -> _Reader:
    return _Reader(request, principal, session, state, asked)


ReaderDep = Annotated[_Reader, Depends(_reader)]


async def _serve(
    r: _Reader,
    page: _Page,
    form: dict[str, str],
    context: dict[str, Any],
    compute: Compute,
    show: Show,
    check: Check | None = None,
) -> Response:
    """Every report page's plumbing: who may read it, the days asked for, the form shown again
    with the filter choices, the page's own checks, the report computed as the API computes it,
    and the CSV / XLSX links of exactly what is shown. Anything to correct is the same page with
    a message in the reader's language and a 422."""
    request, principal, session, state = r.request, r.principal, r.session, r.state
    if not _allowed(principal):
        return RedirectResponse("/home", status_code=303)
    zone = ZoneInfo(state.settings.timezone)
    lang = lang_of(request)
    first, last, valid = _days(state, form["start"], form["end"], page.default_days)
    form.update(start=first.isoformat(), end=last.isoformat())
    context.update(user=principal, form=form, error=None, data=None, **await _choices(session))
    if not valid:
        context["error"] = i18n.translate(lang, "reports.bad_date")
        return render(request, page.template, context, 422)
    ask = service.Request(
        _moment(first, zone),
        _moment(last + timedelta(days=1), zone),
        page.granularity,
        form.get("site") or None,
        form.get("line") or None,
        form.get("language") or None,
        None,
        form.get("agent") or None,
    )
    checked = check(ask) if check is not None else ask
    if isinstance(checked, str):
        context["error"] = checked
        return render(request, page.template, context, 422)
    try:
        data = await compute(checked, zone, state.clock.now())
    except InvalidInputError as exc:
        context["error"] = _problem(exc, lang)
        return render(request, page.template, context, 422)
    links = _downloads(page.report, checked, form, lang)
    context.update(data=data, **links)
    context.update(show(data, checked, links))
    return render(request, page.template, context)


def _translator(request: Request) -> Callable[[str], str]:
    lang = lang_of(request)
    return lambda key: i18n.translate(lang, key)


def _short(request: Request) -> str:
    """The reports' language code (zh or en) for the reader's page language."""
    return "zh" if lang_of(request) == "zh-CN" else "en"


@router.get("/reports/interval")
async def interval_page(
    r: ReaderDep,
    interval: str = "30m",
    group: str = "",
    threshold: str = "20",
) -> Response:
    t = _translator(r.request)
    form = r.asked.form(interval=interval, group=group, threshold=threshold)
    context = {"columns": PAGE_COLUMNS, "percent": PERCENT, "definitions": list(INTERVAL)}

    def check(ask: service.Request) -> service.Request | str:
        try:
            granularity = Granularity(interval)
            group_value = AgentGroup(group) if group else None
            threshold_s = float(threshold)
            if not 0 < threshold_s <= 3600:
                raise ValueError(threshold)
        except ValueError:
            return t("reports.fix") + t("reports.err.choice")
        return replace(ask, granularity=granularity, group=group_value, threshold_s=threshold_s)

    def show(data: dict[str, Any], ask: service.Request, _: Any) -> dict[str, Any]:
        daily = ask.granularity is Granularity.DAY
        return {
            "calls_chart": charts.as_script_data(charts.interval_calls(data["rows"], daily, t)),
            "staffing_chart": charts.as_script_data(
                charts.interval_staffing(data["rows"], daily, t)
            ),
            "daily": daily,
        }

    return await _serve(
        r,
        _Page("interval", "reports_interval.html", 1),
        form,
        context,
        lambda ask, zone, now: service.interval(r.session, ask, zone, now, "zh"),
        show,
        check,
    )


@router.get("/reports/abandons")
async def abandons_page(r: ReaderDep) -> Response:
    t = _translator(r.request)

    def show(data: dict[str, Any], _: Any, links: dict[str, str | None]) -> dict[str, Any]:
        for row in data["rows"]:
            row["caller_number"] = mask_phone(row["caller_number"])
        summary = data["summary"]
        return {
            "summary_text": t("reports.summary").format(
                n=summary["abandons"],
                slack=summary["with_eligible_idle_or_away"],
                idle=summary["with_eligible_idle"],
                away=summary["with_eligible_away"],
                busy=summary["understaffed"],
            ),
            "chart": charts.as_script_data(charts.abandon_waits(data["rows"], t)),
            "full_url": _full_url(r.principal, links),
        }

    return await _serve(
        r,
        _Page("abandons", "reports_abandons.html", 1, Granularity.MIN15),
        r.asked.form(),
        {"definitions": list(ABANDONS)},
        lambda ask, zone, now: service.abandons(r.session, ask, zone, now, "zh"),
        show,
    )


AGENT_COLUMNS = (
    "calls",
    "logged_in_s",
    "talk_s",
    "hold_s",
    "wrap_up_s",
    "not_ready_s",
    "aht_s",
    "transfers",
    "rona",
    "occupancy",
    "survey_average",
    "work_orders_raised",
    "work_orders_on_time_rate",
)


@router.get("/reports/agents")
async def agents_page(
    r: ReaderDep,
    agent: str = "",
) -> Response:
    t = _translator(r.request)
    return await _serve(
        r,
        _Page("agents", "reports_agents.html", 1, Granularity.MIN60),
        r.asked.form(agent=agent),
        {
            "definitions": list(AGENTS),
            "columns": AGENT_COLUMNS,
            "adherence_columns": list(ADHERENCE),
            "percent": {"occupancy", "work_orders_on_time_rate", "adherence"},
        },
        lambda ask, zone, now: service.agents(r.session, ask, zone, now, "zh"),
        lambda data, _, __: {"chart": charts.as_script_data(charts.agent_time(data["rows"], t))},
    )


@router.get("/reports/standards")
async def standards_page(r: ReaderDep) -> Response:
    editor = _allowed(r.principal) and r.principal.has_any(TARGET_EDITORS)
    targets = await standards_store.listing(r.session) if editor else None
    label = "label_zh" if _short(r.request) == "zh" else "label_en"
    return await _serve(
        r,
        _Page("standards", "reports_standards.html", 7),
        r.asked.form(),
        {"definitions": []},
        lambda ask, zone, now: service.standards(r.session, ask, zone, now),
        lambda data, _, __: {"label": label, "targets": targets},
    )


TARGET_EDITORS = frozenset({Role.DIRECTOR, Role.ADMIN})


@router.post("/reports/standards/targets")
async def save_target(
    request: Request, principal: PageUser, session: SessionDep, state: AppStateDep
) -> Response:
    """One row of the targets form (htmx): saved and audited, then the page reloads so the
    red/green table measures against it; a bad value answers in words, nothing saved."""
    lang = lang_of(request)
    if not principal.has_any(TARGET_EDITORS):
        return Response(i18n.translate(lang, "reports.targets.bad").format(problem="403"), 403)
    form = await request.form()
    fields = {key: str(form.get(key, "")).strip() for key in StandardIn.model_fields}
    fields["active"] = "true" if form.get("active") else "false"
    if not fields["threshold_s"]:
        del fields["threshold_s"]
    standard_id = str(form.get("id", ""))
    try:
        if not STANDARD_ID.match(standard_id):
            raise ValueError("id")
        body = StandardIn.model_validate(fields)
    except (ValidationError, ValueError) as exc:
        problem = (
            "; ".join(str(e["msg"]) for e in exc.errors())
            if isinstance(exc, ValidationError)
            else str(exc)
        )
        message = i18n.translate(lang, "reports.targets.bad").format(problem=problem)
        return Response(f'<p class="report-error" role="alert">{escape(message)}</p>', 422)
    await standards_store.save(
        session,
        body.as_standard(standard_id),
        active=body.active,
        actor=principal.username,
        actor_user_id=principal.user_id,
        now=state.clock.now(),
    )
    await session.commit()
    saved = escape(i18n.translate(lang, "reports.targets.saved"))
    return Response(f'<p class="muted">{saved}</p>', 200, headers={"HX-Refresh": "true"})


SCORECARD_TILES = (
    "satisfaction",
    "complaint_rate",
    "completion_rate",
    "timeliness",
    "service_level",
    "follow_up_satisfaction",
)


@router.get("/reports/scorecard")
async def scorecard_page(r: ReaderDep) -> Response:
    short = _short(r.request)
    return await _serve(
        r,
        _Page("scorecard", "reports_scorecard.html", 30),
        r.asked.form(),
        {"tiles": SCORECARD_TILES},
        lambda ask, zone, now: service.balanced_scorecard(r.session, ask, zone, now, short),
        lambda data, _, __: {},
    )


@router.get("/reports/origin")
async def origin_page(r: ReaderDep) -> Response:
    t = _translator(r.request)
    return await _serve(
        r,
        _Page("origin", "reports_origin.html", 30),
        r.asked.form(),
        {},
        lambda ask, zone, now: service.origin(r.session, ask, zone, now),
        lambda data, _, __: {"chart": charts.as_script_data(charts.origin_ranking(data, t))},
    )


@router.get("/reports/heavy-callers")
async def heavy_callers_page(
    r: ReaderDep,
    threshold: str = "",
) -> Response:
    # Unasked, the page shows whom the live alert names: its threshold over its period.
    floor = r.state.settings.floor
    threshold = threshold or str(service.heavy_caller_threshold(floor.heavy_caller_calls))
    minimum = int(threshold) if threshold.isdigit() else 0

    def check(ask: service.Request) -> service.Request | str:
        if not 2 <= minimum <= 10_000:
            return i18n.translate(lang_of(r.request), "reports.err.threshold")
        return ask

    def show(data: dict[str, Any], _: Any, links: dict[str, str | None]) -> dict[str, Any]:
        for row in data["rows"]:
            row["number"] = mask_phone(row["number"])
            row["taxpayer_number"] = mask_tax_id(row["taxpayer_number"])
        return {"full_url": _full_url(r.principal, links)}

    return await _serve(
        r,
        _Page("heavy-callers", "reports_heavy.html", floor.heavy_caller_days),
        r.asked.form(threshold=threshold),
        {},
        lambda ask, zone, now: service.heavy_callers(r.session, ask, zone, now, minimum),
        show,
        check,
    )


@router.get("/reports/topics")
async def topics_page(r: ReaderDep) -> Response:
    """Summary topics by area and day, and the knowledge-base searches that found nothing."""
    t = _translator(r.request)
    short = _short(r.request)
    return await _serve(
        r,
        _Page("topics", "reports_topics.html", 30),
        r.asked.form(),
        {"prefix": "reports.tp.", "definitions": list(TOPICS)},
        lambda ask, zone, now: service.topics(r.session, ask, zone, now, short),
        lambda data, _, __: {
            "name": "name_zh" if short == "zh" else "name_en",
            "chart": charts.as_script_data(charts.topic_trend(data, short, t)),
        },
    )


@router.get("/reports/surveys")
async def surveys_page(
    r: ReaderDep,
    agent: str = "",
) -> Response:
    """Survey scores by line, agent and day; low scores listed with callers' numbers masked."""
    t = _translator(r.request)
    short = _short(r.request)

    def show(data: dict[str, Any], _: Any, __: Any) -> dict[str, Any]:
        for row in data["low_scores"]:
            row["caller_number"] = mask_phone(row["caller_number"])
        return {"chart": charts.as_script_data(charts.survey_chart(data, t))}

    return await _serve(
        r,
        _Page("surveys", "reports_surveys.html", 30),
        r.asked.form(agent=agent),
        {"prefix": "reports.sv.", "definitions": list(SURVEYS)},
        lambda ask, zone, now: service.surveys(r.session, ask, zone, now, short),
        show,
    )
