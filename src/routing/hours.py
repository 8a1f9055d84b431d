"""Service hours: when a line takes calls, as pure arithmetic on a float timestamp.

China keeps no daylight saving time, so a fixed UTC offset (+8 h by default) turns a POSIX
timestamp into local wall time. Public holidays and the weekends worked in their place (调休) are
an input: either two sets of dates or any object with ``is_working_day(date) -> bool`` (for
example an adapter over the `chinesecalendar` package, built by the shell).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from routing.errors import PolicyError, PolicyProblem

SECONDS_PER_DAY = 86_400
CHINA_UTC_OFFSET_S = 8 * 3600.0
_EPOCH_DATE = dt.date(1970, 1, 1)


@runtime_checkable
class WorkingDays(Protocol):
    """The working-day calendar, whatever its source."""

    def is_working_day(self, date: dt.date) -> bool: ...


@dataclass(frozen=True, slots=True)
class DateSetCalendar:
    """Monday to Friday are working days, except `non_working`; `extra_working` dates also work."""

    non_working: frozenset[dt.date] = frozenset()
    extra_working: frozenset[dt.date] = frozenset()

    def is_working_day(self, date: dt.date) -> bool:
        if date in self.extra_working:
            return True
        if date in self.non_working:
            return False
        return date.weekday() < 5


@dataclass(frozen=True, slots=True, order=True)
class OpenInterval:
    """Open from `start_s` to `end_s` seconds after local midnight (end excluded)."""

    start_s: int
    end_s: int

    def __post_init__(self) -> None:
        if not 0 <= self.start_s < self.end_s <= SECONDS_PER_DAY:
            raise PolicyError(
                "",
                "must satisfy 00:00 <= start < end <= 24:00",
                PolicyProblem.INTERVAL_OUT_OF_ORDER,
            )

    @classmethod
    def parse(cls, text: str) -> OpenInterval:
        """Read ``"09:00-17:00"``."""
        try:
            start, end = text.split("-")
            return cls(_clock_seconds(start), _clock_seconds(end))
        except (ValueError, TypeError) as exc:
            if isinstance(exc, PolicyError):
                raise
            raise PolicyError(
                "",
                f"expected 'HH:MM-HH:MM', got {text!r}",
                PolicyProblem.INTERVAL_MALFORMED,
                {"text": repr(text)},
            ) from None

    def __str__(self) -> str:
        return f"{_clock_text(self.start_s)}-{_clock_text(self.end_s)}"


def _clock_seconds(text: str) -> int:
    hours, minutes = text.strip().split(":")
    if len(minutes) != 2 or not (hours.isdigit() and minutes.isdigit()):
        raise ValueError(text)
    value = int(hours) * 3600 + int(minutes) * 60
    if int(minutes) >= 60 or value > SECONDS_PER_DAY:
        raise ValueError(text)
    return value


def _clock_text(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


Intervals = tuple[OpenInterval, ...]


@dataclass(frozen=True, slots=True)
class ServiceHours:
    """Per-weekday open intervals (index 0 = Monday) in local time, plus the calendar.

    A working day that falls on a weekend (调休) opens with `adjusted_day_hours` (Monday's hours
    when None); a weekday that is not a working day (a holiday) is closed all day. Weekend hours
    configured in `weekly` apply on ordinary weekends.
    """

    weekly: tuple[Intervals, Intervals, Intervals, Intervals, Intervals, Intervals, Intervals]
    utc_offset_s: float = CHINA_UTC_OFFSET_S
    non_working_dates: frozenset[dt.date] = frozenset()
    extra_working_dates: frozenset[dt.date] = frozenset()
    adjusted_day_hours: Intervals | None = None
    calendar: WorkingDays | None = field(default=None, compare=False)

    @classmethod
    def weekdays(
        cls, intervals: Sequence[OpenInterval], utc_offset_s: float = CHINA_UTC_OFFSET_S
    ) -> ServiceHours:
        """Open on Monday to Friday with the same `intervals`, closed at weekends."""
        day = tuple(intervals)
        return cls(weekly=(day, day, day, day, day, (), ()), utc_offset_s=utc_offset_s)

    @classmethod
    def from_dict(cls, data: object, path: str = "service_hours") -> ServiceHours:
        """Read the ``service_hours`` data of a policy (the same format and errors)."""
        from routing import _policy_codec

        return _policy_codec.hours_from_dict(data, path)

    def is_working_day(self, date: dt.date) -> bool:
        if self.calendar is not None:
            return self.calendar.is_working_day(date)
        if date in self.extra_working_dates:
            return True
        if date in self.non_working_dates:
            return False
        return date.weekday() < 5

    def intervals_on(self, date: dt.date) -> Intervals:
        weekday = date.weekday()
        working = self.is_working_day(date)
        if weekday < 5 and not working:
            return ()
        if weekday >= 5 and working:
            return self.weekly[0] if self.adjusted_day_hours is None else self.adjusted_day_hours
        return self.weekly[weekday]

    def is_open(self, now: float) -> bool:
        local = now + self.utc_offset_s
        days = int(local // SECONDS_PER_DAY)
        second_of_day = local - days * SECONDS_PER_DAY
        date = _EPOCH_DATE + dt.timedelta(days=days)
        return any(iv.start_s <= second_of_day < iv.end_s for iv in self.intervals_on(date))

    def next_opening(self, now: float, horizon_days: int = 400) -> float | None:
        """The first moment at or after ``now`` when these hours are open (``now`` itself when
        open): what a caller told "we are closed" is promised. None: never within the horizon
        (hours with no open day at all)."""
        local = now + self.utc_offset_s
        days = int(local // SECONDS_PER_DAY)
        second_of_day = local - days * SECONDS_PER_DAY
        for offset in range(horizon_days):
            date = _EPOCH_DATE + dt.timedelta(days=days + offset)
            for interval in sorted(self.intervals_on(date), key=lambda iv: iv.start_s):
                if offset == 0 and interval.end_s <= second_of_day:
                    continue
                start = max(interval.start_s, second_of_day) if offset == 0 else interval.start_s
                if offset == 0 and start == second_of_day:
                    return now
                return (days + offset) * SECONDS_PER_DAY + start - self.utc_offset_s
        return None
