"""A year's schedule file: the official 2026 notice gives exactly chinesecalendar's 2026, and
every mistake is reported with the file, the entry and the field."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from workorders.calendar import (
    SHANGHAI,
    DayKind,
    WorkCalendar,
    WorkingDuration,
    days_from_chinesecalendar,
)
from workorders.calendar_file import CalendarFileError, parse_year_schedule
from workorders.errors import CalendarNotLoadedError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "calendar"


def example(year: int) -> Any:
    return yaml.safe_load((EXAMPLES / f"{year}.yaml").read_text(encoding="utf-8"))


def minimal(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": 1,
        "year": 2027,
        "status": "official",
        "notice": {"title": "国务院办公厅关于2027年部分节假日安排的通知"},
        "holidays": [{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"}],
        "working_days": [],
    }
    data.update(overrides)
    return data


def problems(data: Any) -> list[str]:
    with pytest.raises(CalendarFileError) as caught:
        parse_year_schedule(data, "2027.yaml")
    assert str(caught.value).splitlines() == [f"2027.yaml: {p}" for p in caught.value.problems]
    return caught.value.problems


def test_the_2026_notice_gives_exactly_chinesecalendars_2026() -> None:
    schedule = parse_year_schedule(example(2026), "2026.yaml")
    assert schedule.status == "official"
    assert dict(schedule.days) == days_from_chinesecalendar(2026)
    assert schedule.names[date(2026, 2, 14)] == "春节 调休上班"
    assert schedule.names[date(2026, 10, 1)] == "国庆节"


def test_every_day_of_the_year_is_decided_once() -> None:
    schedule = parse_year_schedule(example(2027), "2027.yaml")
    assert schedule.is_draft
    assert len(schedule.days) == 365
    assert min(schedule.days) == date(2027, 1, 1)
    assert max(schedule.days) == date(2027, 12, 31)
    assert schedule.days[date(2027, 2, 8)] is DayKind.HOLIDAY  # a Monday in the Spring Festival
    assert schedule.days[date(2027, 2, 9)] is DayKind.WORKING
    assert schedule.days[date(2027, 2, 13)] is DayKind.WEEKEND_REST


def test_deadlines_run_into_a_loaded_year() -> None:
    days = {**days_from_chinesecalendar(2026)}
    with pytest.raises(CalendarNotLoadedError, match="2027 is not loaded"):
        WorkCalendar(days).add_working_time(_at(2026, 12, 30), WorkingDuration(days=3))
    days.update(parse_year_schedule(minimal(), "2027.yaml").days)
    due = WorkCalendar(days).add_working_time(_at(2026, 12, 30), WorkingDuration(days=3))
    # 30 and 31 December, then (1-3 January being holidays) Monday 4 January to its close.
    assert due == datetime(2027, 1, 4, 17, tzinfo=SHANGHAI)


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 9, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"holidays": [{"name": "春节", "from": "2027-02-12", "to": "2027-02-05"}]},
            "holidays[0].to: 2027-02-05 is before from (2027-02-12)",
        ),
        (
            {"holidays": [{"name": "元旦", "from": "2026-12-31", "to": "2027-01-01"}]},
            "holidays[0].from: 2026-12-31 is not in 2027",
        ),
        (
            {
                "holidays": [
                    {"name": "春节", "from": "2027-02-05", "to": "2027-02-11"},
                    {"name": "元宵", "date": "2027-02-11"},
                ]
            },
            "holidays[1]: 2027-02-11 is also in holidays[0] (春节); each day may be listed once",
        ),
        (
            {"working_days": [{"name": "春节", "date": "2027-02-10"}]},
            "working_days[0]: 2027-02-10 is a Wednesday, a working day already; make-up working"
            " days (调休上班) fall on a Saturday or Sunday",
        ),
        (
            {"working_days": [{"name": "元旦", "date": "2027-01-02"}]},
            "working_days[0]: 2027-01-02 is also in holidays[0] (元旦); "
            "each day may be listed once",
        ),
        (
            {"holidays": [{"name": "元旦", "from": "2027-01-01", "to": "tomorrow"}]},
            "holidays[0].to: must be a date YYYY-MM-DD (got 'tomorrow')",
        ),
        (
            {"holidays": [{"from": "2027-01-01", "to": "2027-01-01"}]},
            "holidays[0].name: is required",
        ),
        ({"notice": {}}, "notice.title: is required: the title of the State Council notice"),
        ({"status": "final"}, "status: must be official or draft (got 'final')"),
        ({"holiday": []}, "holiday: unknown field"),
        ({"year": 27}, "year: must be a year between 2000 and 2100 (got 27)"),
    ],
)
def test_each_mistake_names_the_entry_and_the_field(changes: dict[str, Any], expected: str) -> None:
    found = problems(minimal(**changes))
    assert any(problem.startswith(expected) for problem in found), found


def test_every_problem_is_reported_not_just_the_first() -> None:
    found = problems(
        minimal(
            status="final",
            holidays=[{"name": "元旦", "from": "2027-01-03", "to": "2027-01-01"}],
            working_days=[{"name": "x", "date": "2027-03-03"}],
        )
    )
    assert len(found) == 3
