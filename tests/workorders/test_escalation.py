"""When the ladder's steps fall due for an order."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.workorders.builders import at, make_order
from workorders.calendar import WorkCalendar, WorkingDuration
from workorders.errors import WorkOrderError
from workorders.escalation import (
    EscalationKey,
    EscalationLadder,
    EscalationStep,
    Recipient,
    SlaClock,
    default_ladder,
    due_steps,
    escalation_key,
    next_escalation,
    pending_steps,
)
from workorders.model import Status, WorkOrder
from workorders.sla import default_sla_policy, recompute_deadlines

MONDAY = at("2026-03-02 09:00")


def _enquiry(
    cal: WorkCalendar, status: Status = Status.IN_PROGRESS, **changes: object
) -> WorkOrder:
    order = make_order(status, created_at=MONDAY, resolution_started_at=MONDAY, **changes)
    order, _ = recompute_deadlines(order, default_sla_policy(), cal, "test")
    return order


def test_default_ladder_times_for_a_three_day_enquiry(cal: WorkCalendar) -> None:
    order = _enquiry(cal)
    assert order.resolve_due_at == at("2026-03-04 17:00")
    schedule = [(step.name, when) for step, when in pending_steps(order, default_ladder(), cal)]
    assert schedule == [
        ("remind_handler", at("2026-03-03 13:00")),  # 12 of 24 working hours
        ("warn_liaison", at("2026-03-04 12:12")),  # 19.2 of 24 working hours
        ("overdue", at("2026-03-04 17:00")),
        ("supervise", at("2026-03-05 17:00")),  # one working day after the deadline
    ]


def test_due_steps_and_next(cal: WorkCalendar) -> None:
    order = _enquiry(cal)
    names = [
        step.name for step, _ in due_steps(order, at("2026-03-04 13:00"), default_ladder(), cal)
    ]
    assert names == ["remind_handler", "warn_liaison"]
    upcoming = next_escalation(order, default_ladder(), cal)
    assert upcoming is not None
    assert upcoming[0].name == "remind_handler"


def test_done_steps_are_not_due_again(cal: WorkCalendar) -> None:
    order = replace(_enquiry(cal), escalations_done=frozenset({"resolve:remind_handler"}))
    upcoming = next_escalation(order, default_ladder(), cal)
    assert upcoming is not None
    assert upcoming[0].name == "warn_liaison"


def test_a_paused_order_has_no_next_escalation(cal: WorkCalendar) -> None:
    order = _enquiry(cal, paused_since=at("2026-03-02 10:00"))
    assert next_escalation(order, default_ladder(), cal) is None


def test_a_dispatched_order_watches_its_acknowledgement(cal: WorkCalendar) -> None:
    order = _enquiry(cal, Status.DISPATCHED, dispatched_at=MONDAY)
    first = pending_steps(order, default_ladder(), cal)[0]
    assert (first[0].name, first[1]) == ("not_acknowledged", at("2026-03-02 13:00"))
    assert first[0].recipients == (Recipient.LIAISON, Recipient.DISPATCHER)


def test_a_resolved_order_watches_only_its_follow_up(cal: WorkCalendar) -> None:
    order = _enquiry(cal, Status.RESOLVED, resolved_at=at("2026-03-03 10:00"))
    assert [(s.slug, t) for s, t in pending_steps(order, default_ladder(), cal)] == [
        ("follow_up:follow_up_overdue", at("2026-03-04 10:00"))
    ]


@pytest.mark.parametrize("status", [Status.CLOSED, Status.MERGED, Status.FOLLOWED_UP])
def test_finished_orders_do_not_escalate(cal: WorkCalendar, status: Status) -> None:
    assert next_escalation(_enquiry(cal, status), default_ladder(), cal) is None


def test_key_names_the_deadline_version(cal: WorkCalendar) -> None:
    order = _enquiry(cal)
    step = default_ladder().steps[1]
    assert escalation_key(order, step) == EscalationKey(
        order.id, SlaClock.RESOLVE, "remind_handler", order.deadline_version
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"fraction": 0.5, "after_deadline": WorkingDuration(days=1)},
        {"fraction": 0.0},
        {"fraction": 1.5},
    ],
)
def test_a_step_needs_exactly_one_sensible_trigger(kwargs: dict[str, object]) -> None:
    with pytest.raises(WorkOrderError):
        EscalationStep("s", SlaClock.RESOLVE, (Recipient.HANDLER,), "m", **kwargs)  # type: ignore[arg-type]


def test_a_ladder_refuses_duplicate_steps() -> None:
    step = EscalationStep("s", SlaClock.RESOLVE, (Recipient.HANDLER,), "m", fraction=0.5)
    with pytest.raises(WorkOrderError, match="resolve:s"):
        EscalationLadder((step, step))
