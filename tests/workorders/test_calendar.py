"""Deadline arithmetic on the real 2026 calendar (chinesecalendar data) and its edge rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.workorders.builders import local, plain_weekdays
from workorders.calendar import DayKind, WorkCalendar, WorkingDuration, days_from_chinesecalendar
from workorders.errors import CalendarError, CalendarNotLoadedError


class TestDayTable:
    @pytest.mark.parametrize(
        ("day", "kind"),
        [
            ("2026-02-13", DayKind.WORKING),  # Friday before the Spring Festival
            ("2026-02-14", DayKind.ADJUSTED_WORKING),  # make-up Saturday
            ("2026-02-15", DayKind.HOLIDAY),  # Sunday inside the holiday block
            ("2026-02-16", DayKind.HOLIDAY),
            ("2026-02-23", DayKind.HOLIDAY),  # Monday, still off
            ("2026-02-24", DayKind.WORKING),
            ("2026-02-28", DayKind.ADJUSTED_WORKING),  # second make-up Saturday
            ("2026-03-07", DayKind.WEEKEND_REST),
            ("2026-05-01", DayKind.HOLIDAY),
            ("2026-05-05", DayKind.HOLIDAY),
            ("2026-05-09", DayKind.ADJUSTED_WORKING),
            ("2026-09-20", DayKind.ADJUSTED_WORKING),  # make-up Sunday before National Day
            ("2026-10-07", DayKind.HOLIDAY),
            ("2026-10-08", DayKind.WORKING),
            ("2026-10-10", DayKind.ADJUSTED_WORKING),
        ],
    )
    def test_2026_days_are_classified_from_chinesecalendar(
        self, cal: WorkCalendar, day: str, kind: DayKind
    ) -> None:
        assert cal.day_kind(date.fromisoformat(day)) is kind

    def test_a_seeded_year_is_complete_and_loaded(self, cal: WorkCalendar) -> None:
        assert cal.loaded_years == frozenset({2026})
        assert len(days_from_chinesecalendar(2026)) == 365

    def test_a_partly_entered_year_is_not_loaded(self, cal: WorkCalendar) -> None:
        edited = cal.with_days({date(2027, 1, 1): DayKind.HOLIDAY})
        assert edited.loaded_years == frozenset({2026})
        with pytest.raises(CalendarNotLoadedError, match="2027"):
            edited.day_kind(date(2027, 1, 1))

    def test_an_admin_edit_changes_the_arithmetic(self, cal: WorkCalendar) -> None:
        # Declaring the make-up Saturday a rest day pushes the worked example one day later.
        edited = cal.with_days({date(2026, 2, 14): DayKind.WEEKEND_REST})
        due = edited.add_working_time(local("2026-02-13 16:00"), WorkingDuration(days=2))
        assert due == local("2026-02-25 16:00")

    def test_a_year_chinesecalendar_does_not_know_is_refused_by_name(self) -> None:
        with pytest.raises(CalendarNotLoadedError, match="2099") as caught:
            days_from_chinesecalendar(2099)
        assert caught.value.year == 2099


SPRING_FESTIVAL = [
    # The issue's worked example: Feb 14 (Sat) is a make-up working day, Feb 15-23 are off.
    ("2026-02-13 16:00", "2 working days", "2026-02-24 16:00"),
    ("2026-02-13 16:00", "1 working day", "2026-02-14 16:00"),
    ("2026-02-14 17:00", "1h", "2026-02-24 10:00"),
    ("2026-02-14 10:00", "3d", "2026-02-26 10:00"),
    ("2026-02-18 10:00", "4h", "2026-02-24 13:00"),  # start inside the holiday
    ("2026-02-27 15:00", "1d", "2026-02-28 15:00"),  # Feb 28 (Sat) is worked
    ("2026-02-28 15:00", "1d", "2026-03-02 15:00"),  # Mar 1 (Sun) is not
]
LABOUR_DAY = [
    ("2026-04-30 16:00", "1d", "2026-05-06 16:00"),  # May 1-5 off
    ("2026-05-08 16:00", "1d", "2026-05-09 16:00"),  # May 9 (Sat) is worked
    ("2026-05-09 17:00", "1h", "2026-05-11 10:00"),
    ("2026-04-29 09:00", "3 working days", "2026-05-06 17:00"),
]
NATIONAL_DAY = [
    ("2026-09-19 10:00", "1h", "2026-09-20 10:00"),  # Sep 20 (Sun) is worked
    ("2026-09-30 09:00", "2d", "2026-10-08 17:00"),  # Oct 1-7 off; end-of-day rule
    ("2026-10-09 17:00", "4h", "2026-10-10 13:00"),  # Oct 10 (Sat) is worked
    ("2026-09-30 12:00", "15 working days", "2026-10-27 12:00"),
]
EDGES = [
    ("2026-03-02 09:00", "1d", "2026-03-02 17:00"),  # exactly a day: that day's closing time
    ("2026-03-02 16:00", "1h", "2026-03-02 17:00"),
    ("2026-03-02 16:00", "61 minutes", "2026-03-03 09:01"),
    ("2026-03-02 07:30", "1h", "2026-03-02 10:00"),  # before opening
    ("2026-03-02 18:00", "1h", "2026-03-03 10:00"),  # after closing
    ("2026-03-02 17:00", "1h", "2026-03-03 10:00"),  # at closing
    ("2026-03-07 11:00", "2h", "2026-03-09 11:00"),  # ordinary Saturday
    ("2026-03-02 10:00", "0h", "2026-03-02 10:00"),
    ("2026-03-02 20:00", "0h", "2026-03-03 09:00"),
    ("2026-03-06 15:00", "1d 4h", "2026-03-10 11:00"),
]


@pytest.mark.parametrize(
    ("start", "amount", "due"), SPRING_FESTIVAL + LABOUR_DAY + NATIONAL_DAY + EDGES
)
def test_add_working_time(cal: WorkCalendar, start: str, amount: str, due: str) -> None:
    result = cal.add_working_time(local(start), WorkingDuration.parse(amount))
    assert result == local(due)
    assert result.utcoffset() == timedelta(hours=8)


def test_worked_example_prints_as_the_issue_says(cal: WorkCalendar) -> None:
    start = datetime.fromisoformat("2026-02-13T16:00+08:00")
    due = cal.add_working_time(start, WorkingDuration.parse("2 working days"))
    assert due.isoformat() == "2026-02-24T16:00:00+08:00"


def test_utc_input_gives_the_same_instant(cal: WorkCalendar) -> None:
    start = datetime(2026, 2, 13, 8, 0, tzinfo=UTC)
    assert cal.add_working_time(start, WorkingDuration(days=2)) == local("2026-02-24 16:00")


class TestLunchBreak:
    @pytest.mark.parametrize(
        ("start", "amount", "due"),
        [
            ("2026-03-02 11:00", "2h", "2026-03-02 14:30"),
            ("2026-03-02 12:30", "1h", "2026-03-02 14:30"),
            ("2026-03-02 09:00", "1d", "2026-03-02 17:00"),
            ("2026-03-02 11:00", "1d", "2026-03-03 11:00"),  # a day is 6.5 working hours
            ("2026-03-02 08:00", "3h", "2026-03-02 12:00"),  # ends at the morning's close
            ("2026-02-13 16:00", "2d", "2026-02-24 16:00"),
        ],
    )
    def test_add(self, lunch_cal: WorkCalendar, start: str, amount: str, due: str) -> None:
        assert lunch_cal.add_working_time(local(start), WorkingDuration.parse(amount)) == local(due)

    def test_day_length_excludes_lunch(self, lunch_cal: WorkCalendar) -> None:
        assert lunch_cal.standard_day_length == timedelta(hours=6, minutes=30)

    def test_lunch_is_not_working_time(self, lunch_cal: WorkCalendar) -> None:
        assert not lunch_cal.is_working_time(local("2026-03-02 12:15"))
        assert lunch_cal.next_working_start(local("2026-03-02 12:15")) == local("2026-03-02 13:30")

    @pytest.mark.parametrize(
        "periods",
        [
            (),
            ((time(12), time(9)),),
            ((time(9), time(12)), (time(11), time(17))),
        ],
    )
    def test_bad_periods_are_refused(
        self, cal: WorkCalendar, periods: tuple[tuple[time, time], ...]
    ) -> None:
        with pytest.raises(CalendarError):
            cal.with_periods(periods)


class TestPauses:
    def test_pause_inside_a_day_extends_the_deadline(self, cal: WorkCalendar) -> None:
        pause = [(local("2026-03-02 13:00"), local("2026-03-02 15:00"))]
        due = cal.add_working_time(local("2026-03-02 09:00"), WorkingDuration(days=1), pause)
        assert due == local("2026-03-03 11:00")

    def test_pause_overnight_counts_only_its_working_part(self, cal: WorkCalendar) -> None:
        pause = [(local("2026-03-02 16:00"), local("2026-03-03 10:00"))]
        due = cal.add_working_time(local("2026-03-02 09:00"), WorkingDuration(days=1), pause)
        assert due == local("2026-03-03 11:00")

    def test_overlapping_pauses_count_once(self, cal: WorkCalendar) -> None:
        pauses = [
            (local("2026-03-02 10:00"), local("2026-03-02 12:00")),
            (local("2026-03-02 11:00"), local("2026-03-02 13:00")),
        ]
        due = cal.add_working_time(local("2026-03-02 09:00"), WorkingDuration(hours=2), pauses)
        assert due == local("2026-03-02 14:00")
        assert cal.working_time_between(
            local("2026-03-02 09:00"), local("2026-03-02 17:00"), pauses
        ) == timedelta(hours=5)

    def test_naive_pause_is_refused(self, cal: WorkCalendar) -> None:
        with pytest.raises(CalendarError, match="time zone"):
            cal.add_working_time(
                local("2026-03-02 09:00"),
                WorkingDuration(hours=1),
                [(datetime(2026, 3, 2, 10), datetime(2026, 3, 2, 11))],
            )


class TestQueries:
    def test_working_time_between_across_the_spring_festival(self, cal: WorkCalendar) -> None:
        between = cal.working_time_between(local("2026-02-13 16:00"), local("2026-02-24 16:00"))
        assert between == timedelta(hours=16)
        reverse = cal.working_time_between(local("2026-02-24 16:00"), local("2026-02-13 16:00"))
        assert reverse == -between

    @pytest.mark.parametrize(
        ("moment", "working", "next_start"),
        [
            ("2026-03-02 09:00", True, "2026-03-02 09:00"),
            ("2026-03-02 16:59", True, "2026-03-02 16:59"),
            ("2026-03-02 17:00", False, "2026-03-03 09:00"),
            ("2026-02-13 18:00", False, "2026-02-14 09:00"),
            ("2026-02-14 18:00", False, "2026-02-24 09:00"),
            ("2026-10-01 10:00", False, "2026-10-08 09:00"),
        ],
    )
    def test_is_working_time_and_next_start(
        self, cal: WorkCalendar, moment: str, working: bool, next_start: str
    ) -> None:
        assert cal.is_working_time(local(moment)) is working
        assert cal.next_working_start(local(moment)) == local(next_start)

    def test_naive_datetimes_are_refused(self, cal: WorkCalendar) -> None:
        with pytest.raises(CalendarError, match="no time zone"):
            cal.add_working_time(datetime(2026, 3, 2, 9), WorkingDuration(hours=1))
        with pytest.raises(CalendarError, match="no time zone"):
            cal.is_working_time(datetime(2026, 3, 2, 9))


class TestNotLoaded:
    def test_deadline_in_an_unloaded_year_is_refused_by_name(self, cal: WorkCalendar) -> None:
        with pytest.raises(CalendarNotLoadedError, match="2027") as caught:
            cal.add_working_time(local("2026-12-31 16:00"), WorkingDuration(days=1))
        assert caught.value.year == 2027

    def test_start_in_an_unloaded_year_is_refused(self, cal: WorkCalendar) -> None:
        with pytest.raises(CalendarNotLoadedError, match="2025"):
            cal.add_working_time(local("2025-12-31 10:00"), WorkingDuration(hours=1))

    def test_loading_the_next_year_lets_the_deadline_through(self, cal: WorkCalendar) -> None:
        both = cal.with_days(plain_weekdays(2027))
        due = both.add_working_time(local("2026-12-31 16:00"), WorkingDuration(days=1))
        assert due == local("2027-01-01 16:00")

    @pytest.mark.parametrize(
        ("today", "warns"),
        [("2026-06-30", False), ("2026-10-31", False), ("2026-11-01", True), ("2026-12-31", True)],
    )
    def test_november_warning(self, cal: WorkCalendar, today: str, warns: bool) -> None:
        warnings = cal.calendar_warnings(date.fromisoformat(today))
        assert bool(warnings) is warns
        assert all("2027" in warning for warning in warnings)

    def test_no_warning_once_next_year_is_loaded(self, cal: WorkCalendar) -> None:
        both = cal.with_days(plain_weekdays(2027))
        assert both.calendar_warnings(date(2026, 11, 20)) == []

    def test_current_year_missing_is_warned_too(self, cal: WorkCalendar) -> None:
        assert "2028" in cal.calendar_warnings(date(2028, 3, 1))[0]


class TestDurationText:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2 working days", WorkingDuration(days=2)),
            ("1 working day", WorkingDuration(days=1)),
            ("16 working hours", WorkingDuration(hours=16)),
            ("3d", WorkingDuration(days=3)),
            ("4h", WorkingDuration(hours=4)),
            ("1d 4h", WorkingDuration(days=1, hours=4)),
            ("2 days, 3 hours and 30 minutes", WorkingDuration(days=2, hours=3, minutes=30)),
            ("  90 Minutes ", WorkingDuration(minutes=90)),
        ],
    )
    def test_parse(self, text: str, expected: WorkingDuration) -> None:
        assert WorkingDuration.parse(text) == expected

    @pytest.mark.parametrize("text", ["", "two days", "3 weeks", "-1d", "3", "4h later"])
    def test_bad_text_is_refused_with_examples(self, text: str) -> None:
        with pytest.raises(CalendarError, match="working"):
            WorkingDuration.parse(text)

    def test_str_round_trips(self) -> None:
        duration = WorkingDuration(days=1, hours=4)
        assert str(duration) == "1 working day 4 working hours"
        assert WorkingDuration.parse(str(duration)) == duration


# ---------------------------------------------------------------- properties

_MINUTE = timedelta(minutes=1)
starts = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 10, 31), timezones=st.just(UTC)
).map(lambda moment: moment.replace(second=0, microsecond=0))
amounts = st.integers(min_value=0, max_value=10 * 8 * 60).map(lambda minutes: minutes * _MINUTE)


@st.composite
def pause_lists(draw: st.DrawFn) -> list[tuple[datetime, datetime]]:
    pauses = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        start = draw(starts)
        pauses.append((start, start + draw(st.integers(0, 3 * 24 * 60)) * _MINUTE))
    return pauses


@settings(deadline=None, max_examples=60)
@given(start=starts, later=amounts, amount=amounts, extra=amounts)
def test_add_working_time_is_monotonic(
    cal: WorkCalendar, start: datetime, later: timedelta, amount: timedelta, extra: timedelta
) -> None:
    assert cal.add_working_time(start, amount) <= cal.add_working_time(start + later, amount)
    assert cal.add_working_time(start, amount) <= cal.add_working_time(start, amount + extra)


@settings(deadline=None, max_examples=60)
@given(start=starts, first=amounts, second=amounts, pauses=pause_lists())
def test_adding_a_then_b_equals_adding_a_plus_b(
    cal: WorkCalendar,
    start: datetime,
    first: timedelta,
    second: timedelta,
    pauses: list[tuple[datetime, datetime]],
) -> None:
    in_two_steps = cal.add_working_time(cal.add_working_time(start, first, pauses), second, pauses)
    assert in_two_steps == cal.add_working_time(start, first + second, pauses)


@settings(deadline=None, max_examples=60)
@given(start=starts, amount=amounts, pauses=pause_lists())
def test_working_time_between_inverts_add(
    cal: WorkCalendar, start: datetime, amount: timedelta, pauses: list[tuple[datetime, datetime]]
) -> None:
    due = cal.add_working_time(start, amount, pauses)
    assert cal.working_time_between(start, due, pauses) == amount
