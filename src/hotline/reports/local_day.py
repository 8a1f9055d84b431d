"""The centre's calendar day of a timestamp column, computed in the database.

A report that counts per day can then ``GROUP BY`` in SQL and ship a few hundred rows instead of
every row of the period. Python's ``zoneinfo`` stays the one judge of the zone's offsets (the
database's time-zone data could differ, and SQLite has none): the period is cut where the
zone's UTC offset changes, and each piece adds its own fixed offset before taking the date. For
Asia/Shanghai that is a single piece.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, case, cast, func
from sqlalchemy.sql.elements import ColumnElement

_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)  # the finest a timestamp column keeps


def _offset_s(at: datetime, zone: ZoneInfo) -> int:
    offset = at.astimezone(zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def offset_pieces(start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[datetime, int]]:
    """[(piece end, UTC offset in seconds)] covering [start, end): the offset holds up to each
    piece's end (the last piece's end is ``end``). A change is found day by day, then to the
    microsecond by halving (zones change offset at most a few times a year)."""
    # In UTC: arithmetic on datetimes of the zone itself would be wall-clock arithmetic.
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    pieces: list[tuple[datetime, int]] = []
    current = _offset_s(start, zone)
    cursor = start
    while cursor < end:
        step = min(cursor + _DAY, end)
        if _offset_s(step, zone) == current:
            cursor = step
            continue
        low, high = cursor, step  # the offset is `current` at low and another one at high
        while high - low > _TICK:
            middle = low + (high - low) / 2
            if _offset_s(middle, zone) == current:
                low = middle
            else:
                high = middle
        if high >= end:
            break  # the change falls on the period's end: nothing after it is counted
        pieces.append((high, current))
        current = _offset_s(high, zone)
        cursor = high
    pieces.append((end, current))
    return pieces


def _shifted_date(column: Any, offset_s: int, dialect: str) -> ColumnElement[Any]:
    if dialect == "sqlite":
        # SQLite keeps naive UTC text ('YYYY-MM-DD HH:MM:SS.ffffff'); date() reads it and the
        # modifier shifts it. The fraction is cut first: SQLite keeps milliseconds and would
        # round 23:59:59.9999 up into the next day (offsets are whole seconds, so the cut
        # never moves a date).
        return func.date(func.substr(column, 1, 19), f"{offset_s:+d} seconds")
    # PostgreSQL: the instant as UTC wall time, shifted, then its date.
    return cast(func.timezone("UTC", column) + timedelta(seconds=offset_s), Date)


def local_day(
    column: Any, start: datetime, end: datetime, zone: ZoneInfo, dialect: str
) -> ColumnElement[Any]:
    """The local date of ``column`` for values in [start, end) (a date on PostgreSQL, ISO text
    on SQLite: read it back with ``as_date``)."""
    pieces = offset_pieces(start, end, zone)
    if len(pieces) == 1:
        return _shifted_date(column, pieces[0][1], dialect)
    last = pieces[-1][1]
    return case(
        *(
            (column < until, _shifted_date(column, offset, dialect))
            for until, offset in pieces[:-1]
        ),
        else_=_shifted_date(column, last, dialect),
    )


def as_date(value: Any) -> date:
    """A database date (``date`` on PostgreSQL, ISO text on SQLite) as a ``date``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
