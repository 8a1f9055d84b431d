"""``hotline calendar ...``: deadline arithmetic on the working-day calendar, seeding, display.

``due`` needs no database: it uses the chinesecalendar package for the years it knows (with
``--db`` it reads the service's calendar table instead, with the admins' edits and working
periods). Errors are one line on stderr and exit code 2.
"""

from __future__ import annotations

import calendar as month_layout
import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import yaml

from hotline.cli_database import fail, with_database
from workorders.calendar import (
    DayKind,
    WorkCalendar,
    WorkingDuration,
    days_from_chinesecalendar,
    require_aware,
)
from workorders.calendar_file import CalendarFileError, parse_year_schedule
from workorders.errors import CalendarNotLoadedError, WorkOrderError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

calendar_app = typer.Typer(
    help="Working-day calendar: deadlines, loading a year's schedule, seeding, display.",
    no_args_is_help=True,
)


# Years ahead loaded for ``due`` without a database: enough for the longest time limit.
_YEARS_AHEAD = 2

_SYMBOL = {
    DayKind.WORKING: "W",
    DayKind.ADJUSTED_WORKING: "A",  # 调休: a weekend day worked
    DayKind.HOLIDAY: "H",
    DayKind.WEEKEND_REST: ".",
}


def _package_calendar(first_year: int) -> WorkCalendar:
    days: dict[date, DayKind] = {}
    for year in range(first_year, first_year + _YEARS_AHEAD + 1):
        try:
            days.update(days_from_chinesecalendar(year))
        except CalendarNotLoadedError:
            break  # later years are unknown too; a deadline reaching them is refused
    return WorkCalendar(days)


def _database_calendar() -> WorkCalendar:
    from hotline.db.session import transaction
    from hotline.workorders.rules import load_calendar

    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> WorkCalendar:
        async with transaction(sessionmaker) as session:
            return await load_calendar(session)

    result: WorkCalendar = with_database(work)
    return result


@calendar_app.command("due")
def due(
    start: Annotated[
        str,
        typer.Option("--from", help="start, ISO 8601 with an offset, e.g. 2026-02-13T16:00+08:00"),
    ],
    add: Annotated[
        str, typer.Option("--add", help="'2 working days', '16 working hours', '1d 4h'")
    ],
    db: Annotated[bool, typer.Option("--db", help="use the service's calendar table")] = False,
) -> None:
    """Print the moment ADD of working time after FROM, as ISO 8601 with offset."""
    try:
        moment = datetime.fromisoformat(start)
    except ValueError:
        raise fail(f"--from {start!r} is not an ISO 8601 date-time") from None
    try:
        require_aware(moment, "--from")
        amount = WorkingDuration.parse(add)
        calendar = _database_calendar() if db else _package_calendar(moment.year)
        deadline = calendar.add_working_time(moment, amount)
    except WorkOrderError as exc:
        raise fail(str(exc)) from None
    print(deadline.isoformat())


@calendar_app.command("seed")
def seed(
    year: Annotated[int, typer.Argument(help="the year to load", min=2000, max=2100)],
    overwrite: Annotated[
        bool, typer.Option(help="replace days already in the table (admins' edits too)")
    ] = False,
) -> None:
    """Load YEAR from chinesecalendar into the service's calendar table."""
    from hotline.clock import SystemClock
    from hotline.db.session import transaction
    from hotline.workorders.rules import seed_year

    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        async with transaction(sessionmaker) as session:
            return await seed_year(session, year, SystemClock().now(), overwrite)

    try:
        written: int = with_database(work)
    except WorkOrderError as exc:
        raise fail(str(exc)) from None
    print(f"{year}: {written} days written")


@calendar_app.command("load")
def load(
    file: Annotated[Path, typer.Argument(help="the year's schedule, e.g. 2027.yaml")],
    draft: Annotated[
        bool, typer.Option("--draft", help="load a file marked status: draft anyway")
    ] = False,
    overwrite: Annotated[
        bool, typer.Option(help="replace the days an admin set by hand too")
    ] = False,
) -> None:
    """Load a year's official holidays and make-up working days (调休) from FILE.

    The file lists the State Council notice and date ranges (see examples/calendar/). It is
    checked first: every problem is printed, naming the file, the entry and the field, and
    nothing is written. The year's days are then replaced, except an admin's own edits.
    """
    from hotline.clock import SystemClock
    from hotline.db.session import transaction
    from hotline.workorders.rules import load_year_schedule

    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise fail(f"{file}: cannot read the file ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise fail(f"{file}: not valid YAML: {' '.join(str(exc).split())}") from None
    try:
        schedule = parse_year_schedule(data, str(file))
    except CalendarFileError as exc:
        for line in str(exc).splitlines():
            typer.echo(f"error: {line}", err=True)
        typer.echo("nothing was written", err=True)
        raise typer.Exit(2) from None
    if schedule.is_draft and not draft:
        raise fail(
            f"{file}: status: draft: the {schedule.year} schedule is not from a published "
            "notice; load it anyway with --draft, or fill in the official notice first"
        )

    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
        async with transaction(sessionmaker) as session:
            return await load_year_schedule(
                session, schedule, file.name, SystemClock().now(), overwrite
            )

    written, kept = with_database(work)
    holidays = sum(kind is DayKind.HOLIDAY for kind in schedule.days.values())
    adjusted = sum(kind is DayKind.ADJUSTED_WORKING for kind in schedule.days.values())
    print(
        f"{schedule.year} ({schedule.status}, {schedule.notice.title}): {written} days written"
        f" ({holidays} holidays, {adjusted} make-up working days)"
        + (f", {kept} days set by an admin kept" if kept else "")
    )
    if schedule.is_draft:
        typer.echo(
            f"warning: {schedule.year} is a draft; load the official schedule once it is published",
            err=True,
        )


@calendar_app.command("show")
def show(
    month: Annotated[str, typer.Argument(help="YYYY-MM")],
    db: Annotated[bool, typer.Option("--db", help="use the service's calendar table")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the days as JSON")] = False,
) -> None:
    """Show a month: W working, A adjusted working weekend (调休), H holiday, . weekend."""
    try:
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
    except ValueError:
        raise fail(f"{month!r} is not a month; write YYYY-MM, e.g. 2026-02") from None
    try:
        calendar = _database_calendar() if db else _package_calendar(year)
        kinds = {
            day: calendar.day_kind(day)
            for day in (
                date(year, number, n)
                for n in range(1, month_layout.monthrange(year, number)[1] + 1)
            )
        }
    except WorkOrderError as exc:
        raise fail(str(exc)) from None
    if as_json:
        print(json.dumps({day.isoformat(): kind.value for day, kind in kinds.items()}, indent=2))
        return
    print(f"{first:%Y-%m}   W working  A adjusted working (调休)  H holiday  . weekend")
    print(" ".join(f"{name:>3}" for name in ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")))
    cells = ["   "] * first.weekday() + [
        f"{day.day:>2}{_SYMBOL[kind]}" for day, kind in kinds.items()
    ]
    for row_start in range(0, len(cells), 7):
        print(" ".join(cells[row_start : row_start + 7]).rstrip())
