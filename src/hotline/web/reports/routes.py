"""GET /reports, /reports/interval and /reports/abandons: the report pages for the director,
ops and supervisors. They call the same report functions as the API (never the API over HTTP);
the download links are the API's CSV and XLSX exports of exactly what the page shows. Numbers
on the pages are always masked; the audited full export is a separate link for the roles that
may read it.

plotly.js is served from the installed plotly wheel (``/reports/plotly.min.js``), never a CDN.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from html import escape
from importlib.resources import files
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlalchemy import select
from starlette.responses import FileResponse, RedirectResponse, Response

from hotline.db.models import Site, Skill
from hotline.deps import AppStateDep, SessionDep
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
    """The API's CSV and XLSX of exactly what a page over whole days shows."""
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


@router.get("/reports/interval")
async def interval_page(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    state: AppStateDep,
    start: str = "",
    end: str = "",
    interval: str = "30m",
    site: str = "",
    line: str = "",
    language: str = "",
    group: str = "",
    threshold: str = "20",
) -> Response:
    if not _allowed(principal):
        return RedirectResponse("/home", status_code=303)
    zone = ZoneInfo(state.settings.timezone)
    lang = lang_of(request)
    first, last, valid = _days(state, start, end, 1)
    form = {
        "start": first.isoformat(),
        "end": last.isoformat(),
        "interval": interval,
        "site": site,
        "line": line,
        "language": language,
        "group": group,
        "threshold": threshold,
    }
    context: dict[str, Any] = {
        "user": principal,
        "form": form,
        "error": None,
        "data": None,
        **await _choices(session),
    }
    context.update(columns=PAGE_COLUMNS, percent=PERCENT, definitions=list(INTERVAL))
    if not valid:
        context["error"] = i18n.translate(lang, "reports.bad_date")
        return render(request, "reports_interval.html", context, 422)
    try:
        granularity = Granularity(interval)
        group_value = AgentGroup(group) if group else None
        threshold_s = float(threshold)
        if not 0 < threshold_s <= 3600:
            raise ValueError(threshold)
    except ValueError:
        context["error"] = i18n.translate(lang, "reports.fix") + i18n.translate(
            lang, "reports.err.choice"
        )
        return render(request, "reports_interval.html", context, 422)
    ask = service.Request(
        _moment(first, zone),
        _moment(last + timedelta(days=1), zone),
        granularity,
        site or None,
        line or None,
        language or None,
        group_value,
        None,
        threshold_s,
    )
    try:
        data = await service.interval(session, ask, zone, state.clock.now(), "zh")
    except InvalidInputError as exc:
        context["error"] = _problem(exc, lang)
        return render(request, "reports_interval.html", context, 422)

    def t(key: str) -> str:
        return i18n.translate(lang, key)

    daily = granularity is Granularity.DAY
    api = _api_query(
        {
            "from": ask.start.isoformat(),
            "to": ask.end.isoformat(),
            "interval": granularity.value,
            "site": site,
            "line": line,
            "language": language,
            "group": group,
            "threshold": threshold,
            "lang": "zh" if lang == "zh-CN" else "en",
        }
    )
    context.update(
        data=data,
        calls_chart=charts.as_script_data(charts.interval_calls(data["rows"], daily, t)),
        staffing_chart=charts.as_script_data(charts.interval_staffing(data["rows"], daily, t)),
        daily=daily,
        csv_url=f"/api/v1/reports/interval?{api}&format=csv",
        xlsx_url=f"/api/v1/reports/interval?{api}&format=xlsx",
    )
    return render(request, "reports_interval.html", context)


@router.get("/reports/abandons")
async def abandons_page(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    state: AppStateDep,
    start: str = "",
    end: str = "",
    site: str = "",
    line: str = "",
    language: str = "",
) -> Response:
    if not _allowed(principal):
        return RedirectResponse("/home", status_code=303)
    zone = ZoneInfo(state.settings.timezone)
    lang = lang_of(request)
    first, last, valid = _days(state, start, end, 1)
    form = {
        "start": first.isoformat(),
        "end": last.isoformat(),
        "site": site,
        "line": line,
        "language": language,
    }
    context: dict[str, Any] = {
        "user": principal,
        "form": form,
        "error": None,
        "data": None,
        "definitions": list(ABANDONS),
        **await _choices(session),
    }
    if not valid:
        context["error"] = i18n.translate(lang, "reports.bad_date")
        return render(request, "reports_abandons.html", context, 422)
    ask = service.Request(
        _moment(first, zone),
        _moment(last + timedelta(days=1), zone),
        Granularity.MIN15,
        site or None,
        line or None,
        language or None,
    )
    try:
        data = await service.abandons(session, ask, zone, state.clock.now(), "zh")
    except InvalidInputError as exc:
        context["error"] = _problem(exc, lang)
        return render(request, "reports_abandons.html", context, 422)
    for row in data["rows"]:
        row["caller_number"] = mask_phone(row["caller_number"])

    def t(key: str) -> str:
        return i18n.translate(lang, key)

    api = _api_query(
        {
            "from": ask.start.isoformat(),
            "to": ask.end.isoformat(),
            "site": site,
            "line": line,
            "language": language,
            "lang": "zh" if lang == "zh-CN" else "en",
        }
    )
    summary = data["summary"]
    context.update(
        data=data,
        summary_text=t("reports.summary").format(
            n=summary["abandons"],
            slack=summary["with_eligible_idle_or_away"],
            idle=summary["with_eligible_idle"],
            away=summary["with_eligible_away"],
            busy=summary["understaffed"],
        ),
        chart=charts.as_script_data(charts.abandon_waits(data["rows"], t)),
        csv_url=f"/api/v1/reports/abandons?{api}&format=csv",
        xlsx_url=f"/api/v1/reports/abandons?{api}&format=xlsx",
        full_url=f"/api/v1/reports/abandons?{api}&format=xlsx&full=true"
        if principal.has_any(FULL_NUMBER_READERS)
        else None,
    )
    return render(request, "reports_abandons.html", context)


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
    request: Request,
    principal: PageUser,
    session: SessionDep,
    state: AppStateDep,
    start: str = "",
    end: str = "",
    site: str = "",
    line: str = "",
    language: str = "",
    agent: str = "",
) -> Response:
    if not _allowed(principal):
        return RedirectResponse("/home", status_code=303)
    zone = ZoneInfo(state.settings.timezone)
    lang = lang_of(request)
    first, last, valid = _days(state, start, end, 1)
    form = {
        "start": first.isoformat(),
        "end": last.isoformat(),
        "site": site,
        "line": line,
        "language": language,
        "agent": agent,
    }
    context: dict[str, Any] = {
        "user": principal,
        "form": form,
        "error": None,
        "data": None,
        "definitions": list(AGENTS),
        "columns": AGENT_COLUMNS,
        "adherence_columns": list(ADHERENCE),
        "percent": {"occupancy", "work_orders_on_time_rate", "adherence"},
        **await _choices(session),
    }
    if not valid:
        context["error"] = i18n.translate(lang, "reports.bad_date")
        return render(request, "reports_agents.html", context, 422)
    ask = service.Request(
        _moment(first, zone),
        _moment(last + timedelta(days=1), zone),
        Granularity.MIN60,
        site or None,
        line or None,
        language or None,
        None,
        agent or None,
    )
    try:
        data = await service.agents(session, ask, zone, state.clock.now(), "zh")
    except InvalidInputError as exc:
        context["error"] = _problem(exc, lang)
        return render(request, "reports_agents.html", context, 422)

    def t(key: str) -> str:
        return i18n.translate(lang, key)

    api = _api_query(
        {
            "from": ask.start.isoformat(),
            "to": ask.end.isoformat(),
            "site": site,
            "line": line,
            "language": language,
            "agent": agent,
            "lang": "zh" if lang == "zh-CN" else "en",
        }
    )
    context.update(
        data=data,
        chart=charts.as_script_data(charts.agent_time(data["rows"], t)),
        csv_url=f"/api/v1/reports/agents?{api}&format=csv",
        xlsx_url=f"/api/v1/reports/agents?{api}&format=xlsx",
    )
    return render(request, "reports_agents.html", context)


@router.get("/reports/standards")
async def standards_page(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    state: AppStateDep,
    start: str = "",
    end: str = "",
    site: str = "",
    line: str = "",
    language: str = "",
) -> Response:
    if not _allowed(principal):
        return RedirectResponse("/home", status_code=303)
    zone = ZoneInfo(state.settings.timezone)
    lang = lang_of(request)
    first, last, valid = _days(state, start, end, 7)
    form = {
        "start": first.isoformat(),
        "end": last.isoformat(),
        "site": site,
        "line": line,
        "language": language,
    }
    context: dict[str, Any] = {
        "user": principal,
        "form": form,
        "error": None,
        "data": None,
        "definitions": [],
        **await _choices(session),
    }
    if not valid:
        context["error"] = i18n.translate(lang, "reports.bad_date")
        return render(request, "reports_standards.html", context, 422)
    ask = service.Request(
        _moment(first, zone),
        _moment(last + timedelta(days=1), zone),
        Granularity.DAY,
        site or None,
        line or None,
        language or None,
    )
    try:
        data = await service.standards(session, ask, zone, state.clock.now())
    except InvalidInputError as exc:
        context["error"] = _problem(exc, lang)
        return render(request, "reports_standards.html", context, 422)
    api = _api_query(
        {
            "from": ask.start.isoformat(),
            "to": ask.end.isoformat(),
            "site": site,
            "line": line,
            "language": language,
            "lang": "zh" if lang == "zh-CN" else "en",
        }
    )
    context.update(
        data=data,
        label="label_zh" if lang == "zh-CN" else "label_en",
        targets=await standards_store.listing(session)
        if principal.has_any(TARGET_EDITORS)
        else None,
        csv_url=f"/api/v1/reports/standards?{api}&format=csv",
        xlsx_url=f"/api/v1/reports/standards?{api}&format=xlsx",
    )
    return render(request, "reports_standards.html", context)


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
async def scorecard_page(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    state: AppStateDep,
    start: str = "",
    end: str = "",
    site: str = "",
    line: str = "",
    language: str = "",
) -> Response:
    if not _allowed(principal):
        return RedirectResponse("/home", status_code=303)
    zone = ZoneInfo(state.settings.timezone)
    lang = lang_of(request)
    first, last, valid = _days(state, start, end, 30)
    form = {
        "start": first.isoformat(),
        "end": last.isoformat(),
        "site": site,
        "line": line,
        "language": language,
    }
    context: dict[str, Any] = {
        "user": principal,
        "form": form,
        "error": None,
        "data": None,
        "tiles": SCORECARD_TILES,
        **await _choices(session),
    }
    if not valid:
        context["error"] = i18n.translate(lang, "reports.bad_date")
        return render(request, "reports_scorecard.html", context, 422)
    ask = service.Request(
        _moment(first, zone),
        _moment(last + timedelta(days=1), zone),
        Granularity.DAY,
        site or None,
        line or None,
        language or None,
    )
    try:
        data = await service.balanced_scorecard(
            session, ask, zone, state.clock.now(), "zh" if lang == "zh-CN" else "en"
        )
    except InvalidInputError as exc:
        context["error"] = _problem(exc, lang)
        return render(request, "reports_scorecard.html", context, 422)
    context.update(data=data, **_downloads("scorecard", ask, form, lang))
    return render(request, "reports_scorecard.html", context)


@router.get("/reports/origin")
async def origin_page(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    state: AppStateDep,
    start: str = "",
    end: str = "",
    site: str = "",
    line: str = "",
    language: str = "",
) -> Response:
    if not _allowed(principal):
        return RedirectResponse("/home", status_code=303)
    zone = ZoneInfo(state.settings.timezone)
    lang = lang_of(request)
    first, last, valid = _days(state, start, end, 30)
    form = {
        "start": first.isoformat(),
        "end": last.isoformat(),
        "site": site,
        "line": line,
        "language": language,
    }
    context: dict[str, Any] = {
        "user": principal,
        "form": form,
        "error": None,
        "data": None,
        **await _choices(session),
    }
    if not valid:
        context["error"] = i18n.translate(lang, "reports.bad_date")
        return render(request, "reports_origin.html", context, 422)
    ask = service.Request(
        _moment(first, zone),
        _moment(last + timedelta(days=1), zone),
        Granularity.DAY,
        site or None,
        line or None,
        language or None,
    )
    try:
        data = await service.origin(session, ask, zone, state.clock.now())
    except InvalidInputError as exc:
        context["error"] = _problem(exc, lang)
        return render(request, "reports_origin.html", context, 422)

    def t(key: str) -> str:
        return i18n.translate(lang, key)

    context.update(
        data=data,
        chart=charts.as_script_data(charts.origin_ranking(data, t)),
        **_downloads("origin", ask, form, lang),
    )
    return render(request, "reports_origin.html", context)


@router.get("/reports/heavy-callers")
async def heavy_callers_page(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    state: AppStateDep,
    start: str = "",
    end: str = "",
    site: str = "",
    line: str = "",
    language: str = "",
    threshold: str = "",
) -> Response:
    if not _allowed(principal):
        return RedirectResponse("/home", status_code=303)
    zone = ZoneInfo(state.settings.timezone)
    lang = lang_of(request)
    # Unasked, the page shows whom the live alert names: its threshold over its period.
    floor = state.settings.floor
    threshold = threshold or str(service.heavy_caller_threshold(floor.heavy_caller_calls))
    first, last, valid = _days(state, start, end, floor.heavy_caller_days)
    form = {
        "start": first.isoformat(),
        "end": last.isoformat(),
        "site": site,
        "line": line,
        "language": language,
        "threshold": threshold,
    }
    context: dict[str, Any] = {
        "user": principal,
        "form": form,
        "error": None,
        "data": None,
        **await _choices(session),
    }
    minimum = int(threshold) if threshold.isdigit() else 0
    if not valid or not 2 <= minimum <= 10_000:
        key = "reports.bad_date" if not valid else "reports.err.threshold"
        context["error"] = i18n.translate(lang, key)
        return render(request, "reports_heavy.html", context, 422)
    ask = service.Request(
        _moment(first, zone),
        _moment(last + timedelta(days=1), zone),
        Granularity.DAY,
        site or None,
        line or None,
        language or None,
    )
    try:
        data = await service.heavy_callers(session, ask, zone, state.clock.now(), minimum)
    except InvalidInputError as exc:
        context["error"] = _problem(exc, lang)
        return render(request, "reports_heavy.html", context, 422)
    for row in data["rows"]:
        row["number"] = mask_phone(row["number"])
        row["taxpayer_number"] = mask_tax_id(row["taxpayer_number"])
    links = _downloads("heavy-callers", ask, form, lang)
    links["full_url"] = (
        f"{links['xlsx_url']}&full=true" if principal.has_any(FULL_NUMBER_READERS) else None
    )
    context.update(data=data, **links)
    return render(request, "reports_heavy.html", context)


async def _daily_page(
    request: Request,
    session: SessionDep,
    state: AppStateDep,
    template: str,
    form: dict[str, str],
    context: dict[str, Any],
) -> tuple[service.Request | None, Response | None]:
    """The checked request of a page over whole days, or the page with what to correct (422)."""
    zone = ZoneInfo(state.settings.timezone)
    lang = lang_of(request)
    first, last, valid = _days(state, form["start"], form["end"], 30)
    form.update(start=first.isoformat(), end=last.isoformat())
    context.update(form=form, error=None, data=None, **await _choices(session))
    if not valid:
        context["error"] = i18n.translate(lang, "reports.bad_date")
        return None, render(request, template, context, 422)
    ask = service.Request(
        _moment(first, zone),
        _moment(last + timedelta(days=1), zone),
        Granularity.DAY,
        form["site"] or None,
        form["line"] or None,
        form["language"] or None,
        None,
        form.get("agent") or None,
    )
    return ask, None


@router.get("/reports/topics")
async def topics_page(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    state: AppStateDep,
    start: str = "",
    end: str = "",
    site: str = "",
    line: str = "",
    language: str = "",
) -> Response:
    """Summary topics by area and day, and the knowledge-base searches that found nothing."""
    if not _allowed(principal):
        return RedirectResponse("/home", status_code=303)
    lang = lang_of(request)
    short = "zh" if lang == "zh-CN" else "en"
    form = {"start": start, "end": end, "site": site, "line": line, "language": language}
    context: dict[str, Any] = {"user": principal}
    template = "reports_topics.html"
    ask, refused = await _daily_page(request, session, state, template, form, context)
    if refused is not None or ask is None:
        return refused or RedirectResponse("/reports", status_code=303)
    zone = ZoneInfo(state.settings.timezone)
    try:
        data = await service.topics(session, ask, zone, state.clock.now(), short)
    except InvalidInputError as exc:
        context["error"] = _problem(exc, lang)
        return render(request, template, context, 422)

    def t(key: str) -> str:
        return i18n.translate(lang, key)

    api = _api_query(
        {
            "from": ask.start.isoformat(),
            "to": ask.end.isoformat(),
            "site": site,
            "line": line,
            "language": language,
            "lang": short,
        }
    )
    context.update(
        data=data,
        name="name_zh" if short == "zh" else "name_en",
        chart=charts.as_script_data(charts.topic_trend(data, short, t)),
        prefix="reports.tp.",
        definitions=list(TOPICS),
        csv_url=f"/api/v1/reports/topics?{api}&format=csv",
        xlsx_url=f"/api/v1/reports/topics?{api}&format=xlsx",
    )
    return render(request, template, context)


@router.get("/reports/surveys")
async def surveys_page(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    state: AppStateDep,
    start: str = "",
    end: str = "",
    site: str = "",
    line: str = "",
    language: str = "",
    agent: str = "",
) -> Response:
    """Survey scores by line, agent and day; low scores listed with callers' numbers masked."""
    if not _allowed(principal):
        return RedirectResponse("/home", status_code=303)
    lang = lang_of(request)
    short = "zh" if lang == "zh-CN" else "en"
    form = {
        "start": start,
        "end": end,
        "site": site,
        "line": line,
        "language": language,
        "agent": agent,
    }
    context: dict[str, Any] = {"user": principal}
    template = "reports_surveys.html"
    ask, refused = await _daily_page(request, session, state, template, form, context)
    if refused is not None or ask is None:
        return refused or RedirectResponse("/reports", status_code=303)
    zone = ZoneInfo(state.settings.timezone)
    try:
        data = await service.surveys(session, ask, zone, state.clock.now(), short)
    except InvalidInputError as exc:
        context["error"] = _problem(exc, lang)
        return render(request, template, context, 422)
    for row in data["low_scores"]:
        row["caller_number"] = mask_phone(row["caller_number"])

    def t(key: str) -> str:
        return i18n.translate(lang, key)

    api = _api_query(
        {
            "from": ask.start.isoformat(),
            "to": ask.end.isoformat(),
            "site": site,
            "line": line,
            "language": language,
            "agent": agent,
            "lang": short,
        }
    )
    context.update(
        data=data,
        chart=charts.as_script_data(charts.survey_chart(data, t)),
        prefix="reports.sv.",
        definitions=list(SURVEYS),
        csv_url=f"/api/v1/reports/surveys?{api}&format=csv",
        xlsx_url=f"/api/v1/reports/surveys?{api}&format=xlsx",
    )
    return render(request, template, context)
