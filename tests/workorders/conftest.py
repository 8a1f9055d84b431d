"""Shared fixtures: the real 2026 calendar from chinesecalendar, seeded once per session."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from workorders.calendar import SHANGHAI, DayKind, WorkCalendar, days_from_chinesecalendar


@pytest.fixture(scope="session")
def days_2026() -> dict[date, DayKind]:
    return days_from_chinesecalendar(2026)


@pytest.fixture(scope="session")
def cal(days_2026: dict[date, DayKind]) -> WorkCalendar:
    return WorkCalendar(days_2026)


@pytest.fixture(scope="session")
def lunch_cal(days_2026: dict[date, DayKind]) -> WorkCalendar:
    return WorkCalendar(days_2026, ((time(9), time(12)), (time(13, 30), time(17))))


def local(text: str) -> datetime:
    """A Shanghai-local wall time written as 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def plain_weekdays(year: int) -> dict[date, DayKind]:
    """A synthetic year with no holidays (Mon-Fri working), for years chinesecalendar lacks."""
    days: dict[date, DayKind] = {}
    day = date(year, 1, 1)
    while day.year == year:
        days[day] = DayKind.WEEKEND_REST if day.weekday() >= 5 else DayKind.WORKING
        day += timedelta(days=1)
    return days
