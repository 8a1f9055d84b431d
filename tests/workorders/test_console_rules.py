"""What the console shows comes from the domain: the buttons from the lifecycle table, the
deadline colours from the escalation ladder's thresholds, counted in working time."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.workorders.builders import actor, at, make_order
from workorders import lifecycle
from workorders.calendar import WorkCalendar, WorkingDuration
from workorders.errors import TransitionError
from workorders.escalation import SlaClock, default_ladder
from workorders.model import Action, ExtensionRequest, Role, Status, WorkOrder
from workorders.sla import default_sla_policy, recompute_deadlines
from workorders.urgency import thresholds, urgency

NOW = at("2026-03-03 10:00")


def _can(order: WorkOrder, role: Role, department: str | None = "D1") -> set[Action]:
    return set(lifecycle.allowed_actions(order, actor(role, department), NOW))


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.LIAISON, Role.SUPERVISOR, Role.AGENT])
def test_every_offered_action_is_one_the_table_accepts(status: Status, role: Role) -> None:
    """Offered means accepted (given its payload); not offered means refused."""
    order = make_order(status)
    who = actor(role)
    offered = lifecycle.allowed_actions(order, who, NOW)
    for action in Action:
        if action is Action.CREATE:
            continue
        rule = lifecycle.RULES[action]
        payload: dict[str, object] = {name: "x" for name in rule.required}
        payload.update({"satisfaction": 5} if "satisfaction" in rule.required else {})
        payload.update({"amount": "1 working day"} if "amount" in rule.required else {})
        payload.update({"department_id": "D2"} if "department_id" in rule.required else {})
        if action is Action.MERGE:
            payload["target"] = replace(order, id="wo-2", status=Status.NEW)
        try:
            lifecycle.transition(order, action, who, NOW, **payload)
            accepted = True
        except TransitionError:
            accepted = False
        assert (action in offered) == accepted, (status, role, action)


def test_the_buttons_follow_role_department_and_pending_requests() -> None:
    dispatched = make_order(Status.DISPATCHED)
    assert _can(dispatched, Role.SPECIALIST) == {Action.ACKNOWLEDGE, Action.RETURN}
    assert _can(dispatched, Role.SPECIALIST, "D2") == set()  # another department's order
    assert Action.ACKNOWLEDGE not in _can(dispatched, Role.SUPERVISOR)
    working = make_order(Status.IN_PROGRESS)
    assert Action.APPROVE_EXTENSION not in _can(working, Role.SUPERVISOR)
    asked = replace(
        working,
        extension_request=ExtensionRequest("specialist-1", NOW, WorkingDuration(days=2), "why"),
    )
    assert {Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION} <= _can(asked, Role.SUPERVISOR)
    assert Action.REQUEST_EXTENSION not in _can(asked, Role.SPECIALIST)  # one at a time


def test_deadline_bands_are_the_ladder_thresholds_in_working_time(cal: WorkCalendar) -> None:
    assert thresholds(default_ladder(), SlaClock.RESOLVE) == (0.5, 0.8, 1.0)
    monday = at("2026-03-02 09:00")
    order = make_order(Status.IN_PROGRESS, created_at=monday, resolution_started_at=monday)
    order, _ = recompute_deadlines(order, default_sla_policy(), cal, "test")  # due Wed 17:00
    ladder = default_ladder()
    expected = {
        at("2026-03-02 10:00"): 0,  # 1 of 24 working hours used
        at("2026-03-03 13:00"): 1,  # half-way
        at("2026-03-04 12:12"): 2,  # 80 %
        at("2026-03-04 17:00"): 3,  # the deadline: late
    }
    for now, band in expected.items():
        found = urgency(order, now, ladder, cal)
        assert found is not None
        assert found.band == band, now
    late = urgency(order, at("2026-03-05 10:00"), ladder, cal)
    assert late is not None
    assert late.overdue
    assert late.left == -timedelta(hours=1)  # one working hour late, not 17 clock hours


def test_time_left_skips_holidays_and_counts_make_up_days(cal: WorkCalendar) -> None:
    """Friday 13 Feb 2026 before the Spring Festival: the make-up Saturday the 14th counts,
    the holiday week does not."""
    friday = at("2026-02-13 09:00")
    order = make_order(Status.IN_PROGRESS, created_at=friday, resolution_started_at=friday)
    order, _ = recompute_deadlines(order, default_sla_policy(), cal, "test")
    found = urgency(order, at("2026-02-20 12:00"), default_ladder(), cal)  # inside the holiday
    assert found is not None
    assert found.left == timedelta(hours=8)  # 3 days: Friday and Saturday used, one left
    assert found.band == 1  # two thirds used: past the reminder, not yet the warning


def test_no_colour_when_no_clock_runs(cal: WorkCalendar) -> None:
    for status in (Status.CLOSED, Status.MERGED, Status.FOLLOWED_UP):
        assert urgency(make_order(status), NOW, default_ladder(), cal) is None
    paused = make_order(Status.IN_PROGRESS, paused_since=NOW)
    assert urgency(paused, NOW, default_ladder(), cal) is None
