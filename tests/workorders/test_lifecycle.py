"""The lifecycle table: every (status, action, role) cell, then the effects and refusals."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest

from tests.workorders.builders import TAXPAYER, actor, at, make_order
from workorders.calendar import WorkingDuration
from workorders.errors import (
    ForbiddenActionError,
    InvalidPayloadError,
    TransitionError,
    WrongStateError,
)
from workorders.lifecycle import DEPARTMENT_ROLES, RULES, OrderDraft, create, transition
from workorders.model import (
    Action,
    Actor,
    Category,
    ExtensionRequest,
    Priority,
    Role,
    Status,
    Taxpayer,
    WorkOrder,
)

NOW = at("2026-03-03 10:00")

_PAYLOADS: dict[Action, dict[str, Any]] = {
    Action.DISPATCH: {"department_id": "D2"},
    Action.RESOLVE: {"answer": "Apply via the e-tax bureau, form A"},
    Action.FOLLOW_UP: {"satisfaction": 5},
    Action.RETURN: {"reason": "belongs to local tax"},
    Action.REQUEST_EXTENSION: {"reason": "waiting for the archive", "amount": "2d"},
    Action.REFUSE_EXTENSION: {"reason": "the archive is online"},
    Action.SUPERVISE: {"reason": "taxpayer called three times"},
    Action.REOPEN: {"reason": "the answer missed the question"},
    Action.PAUSE: {"reason": "waiting for the taxpayer's invoices"},
}
_PENDING = ExtensionRequest("specialist-1", at("2026-03-03 09:00"), WorkingDuration(days=2), "x")


def _cell_order(action: Action, status: Status) -> WorkOrder:
    order = make_order(status)
    if action in (Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION):
        order = replace(order, extension_request=_PENDING)
    if action is Action.RESUME:
        order = replace(order, paused_since=at("2026-03-03 09:00"))
    return order


def _payload(action: Action) -> dict[str, Any]:
    if action is Action.MERGE:
        return {"target": make_order(Status.DISPATCHED, id="wo-2", reference="12366-2")}
    return _PAYLOADS.get(action, {})


def _expected(action: Action, status: Status, role: Role, order: WorkOrder) -> type[Exception]:
    """What the table says must happen: an error class, or ``Exception`` for success."""
    rule = RULES[action]
    if role not in rule.roles and role is not Role.ADMIN:
        return ForbiddenActionError
    if status not in rule.from_statuses:
        return WrongStateError
    if role in DEPARTMENT_ROLES and order.department_id != "D1":
        return ForbiddenActionError
    return Exception


CELLS = [
    (action, status, role)
    for action in RULES
    if action is not Action.CREATE
    for status in Status
    for role in Role
]


@pytest.mark.parametrize(("action", "status", "role"), CELLS)
def test_every_cell_of_the_table(action: Action, status: Status, role: Role) -> None:
    order = _cell_order(action, status)
    expected = _expected(action, status, role, order)
    if expected is Exception:
        new_order, event = transition(order, action, actor(role), NOW, **_payload(action))
        assert new_order.status is (RULES[action].to_status or status)
        assert (event.action, event.from_status, event.to_status) == (
            action.value,
            status,
            new_order.status,
        )
        assert event.actor_role is role
        assert event.seq == new_order.history_length == order.history_length + 1
    else:
        with pytest.raises(expected):
            transition(order, action, actor(role), NOW, **_payload(action))


@pytest.mark.parametrize("role", list(Role))
def test_create_roles(role: Role) -> None:
    draft = OrderDraft(Category.ENQUIRY, Priority.NORMAL, "question", call_id="call-9")
    if role in RULES[Action.CREATE].roles or role is Role.ADMIN:
        order, event = create(
            draft, order_id="o", reference="r", actor=actor(role), now=NOW, policy_version=1
        )
        assert order.status is Status.NEW
        assert (event.seq, event.from_status, event.actor_role) == (1, None, role)
    else:
        with pytest.raises(ForbiddenActionError):
            create(draft, order_id="o", reference="r", actor=actor(role), now=NOW, policy_version=1)


class TestTableMatchesTheIssue:
    """Written from the issue's text, independently of RULES, to catch a wrong table."""

    @pytest.mark.parametrize(
        ("role", "actions"),
        [
            (Role.AGENT, {Action.CREATE, Action.FOLLOW_UP}),
            (
                Role.SPECIALIST,
                {
                    Action.ACKNOWLEDGE,
                    Action.START,
                    Action.RESOLVE,
                    Action.RETURN,
                    Action.REQUEST_EXTENSION,
                    Action.PAUSE,
                    Action.RESUME,
                },
            ),
            (Role.DIRECTOR, set()),
            (Role.OPS, set()),
        ],
    )
    def test_who_may_do_what(self, role: Role, actions: set[Action]) -> None:
        assert {action for action, rule in RULES.items() if role in rule.roles} == actions

    def test_supervisors_handle_dispatch_returns_extensions_and_closing(self) -> None:
        supervised = {action for action, rule in RULES.items() if Role.SUPERVISOR in rule.roles}
        assert {
            Action.DISPATCH,
            Action.APPROVE_EXTENSION,
            Action.REFUSE_EXTENSION,
            Action.SUPERVISE,
            Action.CLOSE,
            Action.REOPEN,
            Action.MERGE,
        } <= supervised

    def test_main_path(self) -> None:
        path = [
            (Action.DISPATCH, Status.DISPATCHED),
            (Action.ACKNOWLEDGE, Status.ACKNOWLEDGED),
            (Action.START, Status.IN_PROGRESS),
            (Action.RESOLVE, Status.RESOLVED),
            (Action.FOLLOW_UP, Status.FOLLOWED_UP),
            (Action.CLOSE, Status.CLOSED),
        ]
        status = Status.NEW
        for action, to_status in path:
            assert status in RULES[action].from_statuses
            assert RULES[action].to_status is to_status
            status = to_status


class TestRefusalMessages:
    def test_wrong_state_says_why(self) -> None:
        with pytest.raises(WrongStateError) as caught:
            transition(make_order(Status.NEW), Action.ACKNOWLEDGE, actor(Role.LIAISON), NOW)
        assert str(caught.value) == (
            "cannot acknowledge a work order in status 'new': "
            "it must be dispatched first (and not yet acknowledged)"
        )

    def test_wrong_role_names_the_allowed_roles(self) -> None:
        with pytest.raises(ForbiddenActionError, match="allowed: supervisor, admin"):
            transition(make_order(), Action.DISPATCH, actor(Role.AGENT), NOW, department_id="D1")

    def test_other_department_is_refused_with_both_departments(self) -> None:
        stranger = actor(Role.SPECIALIST, department_id="D9")
        with pytest.raises(ForbiddenActionError, match=r"'D1'.*'D9'"):
            transition(make_order(Status.DISPATCHED), Action.ACKNOWLEDGE, stranger, NOW)

    def test_role_is_checked_before_state(self) -> None:
        with pytest.raises(ForbiddenActionError):
            transition(make_order(Status.CLOSED), Action.DISPATCH, actor(Role.AGENT), NOW)

    def test_unknown_action_is_refused(self) -> None:
        with pytest.raises(InvalidPayloadError, match="unknown"):
            transition(make_order(), "teleport", actor(Role.ADMIN), NOW)  # type: ignore[arg-type]

    def test_naive_now_is_refused(self) -> None:
        with pytest.raises(Exception, match="time zone"):
            transition(
                make_order(Status.DISPATCHED),
                Action.ACKNOWLEDGE,
                actor(Role.LIAISON),
                datetime(2026, 3, 3, 10),
            )


class TestPayloads:
    @pytest.mark.parametrize(
        ("status", "action", "role", "payload", "message"),
        [
            (Status.IN_PROGRESS, Action.RESOLVE, Role.SPECIALIST, {}, "needs a answer"),
            (Status.IN_PROGRESS, Action.RESOLVE, Role.SPECIALIST, {"answer": "  "}, "answer"),
            (Status.RESOLVED, Action.FOLLOW_UP, Role.AGENT, {"satisfaction": 0}, "1 to 5"),
            (Status.RESOLVED, Action.FOLLOW_UP, Role.AGENT, {"satisfaction": 6}, "1 to 5"),
            (Status.RESOLVED, Action.FOLLOW_UP, Role.AGENT, {"satisfaction": "5"}, "whole"),
            (Status.RESOLVED, Action.FOLLOW_UP, Role.AGENT, {"satisfaction": True}, "whole"),
            (Status.DISPATCHED, Action.RETURN, Role.LIAISON, {}, "needs a reason"),
            (Status.NEW, Action.DISPATCH, Role.SUPERVISOR, {}, "department_id"),
            (Status.NEW, Action.DISPATCH, Role.SUPERVISOR, {"department_id": "D1", "x": 1}, "x"),
            (
                Status.IN_PROGRESS,
                Action.REQUEST_EXTENSION,
                Role.SPECIALIST,
                {"reason": "r", "amount": "soon"},
                "amount: cannot read",
            ),
            (
                Status.IN_PROGRESS,
                Action.REQUEST_EXTENSION,
                Role.SPECIALIST,
                {"reason": "r", "amount": "0h"},
                "some working time",
            ),
        ],
    )
    def test_bad_payload_is_refused(
        self, status: Status, action: Action, role: Role, payload: dict[str, Any], message: str
    ) -> None:
        with pytest.raises(InvalidPayloadError, match=message):
            transition(make_order(status), action, actor(role), NOW, **payload)


class TestEffects:
    def test_dispatch_sets_department_and_dispatcher(self) -> None:
        order, event = transition(
            make_order(),
            Action.DISPATCH,
            actor(Role.SUPERVISOR, None, "sup-7"),
            NOW,
            department_id="D3",
        )
        assert (order.department_id, order.dispatcher, order.dispatched_at) == ("D3", "sup-7", NOW)
        assert event.data["department_id"] == "D3"

    def test_acknowledge_makes_the_actor_the_handler(self) -> None:
        order, _ = transition(
            make_order(Status.DISPATCHED),
            Action.ACKNOWLEDGE,
            actor(Role.LIAISON, "D1", "li-3"),
            NOW,
        )
        assert (order.handler, order.acknowledged_at) == ("li-3", NOW)

    def test_return_goes_back_to_the_dispatcher_without_department(self) -> None:
        order, event = transition(
            make_order(Status.IN_PROGRESS, handler="sp-1"),
            Action.RETURN,
            actor(Role.SPECIALIST),
            NOW,
            reason="misrouted: local tax",
        )
        assert order.status is Status.RETURNED
        assert (order.department_id, order.handler, order.dispatcher) == (None, None, "sup-1")
        assert event.reason == "misrouted: local tax"
        assert event.data["department_id"] == "D1"

    def test_extension_request_then_approval_adds_time(self) -> None:
        order, _ = transition(
            make_order(Status.IN_PROGRESS),
            Action.REQUEST_EXTENSION,
            actor(Role.SPECIALIST),
            NOW,
            reason="archive",
            amount="3 working days",
        )
        assert order.extension_pending
        with pytest.raises(WrongStateError, match="already waiting"):
            transition(
                order,
                Action.REQUEST_EXTENSION,
                actor(Role.SPECIALIST),
                NOW,
                reason="again",
                amount="1d",
            )
        order, event = transition(order, Action.APPROVE_EXTENSION, actor(Role.SUPERVISOR), NOW)
        assert not order.extension_pending
        assert order.granted_extensions == (WorkingDuration(days=3),)
        assert event.data["amount"] == "3 working days"

    def test_refused_extension_adds_nothing(self) -> None:
        pending = make_order(Status.IN_PROGRESS, extension_request=_PENDING)
        order, event = transition(
            pending, Action.REFUSE_EXTENSION, actor(Role.SUPERVISOR), NOW, reason="no"
        )
        assert (order.extension_request, order.granted_extensions) == (None, ())
        assert event.reason == "no"

    def test_extension_after_the_deadline_is_refused(self) -> None:
        late = make_order(Status.IN_PROGRESS, resolve_due_at=at("2026-03-03 09:00"))
        with pytest.raises(WrongStateError, match="before the deadline"):
            transition(
                late, Action.REQUEST_EXTENSION, actor(Role.SPECIALIST), NOW, reason="r", amount="1d"
            )

    def test_pause_and_resume_record_the_interval(self) -> None:
        order, _ = transition(
            make_order(Status.IN_PROGRESS),
            Action.PAUSE,
            actor(Role.SPECIALIST),
            at("2026-03-03 10:00"),
            reason="waiting for invoices",
        )
        with pytest.raises(WrongStateError, match="already paused"):
            transition(order, Action.PAUSE, actor(Role.SPECIALIST), NOW, reason="again")
        order, _ = transition(order, Action.RESUME, actor(Role.SPECIALIST), at("2026-03-04 10:00"))
        assert order.paused_intervals == ((at("2026-03-03 10:00"), at("2026-03-04 10:00")),)
        assert not order.is_paused

    def test_resolving_ends_a_pause_and_drops_a_pending_extension(self) -> None:
        paused = make_order(
            Status.IN_PROGRESS, paused_since=at("2026-03-03 09:00"), extension_request=_PENDING
        )
        order, event = transition(
            paused, Action.RESOLVE, actor(Role.SPECIALIST), NOW, answer="done"
        )
        assert order.paused_intervals == ((at("2026-03-03 09:00"), NOW),)
        assert order.extension_request is None
        assert (order.answer, order.resolved_at, event.data["answer"]) == ("done", NOW, "done")

    def test_reopen_restarts_the_resolution_clock(self) -> None:
        closed = make_order(
            Status.CLOSED,
            answer="old",
            satisfaction=2,
            resolved_at=at("2026-03-02 15:00"),
            closed_at=at("2026-03-02 16:00"),
            overdue=True,
        )
        order, event = transition(
            closed, Action.REOPEN, actor(Role.SUPERVISOR), NOW, reason="wrong answer"
        )
        assert order.status is Status.IN_PROGRESS
        assert order.resolution_started_at == NOW
        assert (order.answer, order.satisfaction, order.resolved_at, order.overdue) == (
            None,
            None,
            None,
            False,
        )
        assert event.data["previous_answer"] == "old"

    def test_follow_up_records_satisfaction(self) -> None:
        order, event = transition(
            make_order(Status.RESOLVED),
            Action.FOLLOW_UP,
            actor(Role.AGENT),
            NOW,
            satisfaction=4,
            note="happy",
        )
        assert (order.satisfaction, order.followed_up_at) == (4, NOW)
        assert event.data == {"satisfaction": 4, "note": "happy"}


class TestMerge:
    def _merge(self, target: WorkOrder) -> tuple[WorkOrder, Any]:
        return transition(
            make_order(Status.NEW), Action.MERGE, actor(Role.SUPERVISOR), NOW, target=target
        )

    def test_duplicate_of_the_same_taxpayer_and_matter_merges(self) -> None:
        order, event = self._merge(make_order(Status.IN_PROGRESS, id="wo-2", reference="R2"))
        assert (order.status, order.merged_into) == (Status.MERGED, "wo-2")
        assert event.data["target_reference"] == "R2"

    @pytest.mark.parametrize(
        ("target", "message"),
        [
            (make_order(Status.NEW), "itself"),
            (make_order(Status.CLOSED, id="wo-2"), "closed"),
            (make_order(Status.NEW, id="wo-2", taxpayer=Taxpayer(phone="1")), "same taxpayer"),
            (make_order(Status.NEW, id="wo-2", category=Category.COMPLAINT), "same matter"),
        ],
    )
    def test_merge_is_refused_when_not_a_duplicate(self, target: WorkOrder, message: str) -> None:
        with pytest.raises(InvalidPayloadError, match=message):
            self._merge(target)

    def test_same_phone_counts_as_same_taxpayer_without_numbers(self) -> None:
        assert Taxpayer(phone="139").same_person(Taxpayer(name="x", phone="139"))
        assert not Taxpayer().same_person(Taxpayer())


class TestCreate:
    def _create(self, who: Actor, call_id: str | None) -> WorkOrder:
        draft = OrderDraft(
            Category.REPORT, Priority.URGENT, " invoice fraud ", call_id=call_id, taxpayer=TAXPAYER
        )
        order, _ = create(
            draft, order_id="o1", reference="R1", actor=who, now=NOW, policy_version=3
        )
        return order

    def test_agents_create_from_a_call(self) -> None:
        order = self._create(actor(Role.AGENT, None), "call-5")
        assert (order.call_id, order.policy_version, order.subject) == (
            "call-5",
            3,
            "invoice fraud",
        )
        assert order.resolution_started_at == NOW

    def test_agents_cannot_create_without_a_call(self) -> None:
        with pytest.raises(InvalidPayloadError, match="call"):
            self._create(actor(Role.AGENT, None), None)

    def test_supervisors_create_by_hand(self) -> None:
        assert self._create(actor(Role.SUPERVISOR, None), None).call_id is None

    def test_transition_refuses_create(self) -> None:
        with pytest.raises(TransitionError):
            transition(make_order(), Action.CREATE, actor(Role.ADMIN), NOW)


def test_masking_hides_personal_data() -> None:
    masked = TAXPAYER.masked()
    assert masked.phone == "139****5678"
    assert masked.name == "张*"
    assert masked.taxpayer_number == "9133**********XX1X"
    assert masked.organisation == TAXPAYER.organisation
