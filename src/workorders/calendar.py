"""The working-day calendar and the deadline arithmetic built on it.

China moves weekends around public holidays (调休): 2026-02-14 and 2026-02-28 are Saturdays on which
offices work, while the Monday 2026-02-23 is a holiday. A deadline counted as "weekdays minus
holidays" is therefore wrong, so the calendar is an explicit table of days (seeded from the
``chinese_calendar`` package, editable by admins) plus the working periods of a working day.

Rules of the arithmetic (all pure, no clock is read):

* Working time is the union of the day's working periods (default 09:00–17:00; a lunch break is
  expressed as two periods) on WORKING and ADJUSTED_WORKING days, minus paused intervals (time spent
  waiting for the taxpayer).
* N working days are N times the standard working-day length of working time; N working hours are
  N hours of working time.
* A start outside working time counts from the next working period.
* A deadline that falls exactly at the end of a working period is that period's closing time, not
  the opening of the next one (16:00 + 1 working hour is 17:00 the same day).
* Every datetime in and out is timezone-aware; naive datetimes are refused. Results are expressed in
  the calendar's zone (Asia/Shanghai by default).
* A computation that needs a day of a year that is not fully loaded raises
  ``CalendarNotLoadedError`` naming the year, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

from workorders.errors import CalendarError, CalendarNotLoadedError

SHANGHAI = ZoneInfo("Asia/Shanghai")

WorkingPeriod = tuple[time, time]
"""A local (start, end) pair of one working day, end exclusive."""

Interval = tuple[datetime, datetime]

DEFAULT_PERIODS: tuple[WorkingPeriod, ...] = ((time(9), time(17)),)

# From this month on, the calendar warns when next year's days are not loaded yet: the State
# Council publishes the next year's holidays around November, and deadlines start to reach January.
WARNING_FROM_MONTH = 11


def require_aware(value: datetime, name: str = "datetime") -> datetime:
    """Return ``value`` unchanged if it carries a UTC offset; refuse naive datetimes."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise CalendarError(
            f"{name} {value.isoformat()} has no time zone; pass a timezone-aware datetime "
            "(UTC for storage, Asia/Shanghai for local times)"
        )
    return value


class DayKind(StrEnum):
    WORKING = "working"  # an ordinary Monday to Friday
    HOLIDAY = "holiday"  # a public holiday, including the weekend days inside a holiday block
    ADJUSTED_WORKING = "adjusted_working"  # a Saturday or Sunday worked to make up (调休)
    WEEKEND_REST = "weekend_rest"  # an ordinary Saturday or Sunday

    @property
    def is_working(self) -> bool:
        return self in (DayKind.WORKING, DayKind.ADJUSTED_WORKING)


_UNIT_WORDS: Mapping[str, str] = {
    "d": "days",
    "day": "days",
    "days": "days",
    "h": "hours",
    "hour": "hours",
    "hours": "hours",
    "m": "minutes",
    "min": "minutes",
    "mins": "minutes",
    "minute": "minutes",
    "minutes": "minutes",
}
_TERM = re.compile(r"\s*(\d+)\s*(?:working\s+)?([a-z]+)\s*(?:,|\band\b)?", re.IGNORECASE)


@dataclass(frozen=True)
class WorkingDuration:
    """An amount of working time: whole working days, hours and minutes.

    Days stay days until a calendar converts them, because their length depends on the
    calendar's working periods (8 h by default, 6.5 h with a long lunch break).
    """

    days: int = 0
    hours: int = 0
    minutes: int = 0

    def __post_init__(self) -> None:
        if min(self.days, self.hours, self.minutes) < 0:
            raise CalendarError(f"a working duration cannot be negative: {self!r}")

    @classmethod
    def parse(cls, text: str) -> WorkingDuration:
        """Read "2 working days", "16 working hours", "3d", "4h", "1d 4h", "90 minutes"."""
        position = 0
        parts = {"days": 0, "hours": 0, "minutes": 0}
        cleaned = text.strip()
        while position < len(cleaned):
            match = _TERM.match(cleaned, position)
            unit = _UNIT_WORDS.get(match.group(2).lower()) if match else None
            if match is None or unit is None:
                raise CalendarError(
                    f"cannot read the working duration {text!r}: write for example "
                    "'2 working days', '16 working hours', '3d', '4h' or '1d 4h'"
                )
            parts[unit] += int(match.group(1))
            position = match.end()
        if not cleaned:
            raise CalendarError("a working duration is required, e.g. '2 working days' or '4h'")
        return cls(**parts)

    def __add__(self, other: WorkingDuration) -> WorkingDuration:
        return WorkingDuration(
            self.days + other.days, self.hours + other.hours, self.minutes + other.minutes
        )

    def __str__(self) -> str:
        terms = [
            f"{count} working {unit[:-1] if count == 1 else unit}"
            for count, unit in (
                (self.days, "days"),
                (self.hours, "hours"),
                (self.minutes, "minutes"),
            )
            if count
        ]
        return " ".join(terms) or "0 working hours"

    def as_working_time(self, day_length: timedelta) -> timedelta:
        return self.days * day_length + timedelta(hours=self.hours, minutes=self.minutes)


def _check_periods(periods: Sequence[WorkingPeriod]) -> tuple[WorkingPeriod, ...]:
    if not periods:
        raise CalendarError("a working day needs at least one working period, e.g. 09:00-17:00")
    previous_end: time | None = None
    for start, end in periods:
        if start >= end:
            raise CalendarError(f"working period {start}-{end} ends before it starts")
        if previous_end is not None and start < previous_end:
            raise CalendarError(
                f"working period {start}-{end} overlaps or precedes the one before it; "
                "list periods in order, e.g. 09:00-12:00 then 13:30-17:00"
            )
        previous_end = end
    return tuple(periods)


def _days_in_year(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def _normalise_pauses(paused: Iterable[Interval]) -> list[Interval]:
    """Sort and merge the paused intervals so the arithmetic can walk them once."""
    merged: list[Interval] = []
    for start, end in sorted(paused):
        require_aware(start, "pause start")
        require_aware(end, "pause end")
        if end < start:
            raise CalendarError(f"paused interval ends before it starts: {start} > {end}")
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract_pauses(start: datetime, end: datetime, pauses: Sequence[Interval]) -> list[Interval]:
    # Pieces that merely touch a pause are kept even when empty: a deadline landing exactly at
    # the start of a pause must still be reachable by adding zero from there.
    pieces: list[Interval] = []
    cursor = start
    for pause_start, pause_end in pauses:
        if pause_end < cursor or pause_start > end:
            continue
        if pause_start >= cursor:
            pieces.append((cursor, pause_start))
        cursor = max(cursor, pause_end)
    if cursor <= end:
        pieces.append((cursor, end))
    return pieces


@dataclass(frozen=True)
class WorkCalendar:
    """A table of days for whole years plus the working periods of a working day.

    ``days`` must list every day of a year for that year to count as loaded; a partly entered
    year is treated as not loaded, so an admin's half-finished edit cannot silently produce
    deadlines from weekday guesses.
    """

    days: Mapping[date, DayKind]
    periods: tuple[WorkingPeriod, ...] = DEFAULT_PERIODS
    zone: ZoneInfo = SHANGHAI
    loaded_years: frozenset[int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "days", MappingProxyType(dict(self.days)))
        object.__setattr__(self, "periods", _check_periods(self.periods))
        counts: dict[int, int] = {}
        for day in self.days:
            counts[day.year] = counts.get(day.year, 0) + 1
        loaded = frozenset(year for year, n in counts.items() if n == _days_in_year(year))
        object.__setattr__(self, "loaded_years", loaded)

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_chinesecalendar(
        cls,
        years: Iterable[int],
        periods: Sequence[WorkingPeriod] = DEFAULT_PERIODS,
        zone: ZoneInfo = SHANGHAI,
    ) -> WorkCalendar:
        days: dict[date, DayKind] = {}
        for year in years:
            days.update(days_from_chinesecalendar(year))
        return cls(days, tuple(periods), zone)

    def with_days(self, updates: Mapping[date, DayKind]) -> WorkCalendar:
        """A copy with some days set (an admin's edit, or a whole year loaded)."""
        return WorkCalendar({**self.days, **updates}, self.periods, self.zone)

    def with_periods(self, periods: Sequence[WorkingPeriod]) -> WorkCalendar:
        return WorkCalendar(self.days, tuple(periods), self.zone)

    # ------------------------------------------------------------------ queries

    @property
    def standard_day_length(self) -> timedelta:
        """Working time in one working day: the unit of "N working days"."""
        today = date(2000, 1, 1)
        return sum(
            (
                datetime.combine(today, end) - datetime.combine(today, start)
                for start, end in self.periods
            ),
            timedelta(),
        )

    def day_kind(self, day: date) -> DayKind:
        if day.year not in self.loaded_years:
            raise CalendarNotLoadedError(day.year, f"needed for {day.isoformat()}")
        return self.days[day]

    def working_periods_on(self, day: date) -> list[Interval]:
        """The day's working periods as aware datetimes; empty on rest days."""
        if not self.day_kind(day).is_working:
            return []
        return [
            (datetime.combine(day, start, self.zone), datetime.combine(day, end, self.zone))
            for start, end in self.periods
        ]

    def is_working_time(self, moment: datetime) -> bool:
        local = self._local(moment, "moment")
        return any(start <= local < end for start, end in self.working_periods_on(local.date()))

    def next_working_start(self, moment: datetime) -> datetime:
        """``moment`` itself if it is working time, else the start of the next working period."""
        local = self._local(moment, "moment")
        if self.is_working_time(local):
            return local
        for start, end in self._periods_from(local):
            if start < end:  # skips the empty remainder when ``local`` is a closing time
                return start
        raise AssertionError("unreachable: _periods_from ends only by raising")

    def calendar_warnings(self, today: date) -> list[str]:
        """Warnings an admin should see on ``today`` about years that still need loading."""
        warnings: list[str] = []
        if today.year not in self.loaded_years:
            warnings.append(
                f"the working-day calendar for {today.year} (the current year) is not loaded: "
                "deadlines cannot be computed"
            )
        if today.month >= WARNING_FROM_MONTH and today.year + 1 not in self.loaded_years:
            warnings.append(
                f"the working-day calendar for {today.year + 1} is not loaded yet: deadlines "
                f"reaching {today.year + 1} will be refused; load it once the holiday schedule "
                "is published"
            )
        return warnings

    # ------------------------------------------------------------------ arithmetic

    def add_working_time(
        self,
        start: datetime,
        amount: WorkingDuration | timedelta,
        paused: Sequence[Interval] = (),
    ) -> datetime:
        """The moment at which ``amount`` of working time has elapsed after ``start``."""
        local = self._local(start, "start")
        needed = self._as_working_time(amount)
        pauses = _normalise_pauses(paused)
        for piece_start, piece_end in self._free_pieces(local, pauses):
            # "<=" (not "<") is the end-of-day rule: exactly enough time left in this piece
            # ends at its closing time rather than at the next opening.
            if needed <= piece_end - piece_start:
                return piece_start + needed
            needed -= piece_end - piece_start
        raise AssertionError("unreachable: _free_pieces ends only by raising")

    def working_time_between(
        self, earlier: datetime, later: datetime, paused: Sequence[Interval] = ()
    ) -> timedelta:
        """Working time from ``earlier`` to ``later`` minus pauses; negative if reversed."""
        first = self._local(earlier, "earlier")
        last = self._local(later, "later")
        if last < first:
            return -self.working_time_between(last, first, paused)
        pauses = _normalise_pauses(paused)
        total = timedelta()
        day = first.date()
        while day <= last.date():
            for period_start, period_end in self.working_periods_on(day):
                start, end = max(period_start, first), min(period_end, last)
                if start < end:
                    total += sum(
                        (b - a for a, b in _subtract_pauses(start, end, pauses)), timedelta()
                    )
            day += timedelta(days=1)
        return total

    # ------------------------------------------------------------------ helpers

    def _local(self, moment: datetime, name: str) -> datetime:
        return require_aware(moment, name).astimezone(self.zone)

    def _as_working_time(self, amount: WorkingDuration | timedelta) -> timedelta:
        if isinstance(amount, WorkingDuration):
            return amount.as_working_time(self.standard_day_length)
        if amount < timedelta():
            raise CalendarError(f"cannot add a negative amount of working time: {amount}")
        return amount

    def _periods_from(self, local: datetime) -> Iterator[Interval]:
        """Working periods that end at or after ``local``, clipped to start no earlier.

        It walks forward day by day and stops only by raising CalendarNotLoadedError at the
        first day of a year that is not loaded, so a runaway search always ends with a clear
        message.
        """
        day = local.date()
        while True:
            for start, end in self.working_periods_on(day):
                if end >= local:
                    yield max(start, local), end
            day += timedelta(days=1)

    def _free_pieces(self, local: datetime, pauses: Sequence[Interval]) -> Iterator[Interval]:
        for start, end in self._periods_from(local):
            yield from _subtract_pauses(start, end, pauses)


def days_from_chinesecalendar(year: int) -> dict[date, DayKind]:
    """Every day of ``year`` classified from the ``chinese_calendar`` package's official data."""
    import chinese_calendar  # imported here: only seeding needs it, the arithmetic does not

    days: dict[date, DayKind] = {}
    day = date(year, 1, 1)
    try:
        while day.year == year:
            is_holiday, holiday_name = chinese_calendar.get_holiday_detail(day)
            weekend = day.weekday() >= 5
            if not is_holiday:
                days[day] = DayKind.ADJUSTED_WORKING if weekend else DayKind.WORKING
            elif weekend and holiday_name is None:
                days[day] = DayKind.WEEKEND_REST
            else:
                days[day] = DayKind.HOLIDAY
            day += timedelta(days=1)
    except NotImplementedError as exc:
        raise CalendarNotLoadedError(year, f"chinesecalendar has no data: {exc}") from exc
    return days
