"""Shared fixtures: the real 2026 calendar from chinesecalendar, seeded once per session."""

from __future__ import annotations

from datetime import date, time

import pytest

from workorders.calendar import DayKind, WorkCalendar, days_from_chinesecalendar


@pytest.fixture(scope="session")
def days_2026() -> dict[date, DayKind]:
    return days_from_chinesecalendar(2026)


@pytest.fixture(scope="session")
def cal(days_2026: dict[date, DayKind]) -> WorkCalendar:
    return WorkCalendar(days_2026)


@pytest.fixture(scope="session")
def lunch_cal(days_2026: dict[date, DayKind]) -> WorkCalendar:
    return WorkCalendar(days_2026, ((time(9), time(12)), (time(13, 30), time(17))))
