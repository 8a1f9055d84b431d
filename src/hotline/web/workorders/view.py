"""What the console's pages show, computed from the domain: rows with their deadline band,
people and departments by name, the history and the deadline trail in working time.

The pages call the same queries, store and domain functions as the API (never the API over
HTTP); which buttons an order gets is ``lifecycle.allowed_actions``, the lifecycle table itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.db.models import Department, User
from workorders.calendar import WorkCalendar
from workorders.errors import CalendarNotLoadedError
from workorders.escalation import EscalationLadder, SlaClock
from workorders.model import WorkOrder, WorkOrderEvent
from workorders.urgency import Urgency, urgency


@dataclass(frozen=True)
class Span:
    """A working-time amount split for display: whole working days and the hours left over."""

    days: int
    hours: float
    negative: bool

    @classmethod
    def of(cls, amount: timedelta, day_length: timedelta) -> Span:
        negative = amount < timedelta()
        whole = abs(amount)
        days = int(whole // day_length) if day_length > timedelta() else 0
        rest = whole - day_length * days
        return cls(days, round(rest.total_seconds() / 3600, 1), negative)


_AMOUNT = re.compile(r"(\d+) working (day|hour|minute)s?")
_UNITS = {"day": "woc.unit.days", "hour": "woc.unit.hours", "minute": "woc.unit.minutes"}


def amount_text(text: str, say: Callable[[str], str]) -> str:
    """A working duration as the domain writes it ("2 working days") in the page's language."""
    parts = [f"{n}{say(_UNITS[unit])}" for n, unit in _AMOUNT.findall(text)]
    return "".join(parts).strip() or text


@dataclass(frozen=True)
class Row:
    order: WorkOrder
    department: str
    urgency: Urgency | None
    left: Span | None
    # The sign-for clock of a dispatched order, shown beside the resolution deadline once the
    # ladder's first threshold on it is passed.
    acknowledge: Urgency | None = None


@dataclass(frozen=True)
class HistoryEntry:
    event: WorkOrderEvent
    who: str
    local_at: datetime
    details: list[tuple[str, str]]  # (message id of the label, value)


@dataclass(frozen=True)
class TrailEntry:
    local_at: datetime
    action: str
    resolve_due: datetime | None
    ack_due: datetime | None
    follow_up_due: datetime | None
    allowed: Span | None  # working time from the clock's start to the resolution deadline


async def department_names(session: AsyncSession) -> dict[str, str]:
    rows = await session.execute(select(Department.id, Department.name))
    return {str(i): name for i, name in rows}


async def people(session: AsyncSession, user_ids: Iterable[str]) -> dict[str, str]:
    """``full_name (department)`` per user id; the system and unknown ids are left out."""
    wanted = sorted({int(u) for u in user_ids if u and u.isdigit()})
    if not wanted:
        return {}
    rows = await session.execute(
        select(User.id, User.full_name, User.username, Department.name)
        .outerjoin(Department, Department.id == User.department_id)
        .where(User.id.in_(wanted))
    )
    return {
        str(i): f"{full or username}" + (f"（{dept}）" if dept else "")
        for i, full, username, dept in rows
    }


def rows_of(
    orders: Iterable[WorkOrder],
    departments: Mapping[str, str],
    now: datetime,
    ladder: EscalationLadder,
    calendar: WorkCalendar,
) -> list[Row]:
    day = calendar.standard_day_length
    rows = []
    for order in orders:
        found = urgency(order, now, ladder, calendar)
        signing = urgency(order, now, ladder, calendar, (SlaClock.ACKNOWLEDGE,))
        rows.append(
            Row(
                order=order,
                department=departments.get(order.department_id or "", ""),
                urgency=found,
                left=Span.of(found.left, day) if found else None,
                acknowledge=signing if signing is not None and signing.band > 0 else None,
            )
        )
    return rows


_DETAIL_KEYS = ("answer", "satisfaction", "note", "amount", "department_id")


def history(
    events: Iterable[WorkOrderEvent],
    names: Mapping[str, str],
    departments: Mapping[str, str],
    calendar: WorkCalendar,
    say: Callable[[str], str],
) -> list[HistoryEntry]:
    entries = []
    for event in events:
        details: list[tuple[str, str]] = []
        for key in _DETAIL_KEYS:
            value = event.data.get(key)
            if value in (None, ""):
                continue
            text = str(value)
            if key == "department_id":
                text = departments.get(text, text)
            elif key == "amount":
                text = amount_text(text, say)
            details.append((f"woc.field.{key}", text))
        if event.data.get("target_reference"):
            details.append(("woc.field.into", str(event.data["target_reference"])))
        who = "system" if event.actor == "system" else names.get(event.actor, event.actor)
        entries.append(HistoryEntry(event, who, event.at.astimezone(calendar.zone), details))
    return entries


def _moment(value: Any, calendar: WorkCalendar) -> datetime | None:
    if not isinstance(value, str):
        return None
    return datetime.fromisoformat(value).astimezone(calendar.zone)


def trail(
    order: WorkOrder, events: Iterable[WorkOrderEvent], calendar: WorkCalendar
) -> list[TrailEntry]:
    """Every time the deadlines were set or moved (creation, extension, 调休 edits, policy
    changes), with the resolution limit in working time as the calendar counts it."""
    day = calendar.standard_day_length
    start = order.resolution_started_at or order.created_at
    entries = []
    for event in events:
        deadlines = event.data.get("deadlines") or (
            event.data.get("after") if isinstance(event.data.get("after"), dict) else None
        )
        if not isinstance(deadlines, Mapping):
            continue
        resolve_due = _moment(deadlines.get("resolve_due_at"), calendar)
        allowed = None
        if resolve_due is not None:
            try:
                allowed = Span.of(
                    calendar.working_time_between(start, resolve_due, order.paused_intervals),
                    day,
                )
            except CalendarNotLoadedError:
                allowed = None
        entries.append(
            TrailEntry(
                local_at=event.at.astimezone(calendar.zone),
                action=event.action,
                resolve_due=resolve_due,
                ack_due=_moment(deadlines.get("ack_due_at"), calendar),
                follow_up_due=_moment(deadlines.get("follow_up_due_at"), calendar),
                allowed=allowed,
            )
        )
    return entries


CLOCK_LABELS = {
    SlaClock.ACKNOWLEDGE: "woc.clock.acknowledge",
    SlaClock.RESOLVE: "woc.clock.resolve",
    SlaClock.FOLLOW_UP: "woc.clock.follow_up",
}
