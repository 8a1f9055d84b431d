"""A year's official holiday schedule, as published by the State Council, read from plain data.

The ``chinesecalendar`` package only knows the years it was released with; every November the
General Office of the State Council publishes the next year's holidays and make-up working days
(调休). An admin types that notice into one small file (``examples/calendar/2027.yaml``) and loads
it; this module validates it and turns it into a kind for every day of the year.

The file, as data (YAML or JSON)::

    version: 1
    year: 2027
    status: official            # or draft: not from a published notice; loaded only on request
    notice:                     # where the dates come from
      title: 国务院办公厅关于2027年部分节假日安排的通知
      document_number: 国办发明电〔2026〕…号     # optional
      issued: 2026-11-…                         # optional
      url: https://www.gov.cn/…                 # optional
    holidays:                   # date ranges off work, weekends inside them included
      - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
    working_days:               # weekend days worked to make up (调休上班); one date or a range
      - {name: 春节, date: 2027-02-20}

Every other day is decided by the week: Monday to Friday working, Saturday and Sunday rest. The
checks make each day decided exactly once: ranges inside the year, no two entries on the same day,
a make-up working day only on a Saturday or Sunday (a weekday is a working day already), and no
make-up day inside a holiday. Every problem is reported, each naming the file, the entry and the
field, e.g. ``2027.yaml: holidays[2].to: 2027-04-03 is before from (2027-04-05)``.

Pure: no file is read here (the caller parses YAML or JSON), no clock, no database.
"""

from __future__ import annotations

import calendar as gregorian
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from workorders.calendar import DayKind
from workorders.errors import CalendarError

ScheduleStatus = Literal["official", "draft"]
_STATUSES: tuple[ScheduleStatus, ...] = ("official", "draft")
_TOP_KEYS = {"version", "year", "status", "notice", "holidays", "working_days", "description"}
_NOTICE_KEYS = {"title", "document_number", "issued", "url"}
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class CalendarFileError(CalendarError):
    """An invalid year schedule; ``problems`` holds one ``path: message`` line per problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {problem}" for problem in problems))


@dataclass(frozen=True)
class Notice:
    """The State Council notice a schedule was typed from."""

    title: str
    document_number: str = ""
    issued: date | None = None
    url: str = ""

    def to_data(self) -> dict[str, str]:
        data = {"title": self.title, "document_number": self.document_number, "url": self.url}
        data["issued"] = self.issued.isoformat() if self.issued else ""
        return data


@dataclass(frozen=True)
class YearSchedule:
    """A validated year: the kind of each of its days, and the name behind each non-plain day."""

    year: int
    status: ScheduleStatus
    notice: Notice
    days: Mapping[date, DayKind]
    names: Mapping[date, str] = field(default_factory=dict)  # holiday or make-up day -> festival

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"


def parse_year_schedule(data: object, source: str = "calendar file") -> YearSchedule:
    """Validate ``data`` (a parsed YAML/JSON document); raise CalendarFileError listing problems."""
    reader = _Reader(source)
    schedule = reader.schedule(data)
    if reader.problems or schedule is None:
        raise CalendarFileError(source, reader.problems or ["empty calendar file"])
    return schedule


@dataclass
class _Entry:
    path: str
    name: str
    first: date
    last: date


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def schedule(self, data: object) -> YearSchedule | None:
        if not isinstance(data, Mapping):
            self.fail("(top level)", "must be a mapping with year, status, notice and holidays")
            return None
        for key in sorted(set(map(str, data)) - _TOP_KEYS):
            self.fail(key, f"unknown field (known: {', '.join(sorted(_TOP_KEYS))})")
        if data.get("version") != 1:
            self.fail("version", "must be 1" if "version" in data else "is required (version: 1)")
        year = data.get("year")
        if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
            self.fail("year", f"must be a year between 2000 and 2100 (got {year!r})")
            return None
        status = data.get("status")
        if status not in _STATUSES:
            self.fail("status", f"must be official or draft (got {status!r})")
        notice = self.notice(data.get("notice"))
        holidays = self.entries(data.get("holidays"), "holidays", year, required=True)
        working = self.entries(data.get("working_days"), "working_days", year, required=False)
        self.no_overlaps([*holidays, *working])
        for entry in working:
            for day in _days(entry.first, entry.last):
                if day.weekday() < 5:
                    self.fail(
                        f"{entry.path}",
                        f"{day.isoformat()} is a {_WEEKDAYS[day.weekday()]}, a working day "
                        "already; make-up working days (调休上班) fall on a Saturday or Sunday",
                    )
        if self.problems or notice is None or status not in _STATUSES:
            return None
        return _build(year, status, notice, holidays, working)

    def notice(self, data: object) -> Notice | None:
        if not isinstance(data, Mapping):
            self.fail("notice", "is required: the title (and number, date, url) of the notice")
            return None
        for key in sorted(set(map(str, data)) - _NOTICE_KEYS):
            self.fail(f"notice.{key}", f"unknown field (known: {', '.join(sorted(_NOTICE_KEYS))})")
        title = data.get("title")
        if not isinstance(title, str) or not title.strip():
            self.fail("notice.title", "is required: the title of the State Council notice")
            return None
        issued = None
        if data.get("issued") not in (None, ""):
            issued = self.date(data["issued"], "notice.issued")
        texts = {key: data.get(key) or "" for key in ("document_number", "url")}
        for key, value in texts.items():
            if not isinstance(value, str):
                self.fail(f"notice.{key}", "must be text")
        return Notice(
            title.strip(), str(texts["document_number"]).strip(), issued, str(texts["url"]).strip()
        )

    def entries(self, data: object, key: str, year: int, *, required: bool) -> list[_Entry]:
        if data is None:
            if required:
                self.fail(key, "is required: a list of {name, from, to} date ranges")
            return []
        if not isinstance(data, list):
            self.fail(key, "must be a list")
            return []
        found: list[_Entry] = []
        for index, item in enumerate(data):
            path = f"{key}[{index}]"
            if not isinstance(item, Mapping):
                self.fail(path, "must be a mapping such as {name: 春节, from: ..., to: ...}")
                continue
            known = {"name", "from", "to", "date"}
            for extra in sorted(set(map(str, item)) - known):
                self.fail(f"{path}.{extra}", "unknown field (known: date, from, name, to)")
            name = item.get("name")
            if not isinstance(name, str) or not name.strip():
                self.fail(f"{path}.name", "is required: the festival, e.g. 春节")
                name = ""
            if "date" in item and ("from" in item or "to" in item):
                self.fail(f"{path}.date", "give either date or from and to, not both")
                continue
            if "date" in item:
                first = last = self.date(item["date"], f"{path}.date")
            else:
                missing = [part for part in ("from", "to") if part not in item]
                if missing:
                    self.fail(f"{path}.{missing[0]}", "is required (or give one date)")
                    continue
                first = self.date(item["from"], f"{path}.from")
                last = self.date(item["to"], f"{path}.to")
            if first is None or last is None:
                continue
            if last < first:
                self.fail(f"{path}.to", f"{last.isoformat()} is before from ({first.isoformat()})")
                continue
            outside = [
                (part, day) for part, day in (("from", first), ("to", last)) if day.year != year
            ]
            for part, day in outside:
                where = "date" if "date" in item else part
                self.fail(f"{path}.{where}", f"{day.isoformat()} is not in {year}")
            if not outside:
                found.append(_Entry(path, str(name).strip(), first, last))
        return found

    def date(self, value: object, path: str) -> date | None:
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.fail(path, f"must be a date YYYY-MM-DD (got {value!r})")
        return None

    def no_overlaps(self, entries: list[_Entry]) -> None:
        claimed: dict[date, _Entry] = {}
        for entry in entries:
            for day in _days(entry.first, entry.last):
                other = claimed.get(day)
                if other is not None:
                    self.fail(
                        entry.path,
                        f"{day.isoformat()} is also in {other.path} ({other.name}); "
                        "each day may be listed once",
                    )
                    break
                claimed[day] = entry


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _build(
    year: int,
    status: ScheduleStatus,
    notice: Notice,
    holidays: list[_Entry],
    working: list[_Entry],
) -> YearSchedule:
    days: dict[date, DayKind] = {}
    names: dict[date, str] = {}
    for month in range(1, 13):
        for number in range(1, gregorian.monthrange(year, month)[1] + 1):
            day = date(year, month, number)
            days[day] = DayKind.WEEKEND_REST if day.weekday() >= 5 else DayKind.WORKING
    for entry in holidays:
        for day in _days(entry.first, entry.last):
            days[day], names[day] = DayKind.HOLIDAY, entry.name
    for entry in working:
        for day in _days(entry.first, entry.last):
            days[day], names[day] = DayKind.ADJUSTED_WORKING, f"{entry.name} 调休上班"
    return YearSchedule(year, status, notice, days, names)


def schedule_to_data(schedule: YearSchedule) -> dict[str, Any]:
    """What is stored beside the days: where the year came from."""
    return {"year": schedule.year, "status": schedule.status, "notice": schedule.notice.to_data()}
