"""The period of a report and its intervals, in the centre's time zone (Asia/Shanghai).

Intervals are clock-aligned (09:00, 09:15 ...) or calendar days in the centre's zone, never
offsets from whatever instant a user typed, so two reports over overlapping periods show the
same rows. The limits keep one request bounded: a month of 15-minute rows is 2,976 rows, a
year of days 366.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Granularity(StrEnum):
    MIN15 = "15m"
    MIN30 = "30m"
    MIN60 = "60m"
    DAY = "day"


_WIDTH = {
    Granularity.MIN15: timedelta(minutes=15),
    Granularity.MIN30: timedelta(minutes=30),
    Granularity.MIN60: timedelta(hours=1),
}
# The longest period each granularity accepts.
LIMITS: dict[Granularity, timedelta] = {
    Granularity.MIN15: timedelta(days=31),
    Granularity.MIN30: timedelta(days=31),
    Granularity.MIN60: timedelta(days=92),
    Granularity.DAY: timedelta(days=366),
}


class PeriodError(ValueError):
    """A period the report refuses; ``field`` is the query parameter to correct."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime  # aware, inclusive
    end: datetime  # aware, exclusive
    granularity: Granularity
    zone: ZoneInfo

    def _floor(self, at: datetime) -> datetime:
        local = at.astimezone(self.zone)
        if self.granularity is Granularity.DAY:
            return local.replace(hour=0, minute=0, second=0, microsecond=0)
        minutes = int(_WIDTH[self.granularity].total_seconds() // 60)
        floored = (local.hour * 60 + local.minute) // minutes * minutes
        return local.replace(hour=floored // 60, minute=floored % 60, second=0, microsecond=0)

    def _next(self, start: datetime) -> datetime:
        if self.granularity is Granularity.DAY:
            day = start.date() + timedelta(days=1)
            return datetime(day.year, day.month, day.day, tzinfo=self.zone)
        return (start + _WIDTH[self.granularity]).astimezone(self.zone)

    def intervals(self) -> Iterator[tuple[datetime, datetime]]:
        """Each interval's [start, end) in local time, clipped to the period."""
        current = self._floor(self.start)
        while current < self.end:
            following = self._next(current)
            yield (
                max(current, self.start.astimezone(self.zone)),
                min(following, self.end.astimezone(self.zone)),
            )
            current = following

    def key_of(self, at: datetime) -> datetime:
        """The local start of the (unclipped) interval holding ``at``."""
        return self._floor(at)


def make_period(start: datetime, end: datetime, granularity: Granularity, zone: ZoneInfo) -> Period:
    """Check the bounds: aware, in order, within the granularity's limit."""
    if start.tzinfo is None:
        raise PeriodError("from", "`from` needs a UTC offset, e.g. 2026-03-01T00:00:00+08:00")
    if end.tzinfo is None:
        raise PeriodError("to", "`to` needs a UTC offset, e.g. 2026-03-02T00:00:00+08:00")
    if end <= start:
        raise PeriodError("to", "`to` must be after `from`: the period is reversed or empty")
    limit = LIMITS[granularity]
    if end - start > limit:
        raise PeriodError(
            "to",
            f"the period is longer than {limit.days} days for {granularity.value} intervals: "
            "shorten it or choose a coarser `interval`",
        )
    return Period(start, end, granularity, zone)
