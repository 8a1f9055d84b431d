"""The working-day calendar: read it, and (admins) edit days, seed years, set working periods.

Every edit recomputes the deadlines of open orders at once; each order that moved records the
edit as the reason in its history. The response says how many moved and which could not be
(locked by someone else, or now reaching a year that is not loaded).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import yaml
from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy import select

from hotline.api.access import Admin, AnyUser
from hotline.db.models import CalendarDay
from hotline.deps import AppStateDep, SessionDep
from hotline.errors import AppError, InvalidInputError, NotFoundError
from hotline.workorders import rules as calendar_rules
from hotline.workorders.errors import domain_errors
from hotline.workorders.glue import recompute_open_orders
from hotline.workorders.schemas import (
    CalendarDayChanged,
    CalendarDayRead,
    CalendarDayUpdate,
    CalendarOverview,
    CalendarSeeded,
    CalendarYearLoaded,
    WorkingPeriods,
    WorkingPeriodsChanged,
)
from hotline.workorders.sweeper import rules_cache
from workorders.calendar_file import CalendarFileError, parse_year_schedule

router = APIRouter(prefix="/calendar", tags=["calendar"])

Month = Annotated[
    str | None, Query(pattern=r"^(19|20|21)\d{2}-(0[1-9]|1[0-2])$", description="YYYY-MM")
]


async def _calendar_day(  # async: FastAPI would run a def in its thread pool
    day: Annotated[str, Path(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD")],
) -> date:
    # Taken as text: a plain `date` parameter would read a bare number as a Unix timestamp.
    try:
        return date.fromisoformat(day)
    except ValueError:
        raise InvalidInputError(
            [{"loc": ["path", "day"], "msg": f"{day} is not a calendar date", "type": "date"}]
        ) from None


DayText = Annotated[date, Depends(_calendar_day)]


def _read(row: CalendarDay) -> CalendarDayRead:
    return CalendarDayRead(day=row.day, kind=row.kind, source=row.source, note=row.note)


@router.get("", response_model=CalendarOverview)
async def overview(
    state: AppStateDep, session: SessionDep, _: AnyUser, month: Month = None
) -> CalendarOverview:
    """Loaded years, working periods, warnings (a missing next year from November, a year
    loaded from a draft), and the days of ``month`` when given."""
    rules = await rules_cache(state).get()
    calendar = rules.calendar
    today = state.clock.now().astimezone(calendar.zone).date()
    days: list[CalendarDayRead] = []
    if month:
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
        following = date(year + number // 12, number % 12 + 1, 1)
        rows = await session.scalars(
            select(CalendarDay)
            .where(CalendarDay.day >= first, CalendarDay.day < following)
            .order_by(CalendarDay.day)
        )
        days = [_read(row) for row in rows]
    sources = await calendar_rules.year_sources(session)
    return CalendarOverview(
        loaded_years=sorted(calendar.loaded_years),
        periods=[tuple(pair) for pair in calendar_rules.periods_to_data(calendar.periods)],
        warnings=[
            *calendar.calendar_warnings(today),
            *calendar_rules.draft_warnings(sources, today),
        ],
        days=days,
    )


@router.get("/days/{day}", response_model=CalendarDayRead)
async def get_day(day: DayText, session: SessionDep, _: AnyUser) -> CalendarDayRead:
    row = await session.get(CalendarDay, day)
    if row is None:
        raise NotFoundError(f"{day.isoformat()} is not in the calendar (its year is not loaded)")
    return _read(row)


@router.put("/days/{day}", response_model=CalendarDayChanged)
async def set_day(
    day: DayText,
    body: CalendarDayUpdate,
    state: AppStateDep,
    session: SessionDep,
    principal: Admin,
) -> CalendarDayChanged:
    """Set one day's kind (e.g. an extra closure); open orders' deadlines follow."""
    await calendar_rules.set_day(
        session, day, body.kind, f"admin:{principal.username}", body.note, state.clock.now()
    )
    await session.commit()
    reason = f"calendar: {day.isoformat()} set to {body.kind.value} by {principal.username}"
    if body.note:
        reason += f" ({body.note})"
    recomputed = await recompute_open_orders(state, reason)
    return CalendarDayChanged(
        day=day,
        kind=body.kind,
        source=f"admin:{principal.username}",
        note=body.note,
        recomputed=recomputed,
    )


@router.post("/seed/{year}", response_model=CalendarSeeded)
async def seed_year(
    year: Annotated[int, Path(ge=2000, le=2100)],
    state: AppStateDep,
    session: SessionDep,
    principal: Admin,
    overwrite: bool = False,
) -> CalendarSeeded:
    """Load a year from the chinesecalendar package (official holidays and 调休 days).

    Days already in the table are kept unless ``overwrite`` is set.
    """
    with domain_errors():
        written = await calendar_rules.seed_year(session, year, state.clock.now(), overwrite)
    await session.commit()
    reason = f"calendar: {year} loaded from chinesecalendar by {principal.username}"
    recomputed = await recompute_open_orders(state, reason)
    return CalendarSeeded(year=year, days_written=written, recomputed=recomputed)


class InvalidCalendarFileError(AppError):
    status_code = 422
    slug = "invalid_calendar_file"


_YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
_YEAR_BODY = {
    "requestBody": {
        "required": True,
        "description": "the year's schedule, as in examples/calendar/2027.yaml",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/yaml": {"schema": {"type": "string"}},
        },
    }
}


@router.post("/years", response_model=CalendarYearLoaded, openapi_extra=_YEAR_BODY)
async def load_year(
    request: Request,
    state: AppStateDep,
    session: SessionDep,
    principal: Admin,
    allow_draft: bool = False,
    overwrite: bool = False,
) -> CalendarYearLoaded:
    """Load a year's official schedule (holidays and make-up working days as date ranges, with
    the State Council notice), sent as JSON or as the YAML file itself.

    Validated first (every problem listed, each naming the entry and field); a ``draft`` is
    refused unless ``allow_draft``. The year's days are replaced, except days an admin set by
    hand (kept unless ``overwrite``); open orders' deadlines follow at once.
    """
    raw = await request.body()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type in _YAML_TYPES:
            data = yaml.safe_load(raw.decode("utf-8"))
        else:
            data = json.loads(raw)
    except (UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        kind = "YAML" if content_type in _YAML_TYPES else "JSON"
        raise InvalidCalendarFileError([f"the body is not valid {kind}: {exc}"]) from None
    try:
        schedule = parse_year_schedule(data, "body")
    except CalendarFileError as exc:
        raise InvalidCalendarFileError(exc.problems) from None
    if schedule.is_draft and not allow_draft:
        raise InvalidCalendarFileError(
            [
                f"status: the {schedule.year} schedule is a draft, not the published notice; "
                "send allow_draft=true to load it anyway"
            ]
        )
    written, kept = await calendar_rules.load_year_schedule(
        session, schedule, f"upload by {principal.username}", state.clock.now(), overwrite
    )
    await session.commit()
    reason = (
        f"calendar: {schedule.year} loaded ({schedule.status}, {schedule.notice.title}) "
        f"by {principal.username}"
    )
    recomputed = await recompute_open_orders(state, reason)
    return CalendarYearLoaded(
        year=schedule.year,
        status=schedule.status,
        notice=schedule.notice.to_data(),
        days_written=written,
        days_kept=kept,
        recomputed=recomputed,
    )


@router.get("/periods", response_model=WorkingPeriods)
async def get_periods(state: AppStateDep, _: AnyUser) -> WorkingPeriods:
    calendar = (await rules_cache(state).get()).calendar
    return WorkingPeriods(
        periods=[tuple(pair) for pair in calendar_rules.periods_to_data(calendar.periods)]
    )


@router.put("/periods", response_model=WorkingPeriodsChanged)
async def set_periods(
    body: WorkingPeriods, state: AppStateDep, session: SessionDep, principal: Admin
) -> WorkingPeriodsChanged:
    """The working periods of every working day, e.g. 09:00-12:00 and 13:30-17:00."""
    if not body.periods:
        raise InvalidInputError("at least one working period is needed, e.g. 09:00-17:00")
    with domain_errors():
        periods = calendar_rules.parse_periods(body.periods)
    await calendar_rules.set_periods(session, periods, state.clock.now())
    await session.commit()
    text = ", ".join(f"{start}-{end}" for start, end in calendar_rules.periods_to_data(periods))
    recomputed = await recompute_open_orders(
        state, f"calendar: working periods set to {text} by {principal.username}"
    )
    return WorkingPeriodsChanged(
        periods=[tuple(pair) for pair in calendar_rules.periods_to_data(periods)],
        recomputed=recomputed,
    )
