"""Service hours: pure arithmetic on POSIX seconds with a fixed offset and a date calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from routing import DateSetCalendar, OpenInterval, PolicyError, ServiceHours, WorkingDays

BEIJING = dt.timezone(dt.timedelta(hours=8))


def at(text: str) -> float:
    """POSIX seconds of a Beijing wall-clock time 'YYYY-MM-DD HH:MM'."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=BEIJING).timestamp()


NINE_TO_FIVE = (OpenInterval.parse("09:00-12:00"), OpenInterval.parse("13:00-17:00"))


@pytest.mark.parametrize(
    ("when", "is_open"),
    [
        ("2026-03-30 08:59", False),  # Monday before opening
        ("2026-03-30 09:00", True),
        ("2026-03-30 12:30", False),  # lunch
        ("2026-03-30 16:59", True),
        ("2026-03-30 17:00", False),  # end excluded
        ("2026-04-04 10:00", False),  # Saturday
        ("2026-10-01 10:00", False),  # National Day, a Thursday: holiday
        ("2026-02-14 10:00", True),  # Saturday worked in lieu (调休)
    ],
)
def test_working_days_and_hours(when: str, is_open: bool) -> None:
    hours = ServiceHours(
        weekly=(NINE_TO_FIVE,) * 5 + ((), ()),
        non_working_dates=frozenset({dt.date(2026, 10, 1)}),
        extra_working_dates=frozenset({dt.date(2026, 2, 14)}),
    )
    assert hours.is_open(at(when)) is is_open


def test_a_calendar_object_replaces_the_date_sets() -> None:
    calendar = DateSetCalendar(
        non_working=frozenset({dt.date(2026, 3, 30)}),
        extra_working=frozenset({dt.date(2026, 4, 4)}),
    )
    assert isinstance(calendar, WorkingDays)
    hours = ServiceHours(
        weekly=(NINE_TO_FIVE,) * 5 + ((), ()),
        non_working_dates=frozenset({dt.date(2026, 3, 31)}),  # ignored: the calendar decides
        calendar=calendar,
        adjusted_day_hours=(OpenInterval.parse("10:00-11:00"),),
    )
    assert not hours.is_open(at("2026-03-30 10:00"))
    assert hours.is_open(at("2026-03-31 10:00"))
    assert hours.is_open(at("2026-04-04 10:30"))
    assert not hours.is_open(at("2026-04-04 09:30"))  # adjusted hours, not Monday's


def test_weekend_hours_apply_on_ordinary_weekends() -> None:
    saturday_morning = (OpenInterval.parse("09:00-12:00"),)
    hours = ServiceHours(weekly=((), (), (), (), (), saturday_morning, ()))
    assert hours.is_open(at("2026-04-04 09:30"))
    assert not hours.is_open(at("2026-04-05 09:30"))


def test_weekdays_helper_and_offsets() -> None:
    hours = ServiceHours.weekdays(NINE_TO_FIVE, utc_offset_s=0.0)
    monday_9_utc = dt.datetime(2026, 3, 30, 9, tzinfo=dt.UTC).timestamp()
    assert hours.is_open(monday_9_utc)
    assert not hours.is_open(monday_9_utc - 1)


@pytest.mark.parametrize(
    "text", ["9-17", "09:00", "09:5-10:00", "09:60-10:00", "10:00-09:00", "25:00-26:00"]
)
def test_bad_intervals(text: str) -> None:
    with pytest.raises(PolicyError):
        OpenInterval.parse(text)


def test_interval_text_round_trip() -> None:
    assert str(OpenInterval.parse("09:05-24:00")) == "09:05-24:00"


@pytest.mark.parametrize(
    ("when", "opens"),
    [
        ("2026-03-30 10:00", "2026-03-30 10:00"),  # open: now
        ("2026-03-30 08:00", "2026-03-30 09:00"),  # before opening
        ("2026-03-30 12:30", "2026-03-30 13:00"),  # lunch
        ("2026-03-30 17:00", "2026-03-31 09:00"),  # evening: the next morning
        ("2026-04-03 18:00", "2026-04-06 09:00"),  # Friday evening: Monday
    ],
)
def test_next_opening_is_what_a_closed_caller_is_promised(when: str, opens: str) -> None:
    hours = ServiceHours.weekdays(NINE_TO_FIVE)
    assert hours.next_opening(at(when)) == at(opens)


def test_next_opening_skips_holidays_and_honours_worked_weekends() -> None:
    hours = ServiceHours(
        weekly=ServiceHours.weekdays(NINE_TO_FIVE).weekly,
        non_working_dates=frozenset({dt.date(2026, 4, 6)}),
        extra_working_dates=frozenset({dt.date(2026, 4, 5)}),  # a Sunday worked (调休)
    )
    assert hours.next_opening(at("2026-04-03 18:00")) == at("2026-04-05 09:00")
    assert hours.next_opening(at("2026-04-05 17:30")) == at("2026-04-07 09:00")
    never = ServiceHours(weekly=((), (), (), (), (), (), ()))
    assert never.next_opening(at("2026-04-03 18:00")) is None
