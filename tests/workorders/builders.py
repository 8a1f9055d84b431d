"""Plain helpers that build orders and actors for the work-order tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from workorders.calendar import SHANGHAI, DayKind
from workorders.model import (
    Actor,
    Category,
    Priority,
    Role,
    Status,
    Taxpayer,
    WorkOrder,
)


def local(text: str) -> datetime:
    """A Shanghai-local wall time written as 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def plain_weekdays(year: int) -> dict[date, DayKind]:
    """A synthetic year with no holidays (Mon-Fri working), for years chinesecalendar lacks."""
    days: dict[date, DayKind] = {}
    day = date(year, 1, 1)
    while day.year == year:
        days[day] = DayKind.WEEKEND_REST if day.weekday() >= 5 else DayKind.WORKING
        day += timedelta(days=1)
    return days


CREATED_AT = local("2026-03-02 10:00")
TAXPAYER = Taxpayer(
    name="张三",
    phone="13912345678",
    taxpayer_number="91330100MA2KXXXX1X",
    organisation="杭州某公司",
)

_WITHOUT_DEPARTMENT = {Status.NEW, Status.RETURNED}


def make_order(status: Status = Status.NEW, **overrides: Any) -> WorkOrder:
    """An order as it would look in ``status``: with department D1 once dispatched."""
    order = WorkOrder(
        id="wo-1",
        reference="12366-20260302-0001",
        category=Category.ENQUIRY,
        priority=Priority.NORMAL,
        status=status,
        subject="How is the small-business VAT exemption applied?",
        description="",
        taxpayer=TAXPAYER,
        created_by="agent-1",
        created_at=CREATED_AT,
        policy_version=1,
        call_id="call-1",
        resolution_started_at=CREATED_AT,
        history_length=1,
    )
    if status not in _WITHOUT_DEPARTMENT:
        order = replace(
            order,
            department_id="D1",
            dispatcher="sup-1",
            dispatched_at=CREATED_AT,
            resolve_due_at=local("2026-03-05 10:00"),
        )
    if status not in _WITHOUT_DEPARTMENT | {Status.DISPATCHED}:
        order = replace(order, handler="specialist-1", acknowledged_at=CREATED_AT)
    return replace(order, **overrides)


def actor(role: Role, department_id: str | None = "D1", user_id: str | None = None) -> Actor:
    return Actor(user_id or f"{role.value}-1", frozenset({role}), department_id)


def at(text: str) -> datetime:
    return local(text)
