"""SLA policies, deadline computation and recomputation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tests.workorders.builders import at, make_order
from workorders.calendar import DayKind, WorkCalendar, WorkingDuration
from workorders.errors import CalendarNotLoadedError, SlaPolicyError
from workorders.model import Category, Priority, Status
from workorders.sla import (
    Deadlines,
    SlaPolicy,
    SlaPolicyBook,
    SlaTarget,
    compute_deadlines,
    default_sla_policy,
    recompute_deadlines,
)

SPRING = at("2026-02-13 16:00")


def _policy_with(version: int, enquiry_days: int) -> SlaPolicy:
    targets = dict(default_sla_policy().targets)
    targets[(Category.ENQUIRY, Priority.NORMAL)] = SlaTarget(
        WorkingDuration(hours=4), WorkingDuration(days=enquiry_days), WorkingDuration(days=1)
    )
    return SlaPolicy(version, targets)


class TestPolicies:
    @pytest.mark.parametrize(
        ("category", "priority", "resolve"),
        [
            (Category.ENQUIRY, Priority.NORMAL, WorkingDuration(days=3)),
            (Category.HELP, Priority.NORMAL, WorkingDuration(days=10)),
            (Category.SUGGESTION, Priority.NORMAL, WorkingDuration(days=10)),
            (Category.COMPLAINT, Priority.NORMAL, WorkingDuration(days=15)),
            (Category.REPORT, Priority.NORMAL, WorkingDuration(days=15)),
            (Category.COMPLAINT, Priority.URGENT, WorkingDuration(hours=4)),
        ],
    )
    def test_default_targets(
        self, category: Category, priority: Priority, resolve: WorkingDuration
    ) -> None:
        target = default_sla_policy().target_for(category, priority)
        assert target.resolve == resolve
        assert target.follow_up == WorkingDuration(days=1)

    def test_incomplete_policy_names_what_is_missing(self) -> None:
        targets = dict(default_sla_policy().targets)
        del targets[(Category.HELP, Priority.URGENT)]
        with pytest.raises(SlaPolicyError, match="help/urgent"):
            SlaPolicy(2, targets)

    def test_book_keeps_every_version(self) -> None:
        book = SlaPolicyBook.of([default_sla_policy(), _policy_with(2, 5)])
        assert book.current.version == 2
        assert book.get(1).target_for(Category.ENQUIRY, Priority.NORMAL).resolve.days == 3
        with pytest.raises(SlaPolicyError, match="unknown SLA policy version 7"):
            book.get(7)
        with pytest.raises(SlaPolicyError, match="twice"):
            SlaPolicyBook.of([default_sla_policy(), default_sla_policy()])


class TestComputeDeadlines:
    def test_new_enquiry_across_the_spring_festival(self, cal: WorkCalendar) -> None:
        order = make_order(created_at=SPRING, resolution_started_at=SPRING)
        # 1 h on Feb 13, 8 h on the make-up Saturday Feb 14, 8 h on Feb 24, 7 h on Feb 25.
        assert compute_deadlines(order, default_sla_policy(), cal) == Deadlines(
            resolve_due_at=at("2026-02-25 16:00")
        )

    def test_dispatch_starts_the_acknowledgement_clock(self, cal: WorkCalendar) -> None:
        order = make_order(
            Status.DISPATCHED,
            created_at=SPRING,
            resolution_started_at=SPRING,
            dispatched_at=at("2026-02-13 16:30"),
        )
        deadlines = compute_deadlines(order, default_sla_policy(), cal)
        assert deadlines.ack_due_at == at("2026-02-14 12:30")

    def test_extensions_and_pauses_push_the_resolution_deadline(self, cal: WorkCalendar) -> None:
        order = make_order(
            Status.IN_PROGRESS,
            created_at=SPRING,
            resolution_started_at=SPRING,
            acknowledged_at=at("2026-02-14 09:00"),
            granted_extensions=(WorkingDuration(days=2),),
            paused_intervals=((at("2026-02-24 09:00"), at("2026-02-24 17:00")),),
        )
        deadlines = compute_deadlines(order, default_sla_policy(), cal)
        # 5 working days = 40 h; Feb 24 is paused, so the make-up Saturday Feb 28 finishes it.
        assert deadlines == Deadlines(resolve_due_at=at("2026-02-28 16:00"))

    def test_resolution_starts_the_follow_up_clock(self, cal: WorkCalendar) -> None:
        order = make_order(Status.RESOLVED, resolved_at=at("2026-02-27 11:00"))
        follow_up = compute_deadlines(order, default_sla_policy(), cal).follow_up_due_at
        assert follow_up == at("2026-02-28 11:00")  # a make-up Saturday

    def test_urgent_is_due_the_same_or_next_working_day(self, cal: WorkCalendar) -> None:
        start = at("2026-03-02 16:00")
        order = make_order(
            priority=Priority.URGENT,
            category=Category.COMPLAINT,
            created_at=start,
            resolution_started_at=start,
        )
        assert compute_deadlines(order, default_sla_policy(), cal).resolve_due_at == at(
            "2026-03-03 12:00"
        )

    def test_merged_orders_have_no_deadlines(self, cal: WorkCalendar) -> None:
        merged = make_order(Status.MERGED)
        assert compute_deadlines(merged, default_sla_policy(), cal) == Deadlines()

    def test_deadline_in_an_unloaded_year_is_refused(self, cal: WorkCalendar) -> None:
        late = at("2026-12-28 10:00")
        order = make_order(category=Category.COMPLAINT, created_at=late, resolution_started_at=late)
        with pytest.raises(CalendarNotLoadedError, match="2027"):
            compute_deadlines(order, default_sla_policy(), cal)


class TestRecompute:
    def test_nothing_moves_twice(self, cal: WorkCalendar) -> None:
        order = make_order(Status.IN_PROGRESS, created_at=SPRING, resolution_started_at=SPRING)
        first, change = recompute_deadlines(order, default_sla_policy(), cal, "created")
        assert change is not None
        again, none = recompute_deadlines(first, default_sla_policy(), cal, "again")
        assert (again, none) == (first, None)

    def test_policy_change_moves_the_deadline_and_says_why(self, cal: WorkCalendar) -> None:
        order = make_order(Status.IN_PROGRESS, created_at=SPRING, resolution_started_at=SPRING)
        order, _ = recompute_deadlines(order, default_sla_policy(), cal, "created")
        order = replace(order, escalations_done=frozenset({"resolve:remind_handler"}))
        moved, change = recompute_deadlines(order, _policy_with(2, 5), cal, "policy v2 adopted")
        assert change is not None
        assert change.reason == "policy v2 adopted"
        assert (change.policy_version_before, change.policy_version_after) == (1, 2)
        assert change.before.resolve_due_at == at("2026-02-25 16:00")
        assert change.after.resolve_due_at == moved.resolve_due_at == at("2026-02-27 16:00")
        assert moved.deadline_version == order.deadline_version + 1
        assert moved.escalations_done == frozenset()
        assert change.as_data()["after"] == {
            "ack_due_at": None,
            "resolve_due_at": "2026-02-27T08:00:00+00:00",
            "follow_up_due_at": None,
        }

    def test_calendar_edit_moves_the_deadline(self, cal: WorkCalendar) -> None:
        order = make_order(Status.IN_PROGRESS, created_at=SPRING, resolution_started_at=SPRING)
        order, _ = recompute_deadlines(order, default_sla_policy(), cal, "created")
        edited = cal.with_days({date(2026, 2, 24): DayKind.HOLIDAY})
        moved, change = recompute_deadlines(order, default_sla_policy(), edited, "Feb 24 off")
        assert change is not None
        assert moved.resolve_due_at == at("2026-02-26 16:00")

    def test_a_clock_ending_does_not_rearm_the_ladder(self, cal: WorkCalendar) -> None:
        dispatched = make_order(
            Status.DISPATCHED,
            created_at=SPRING,
            resolution_started_at=SPRING,
            dispatched_at=SPRING,
        )
        dispatched, _ = recompute_deadlines(dispatched, default_sla_policy(), cal, "dispatched")
        done = frozenset({"resolve:remind_handler"})
        acknowledged = replace(
            dispatched, status=Status.ACKNOWLEDGED, acknowledged_at=SPRING, escalations_done=done
        )
        after, change = recompute_deadlines(acknowledged, default_sla_policy(), cal, "ack")
        assert change is not None
        assert after.ack_due_at is None
        assert after.deadline_version == dispatched.deadline_version
        assert after.escalations_done == done
