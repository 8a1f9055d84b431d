"""How urgent an order's running deadline is, in the escalation ladder's own terms.

A list colours each deadline by how much of its working-time limit is used. The bands are not
a second set of thresholds: they are the fractions of the ladder's steps on that clock (by
default 50 % remind, 80 % warn, 100 % overdue), so changing the ladder changes the colours.
Working time comes from the calendar (调休 make-up days count, holidays do not) and pauses
waiting for the taxpayer are left out, exactly as for the deadlines themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from workorders.calendar import WorkCalendar
from workorders.errors import CalendarNotLoadedError
from workorders.escalation import EscalationLadder, SlaClock, clock_window
from workorders.model import WorkOrder

LIST_ORDER = (SlaClock.RESOLVE, SlaClock.FOLLOW_UP, SlaClock.ACKNOWLEDGE)
"""The resolution clock first: lists sort by the resolution deadline, so that is the one shown."""


@dataclass(frozen=True)
class Urgency:
    """The running clock, its deadline, the share of it used and the ladder band reached.

    ``band`` counts the ladder's thresholds on this clock already passed: 0 is calm, and
    ``bands`` (the number of thresholds) means the deadline has passed.
    """

    clock: SlaClock
    due_at: datetime
    used: float  # 0.0 at the start, 1.0 at the deadline, above 1 when late
    left: timedelta  # working time left (negative: working time overdue)
    band: int
    bands: int

    @property
    def overdue(self) -> bool:
        return self.used >= 1.0


def thresholds(ladder: EscalationLadder, clock: SlaClock) -> tuple[float, ...]:
    """The ladder's fractions on ``clock``, ascending; the deadline itself (1.0) always counts."""
    found = {step.fraction for step in ladder.steps if step.clock is clock and step.fraction}
    return tuple(sorted(found | {1.0}))


def urgency(
    order: WorkOrder,
    now: datetime,
    ladder: EscalationLadder,
    calendar: WorkCalendar,
    clocks: tuple[SlaClock, ...] = LIST_ORDER,
) -> Urgency | None:
    """The urgency of the first of ``clocks`` that runs, or None when none runs (closed, merged,
    paused) or its year's calendar is not loaded."""
    for clock in clocks:
        window = clock_window(order, clock)
        if window is None:
            continue
        start, due = window
        try:
            total = calendar.working_time_between(start, due, order.paused_intervals)
            spent = calendar.working_time_between(start, now, order.paused_intervals)
        except CalendarNotLoadedError:
            return None
        used = spent / total if total > timedelta() else (1.0 if now >= due else 0.0)
        if now >= due:
            used = max(used, 1.0)
        marks = thresholds(ladder, clock)
        band = sum(1 for mark in marks if used >= mark)
        return Urgency(clock, due, used, total - spent, band, len(marks))
    return None
