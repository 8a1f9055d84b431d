"""The escalation ladder as data, and when each of its steps falls due for an order.

A step watches one of the order's clocks (acknowledgement, resolution, follow-up) and falls due
either when a fraction of that clock's working time is used (0.5 = half-way to the deadline,
1.0 = at the deadline) or a working duration after the deadline. Every step is applied at most
once per order, clock and deadline version: ``escalation_key`` is the unique key the store
records, so two sweepers running at once cannot both apply it, and a deadline that moves
(extension, reopen, policy or calendar change) re-arms the ladder for the new deadline.

Clocks stop while an order is paused (waiting for the taxpayer): a paused order has no next
escalation until it resumes and its deadlines are recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from workorders.calendar import WorkCalendar, WorkingDuration
from workorders.errors import CalendarNotLoadedError, WorkOrderError
from workorders.model import UNRESOLVED_STATUSES, Status, WorkOrder


class SlaClock(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"
    FOLLOW_UP = "follow_up"


class Recipient(StrEnum):
    """Whom a step notifies; the notifier adapter resolves these to people."""

    HANDLER = "handler"  # the specialist or liaison who acknowledged the order
    LIAISON = "liaison"  # the department's liaison(s)
    DEPARTMENT_HEAD = "department_head"
    DISPATCHER = "dispatcher"  # the supervisor who dispatched the order
    CENTRE_SUPERVISOR = "centre_supervisor"
    DIRECTOR_REPORT = "director_report"  # listed in the director's report


class EscalationEffect(StrEnum):
    NOTIFY = "notify"  # notifications only
    MARK_OVERDUE = "mark_overdue"  # also flags the order overdue
    SUPERVISE = "supervise"  # also puts the order under supervision (督办)


@dataclass(frozen=True)
class EscalationStep:
    name: str
    clock: SlaClock
    recipients: tuple[Recipient, ...]
    message: str
    effect: EscalationEffect = EscalationEffect.NOTIFY
    fraction: float | None = None  # of the clock's working time used, in (0, 1]
    after_deadline: WorkingDuration | None = None

    def __post_init__(self) -> None:
        if (self.fraction is None) == (self.after_deadline is None):
            raise WorkOrderError(
                f"escalation step {self.name!r} needs exactly one of fraction or after_deadline"
            )
        if self.fraction is not None and not 0 < self.fraction <= 1:
            raise WorkOrderError(
                f"escalation step {self.name!r}: fraction must be in (0, 1], got {self.fraction}"
            )

    @property
    def slug(self) -> str:
        return f"{self.clock.value}:{self.name}"


@dataclass(frozen=True)
class EscalationLadder:
    steps: tuple[EscalationStep, ...]

    def __post_init__(self) -> None:
        slugs = [step.slug for step in self.steps]
        duplicates = sorted({slug for slug in slugs if slugs.count(slug) > 1})
        if duplicates:
            raise WorkOrderError(f"escalation steps defined twice: {', '.join(duplicates)}")


def default_ladder() -> EscalationLadder:
    """The issue's ladder: 50% remind, 80% warn, 100% overdue, +1 working day 督办 and report."""
    return EscalationLadder(
        (
            EscalationStep(
                "not_acknowledged",
                SlaClock.ACKNOWLEDGE,
                (Recipient.LIAISON, Recipient.DISPATCHER),
                "the work order has not been acknowledged (签收) within its time limit",
                fraction=1.0,
            ),
            EscalationStep(
                "remind_handler",
                SlaClock.RESOLVE,
                (Recipient.HANDLER,),
                "half of the time limit is used",
                fraction=0.5,
            ),
            EscalationStep(
                "warn_liaison",
                SlaClock.RESOLVE,
                (Recipient.LIAISON,),
                "80% of the time limit is used",
                fraction=0.8,
            ),
            EscalationStep(
                "overdue",
                SlaClock.RESOLVE,
                (Recipient.DEPARTMENT_HEAD,),
                "the time limit has expired: the work order is overdue",
                EscalationEffect.MARK_OVERDUE,
                fraction=1.0,
            ),
            EscalationStep(
                "supervise",
                SlaClock.RESOLVE,
                (Recipient.CENTRE_SUPERVISOR, Recipient.DIRECTOR_REPORT),
                "one working day overdue: placed under supervision (督办)",
                EscalationEffect.SUPERVISE,
                after_deadline=WorkingDuration(days=1),
            ),
            EscalationStep(
                "follow_up_overdue",
                SlaClock.FOLLOW_UP,
                (Recipient.CENTRE_SUPERVISOR,),
                "the taxpayer has not been called back (回访) in time",
                fraction=1.0,
            ),
        )
    )


@dataclass(frozen=True)
class EscalationKey:
    """Unique per applied step: the store refuses to record the same key twice."""

    order_id: str
    clock: SlaClock
    step: str
    deadline_version: int


def escalation_key(order: WorkOrder, step: EscalationStep) -> EscalationKey:
    return EscalationKey(order.id, step.clock, step.name, order.deadline_version)


def clock_window(order: WorkOrder, clock: SlaClock) -> tuple[datetime, datetime] | None:
    """(start, deadline) of a running clock, or None when it is not running."""
    if order.is_paused:
        return None
    if clock is SlaClock.ACKNOWLEDGE and order.status is Status.DISPATCHED:
        start, due = order.dispatched_at, order.ack_due_at
    elif clock is SlaClock.RESOLVE and order.status in UNRESOLVED_STATUSES:
        start, due = order.resolution_started_at or order.created_at, order.resolve_due_at
    elif clock is SlaClock.FOLLOW_UP and order.status is Status.RESOLVED:
        start, due = order.resolved_at, order.follow_up_due_at
    else:
        return None
    if start is None or due is None:
        return None
    return start, due


def step_time(order: WorkOrder, step: EscalationStep, calendar: WorkCalendar) -> datetime | None:
    """When ``step`` falls due for ``order``, or None if its clock is not running."""
    window = clock_window(order, step.clock)
    if window is None:
        return None
    start, due = window
    paused = order.paused_intervals
    if step.after_deadline is not None:
        at = calendar.add_working_time(due, step.after_deadline, paused)
    elif step.fraction == 1:
        at = due
    else:
        assert step.fraction is not None  # checked in __post_init__
        total = calendar.working_time_between(start, due, paused)
        at = calendar.add_working_time(start, total * step.fraction, paused)
    return at.astimezone(UTC)


def pending_steps(
    order: WorkOrder, ladder: EscalationLadder, calendar: WorkCalendar
) -> list[tuple[EscalationStep, datetime]]:
    """Steps not yet applied for the current deadline version, earliest first.

    A step whose time lies in a year whose calendar is not loaded is left out rather than
    guessed; loading the year triggers a recomputation that brings it back.
    """
    pending: list[tuple[EscalationStep, datetime]] = []
    for step in ladder.steps:
        if step.slug in order.escalations_done:
            continue
        try:
            at = step_time(order, step, calendar)
        except CalendarNotLoadedError:
            continue
        if at is not None:
            pending.append((step, at))
    return sorted(pending, key=lambda pair: pair[1])


def next_escalation(
    order: WorkOrder, ladder: EscalationLadder, calendar: WorkCalendar
) -> tuple[EscalationStep, datetime] | None:
    pending = pending_steps(order, ladder, calendar)
    return pending[0] if pending else None


def due_steps(
    order: WorkOrder, now: datetime, ladder: EscalationLadder, calendar: WorkCalendar
) -> list[tuple[EscalationStep, datetime]]:
    """Steps whose time has come by ``now`` and that were not applied yet, earliest first."""
    return [(step, at) for step, at in pending_steps(order, ladder, calendar) if at <= now]
