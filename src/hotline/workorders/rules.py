"""The rules the use cases apply, read from their tables: SLA policies and the working calendar.

* SLA policies are versioned rows (``sla_policy``); version 1 is the built-in default
  (``workorders.sla.default_sla_policy``), written on first use so that orders always name a
  stored version.
* The calendar is ``calendar_day`` (seeded from chinesecalendar, editable) plus the working
  periods in ``calendar_setting``.

``RulesCache`` keeps the loaded ``Rules`` for a short time: edits made through this process
invalidate it at once, other instances see them within ``ttl_seconds``.
"""

from __future__ import annotations

import time as monotonic_time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import CalendarDay, CalendarSetting, SlaPolicyRow
from hotline.db.session import transaction
from workorders.calendar import (
    DEFAULT_PERIODS,
    DayKind,
    WorkCalendar,
    WorkingDuration,
    WorkingPeriod,
    days_from_chinesecalendar,
)
from workorders.calendar_file import YearSchedule, schedule_to_data
from workorders.errors import CalendarError, SlaPolicyError
from workorders.model import Category, Priority
from workorders.service import Rules
from workorders.sla import SlaPolicy, SlaPolicyBook, SlaTarget, default_sla_policy

WORKING_PERIODS = "working_periods"


# ---------------------------------------------------------------- SLA policies


def policy_to_data(policy: SlaPolicy) -> dict[str, dict[str, str]]:
    """``{"enquiry/normal": {"acknowledge": "4 working hours", ...}, ...}``"""
    return {
        f"{category.value}/{priority.value}": {
            "acknowledge": str(target.acknowledge),
            "resolve": str(target.resolve),
            "follow_up": str(target.follow_up),
        }
        for (category, priority), target in policy.targets.items()
    }


def policy_from_data(version: int, targets: Mapping[str, Any], note: str = "") -> SlaPolicy:
    """Read a policy written as ``policy_to_data`` does; errors name the entry and the field."""
    parsed: dict[tuple[Category, Priority], SlaTarget] = {}
    for key, target in targets.items():
        category_text, _, priority_text = key.partition("/")
        try:
            category, priority = Category(category_text), Priority(priority_text)
        except ValueError:
            raise SlaPolicyError(
                f"SLA target {key!r}: write 'category/priority' with a category among "
                f"{', '.join(c.value for c in Category)} and a priority among "
                f"{', '.join(p.value for p in Priority)}"
            ) from None
        if not isinstance(target, Mapping):
            raise SlaPolicyError(f"SLA target {key!r} must map acknowledge/resolve/follow_up")
        durations: dict[str, WorkingDuration] = {}
        for field_name in ("acknowledge", "resolve", "follow_up"):
            text = target.get(field_name)
            if not isinstance(text, str):
                raise SlaPolicyError(
                    f"SLA target {key!r} needs {field_name}, e.g. '3 working days'"
                )
            try:
                durations[field_name] = WorkingDuration.parse(text)
            except CalendarError as exc:
                raise SlaPolicyError(f"SLA target {key!r}, {field_name}: {exc}") from None
        parsed[(category, priority)] = SlaTarget(**durations)
    return SlaPolicy(version, parsed, note)


async def load_policy_book(session: AsyncSession) -> SlaPolicyBook:
    rows = (await session.scalars(select(SlaPolicyRow).order_by(SlaPolicyRow.version))).all()
    if not rows:
        return SlaPolicyBook.of([default_sla_policy()])
    return SlaPolicyBook.of(policy_from_data(row.version, row.targets, row.note) for row in rows)


async def ensure_default_policy(session: AsyncSession) -> None:
    """Store version 1 (the built-in default) when no policy is stored yet."""
    if await session.scalar(select(func.count()).select_from(SlaPolicyRow)):
        return
    policy = default_sla_policy()
    session.add(
        SlaPolicyRow(version=policy.version, targets=policy_to_data(policy), note=policy.note)
    )
    await session.flush()


async def add_policy(
    session: AsyncSession, targets: Mapping[str, Any], note: str, created_by: str
) -> SlaPolicy:
    """A new policy version (the latest + 1): new orders take it from now on."""
    await ensure_default_policy(session)
    latest = await session.scalar(select(func.max(SlaPolicyRow.version)))
    policy = policy_from_data((latest or 0) + 1, targets, note)
    session.add(
        SlaPolicyRow(
            version=policy.version,
            targets=policy_to_data(policy),
            note=note,
            created_by=created_by,
        )
    )
    await session.flush()
    return policy


async def import_policy(
    session: AsyncSession, version: int, targets: Mapping[str, Any], note: str
) -> bool:
    """Store policy ``version`` from the import file: True if written, False if it is stored
    already with the same targets (imports are idempotent). A stored version is never changed:
    orders keep the version they were created under, so a change needs a new version."""
    policy = policy_from_data(version, targets, note)
    data = policy_to_data(policy)
    stored = await session.get(SlaPolicyRow, version)
    if stored is None:
        session.add(SlaPolicyRow(version=version, targets=data, note=note, created_by="import"))
        await session.flush()
        return True
    if stored.targets != data:
        raise SlaPolicyError(
            f"version {version} is stored already with other targets; give the changed policy "
            "a new version number (orders keep the version they were created under)"
        )
    return False


# ---------------------------------------------------------------- calendar


def parse_periods(pairs: Sequence[Sequence[str]]) -> tuple[WorkingPeriod, ...]:
    """``[["09:00", "12:00"], ["13:30", "17:00"]]`` -> checked working periods."""
    try:
        periods = tuple(
            (time.fromisoformat(start), time.fromisoformat(end)) for start, end in pairs
        )
    except (TypeError, ValueError):
        raise CalendarError(
            "working periods are pairs of HH:MM times, e.g. [['09:00', '12:00'], "
            "['13:30', '17:00']]"
        ) from None
    WorkCalendar({}, periods)  # runs the period checks (order, overlap, non-empty)
    return periods


def periods_to_data(periods: Sequence[WorkingPeriod]) -> list[list[str]]:
    return [[start.strftime("%H:%M"), end.strftime("%H:%M")] for start, end in periods]


async def load_periods(session: AsyncSession) -> tuple[WorkingPeriod, ...]:
    stored = await session.scalar(
        select(CalendarSetting.value).where(CalendarSetting.name == WORKING_PERIODS)
    )
    return parse_periods(stored) if stored else DEFAULT_PERIODS


async def load_calendar(session: AsyncSession) -> WorkCalendar:
    rows = await session.execute(select(CalendarDay.day, CalendarDay.kind))
    days = {day: DayKind(kind) for day, kind in rows}
    return WorkCalendar(days, await load_periods(session))


async def set_periods(
    session: AsyncSession, periods: Sequence[WorkingPeriod], now: datetime
) -> None:
    await session.execute(delete(CalendarSetting).where(CalendarSetting.name == WORKING_PERIODS))
    session.add(
        CalendarSetting(name=WORKING_PERIODS, value=periods_to_data(periods), updated_at=now)
    )
    await session.flush()


async def set_day(
    session: AsyncSession, day: date, kind: DayKind, source: str, note: str, now: datetime
) -> None:
    row = await session.get(CalendarDay, day)
    if row is None:
        session.add(CalendarDay(day=day, kind=kind.value, source=source, note=note, updated_at=now))
    else:
        row.kind, row.source, row.note, row.updated_at = kind.value, source, note, now
    await session.flush()


async def seed_year(session: AsyncSession, year: int, now: datetime, overwrite: bool) -> int:
    """Load ``year`` from chinesecalendar; returns how many days were written.

    Days an admin already entered are kept unless ``overwrite``: a seed never silently undoes a
    local decision (an extra closure, a bureau's own adjusted day).
    """
    days = days_from_chinesecalendar(year)  # CalendarNotLoadedError when the package lacks it
    existing = set(
        await session.scalars(
            select(CalendarDay.day).where(
                CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)
            )
        )
    )
    if overwrite and existing:
        await session.execute(delete(CalendarDay).where(CalendarDay.day.in_(existing)))
        existing = set()
    rows = [
        {"day": day, "kind": kind.value, "source": "chinesecalendar", "note": "", "updated_at": now}
        for day, kind in sorted(days.items())
        if day not in existing
    ]
    if rows:
        await session.execute(insert(CalendarDay), rows)
    return len(rows)


YEAR_SOURCE_PREFIX = "year:"  # CalendarSetting name of where a loaded year came from


async def load_year_schedule(
    session: AsyncSession, schedule: YearSchedule, file_name: str, now: datetime, overwrite: bool
) -> tuple[int, int]:
    """Store a validated year (``hotline calendar load``); returns (days written, days kept).

    The year's days are replaced, whatever loaded them before (chinesecalendar, a draft, an
    earlier file), except the days an admin set by hand, which are kept unless ``overwrite``.
    Where the year came from (the notice, draft or official) is stored beside the days.
    """
    first, last = date(schedule.year, 1, 1), date(schedule.year, 12, 31)
    rows = await session.execute(
        select(CalendarDay.day, CalendarDay.source).where(
            CalendarDay.day >= first, CalendarDay.day <= last
        )
    )
    kept = set() if overwrite else {day for day, source in rows if source.startswith("admin:")}
    await session.execute(
        delete(CalendarDay).where(
            CalendarDay.day >= first, CalendarDay.day <= last, CalendarDay.day.not_in(kept)
        )
    )
    source = f"file:{file_name}"[:80]
    values = [
        {
            "day": day,
            "kind": kind.value,
            "source": source,
            "note": schedule.names.get(day, "")[:200],
            "updated_at": now,
        }
        for day, kind in sorted(schedule.days.items())
        if day not in kept
    ]
    if values:
        await session.execute(insert(CalendarDay), values)
    name = f"{YEAR_SOURCE_PREFIX}{schedule.year}"
    await session.execute(delete(CalendarSetting).where(CalendarSetting.name == name))
    session.add(
        CalendarSetting(
            name=name, value={**schedule_to_data(schedule), "file": file_name}, updated_at=now
        )
    )
    await session.flush()
    return len(values), len(kept)


async def year_sources(session: AsyncSession) -> dict[int, dict[str, Any]]:
    """Where each file-loaded year came from: ``{2027: {"status": "draft", "notice": ...}}``."""
    rows = await session.execute(
        select(CalendarSetting.name, CalendarSetting.value).where(
            CalendarSetting.name.startswith(YEAR_SOURCE_PREFIX)
        )
    )
    return {int(name.removeprefix(YEAR_SOURCE_PREFIX)): value for name, value in rows}


def draft_warnings(sources: Mapping[int, Mapping[str, Any]], today: date) -> list[str]:
    """A draft year in use (this year or later) is worth an admin's attention until replaced."""
    return [
        f"the working-day calendar for {year} was loaded from a draft, not from the State "
        "Council's notice; load the official schedule once it is published"
        for year, source in sorted(sources.items())
        if source.get("status") == "draft" and year >= today.year
    ]


# ---------------------------------------------------------------- both, cached


async def load_rules(session: AsyncSession) -> Rules:
    return Rules(policies=await load_policy_book(session), calendar=await load_calendar(session))


@dataclass
class RulesCache:
    sessionmaker: async_sessionmaker[AsyncSession]
    ttl_seconds: float = 30.0
    _rules: Rules | None = None
    _loaded_at: float = 0.0

    async def get(self) -> Rules:
        # Monotonic time only ages the cache; it never enters a deadline.
        age = monotonic_time.monotonic() - self._loaded_at
        if self._rules is None or age > self.ttl_seconds:
            async with transaction(self.sessionmaker) as session:
                await ensure_default_policy(session)
                self._rules = await load_rules(session)
            self._loaded_at = monotonic_time.monotonic()
        return self._rules

    def invalidate(self) -> None:
        self._rules = None
