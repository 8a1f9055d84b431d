"""The work-order lifecycle as a table, and the pure function that applies it.

::

    create ─► new ─dispatch─► dispatched ─acknowledge─► acknowledged ─start─► in_progress
               ▲                  │ ▲                        │                   │
               │   return         │ └──dispatch (redirect)   └──────resolve──────┤
               └── returned ◄─────┘◄──────────return─────────────────────────────┤
                                                                                 ▼
             closed ◄─close─ followed_up ◄─follow_up─ resolved ◄─────────────────┘
               │                  │                      │
               └───────────reopen─┴──────────────────────┴─► in_progress

    Beside the main path, without changing the status: request/approve/refuse an extension (延期),
    supervise (督办), pause/resume (waiting for the taxpayer). merge folds a duplicate into another
    order of the same taxpayer and category (status merged).

Checks run in a fixed order so the reason given is the most useful one: the role, then the
status, then (for specialists and liaisons) the department, then the action's own precondition
(an extension already pending, already paused ...), then the payload. A refusal raises a
``TransitionError`` subclass and returns nothing, so the order cannot be half-changed.

``RULES`` is the table as data: docs and tests enumerate it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from workorders.calendar import WorkingDuration, require_aware
from workorders.errors import (
    CalendarError,
    ForbiddenActionError,
    InvalidPayloadError,
    WrongStateError,
)
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
    WorkOrderEvent,
)

DEPARTMENT_ROLES: frozenset[Role] = frozenset({Role.SPECIALIST, Role.LIAISON})
"""Roles that may act only on orders dispatched to their own department."""

Guard = Callable[[WorkOrder, datetime], str | None]
"""An action's extra precondition: returns why the action is refused, or None."""


@dataclass(frozen=True)
class Rule:
    action: Action
    verb: str  # as in "cannot <verb> a work order in status ..."
    from_statuses: frozenset[Status]  # empty for create: there is no order yet
    to_status: Status | None  # None: the status does not change
    roles: tuple[Role, ...]  # admins may do everything besides these
    needs: str  # why the status is wrong, for the refusal message
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    guard: Guard | None = None


def _extension_can_be_requested(order: WorkOrder, now: datetime) -> str | None:
    if order.extension_request is not None:
        return "an extension request is already waiting for a decision"
    if order.resolve_due_at is not None and now >= order.resolve_due_at:
        return (
            "an extension must be requested before the deadline "
            f"({order.resolve_due_at.isoformat()}), and that has passed"
        )
    return None


def _extension_pending(order: WorkOrder, now: datetime) -> str | None:
    return None if order.extension_request is not None else "no extension request is pending"


def _not_paused(order: WorkOrder, now: datetime) -> str | None:
    return "it is already paused, waiting for the taxpayer" if order.is_paused else None


def _paused(order: WorkOrder, now: datetime) -> str | None:
    return None if order.is_paused else "it is not paused"


_HANDLING = frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS})
_UNRESOLVED = frozenset(
    {Status.NEW, Status.DISPATCHED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RETURNED}
)
_DEPARTMENT = (Role.SPECIALIST, Role.LIAISON)
_HANDLING_NEEDS = "it must be acknowledged and not yet resolved"

RULES: Mapping[Action, Rule] = {
    rule.action: rule
    for rule in (
        Rule(
            Action.CREATE,
            "create",
            frozenset(),
            Status.NEW,
            (Role.AGENT, Role.SUPERVISOR),
            "",
        ),
        Rule(
            Action.DISPATCH,
            "dispatch",
            frozenset({Status.NEW, Status.RETURNED, Status.DISPATCHED}),
            Status.DISPATCHED,
            (Role.SUPERVISOR,),
            "only a new or returned order, or one not yet acknowledged, can be dispatched",
            required=("department_id",),
            optional=("reason",),
        ),
        Rule(
            Action.ACKNOWLEDGE,
            "acknowledge",
            frozenset({Status.DISPATCHED}),
            Status.ACKNOWLEDGED,
            _DEPARTMENT,
            "it must be dispatched first (and not yet acknowledged)",
        ),
        Rule(
            Action.START,
            "start",
            frozenset({Status.ACKNOWLEDGED}),
            Status.IN_PROGRESS,
            _DEPARTMENT,
            "it must be acknowledged first (and not yet started)",
        ),
        Rule(
            Action.RESOLVE,
            "resolve",
            _HANDLING,
            Status.RESOLVED,
            _DEPARTMENT,
            _HANDLING_NEEDS,
            required=("answer",),
        ),
        Rule(
            Action.FOLLOW_UP,
            "record the follow-up call of",
            frozenset({Status.RESOLVED}),
            Status.FOLLOWED_UP,
            (Role.AGENT, Role.SUPERVISOR),
            "it must be resolved first (and not yet followed up)",
            required=("satisfaction",),
            optional=("note",),
        ),
        Rule(
            Action.CLOSE,
            "close",
            frozenset({Status.FOLLOWED_UP}),
            Status.CLOSED,
            (Role.SUPERVISOR,),
            "the taxpayer must have been called back (follow-up) first",
            optional=("reason",),
        ),
        Rule(
            Action.RETURN,
            "return",
            frozenset({Status.DISPATCHED, Status.ACKNOWLEDGED, Status.IN_PROGRESS}),
            Status.RETURNED,
            _DEPARTMENT,
            "only an order with a department and not yet resolved can be returned",
            required=("reason",),
        ),
        Rule(
            Action.REQUEST_EXTENSION,
            "request an extension for",
            _HANDLING,
            None,
            _DEPARTMENT,
            _HANDLING_NEEDS,
            required=("reason", "amount"),
            guard=_extension_can_be_requested,
        ),
        Rule(
            Action.APPROVE_EXTENSION,
            "approve an extension for",
            _HANDLING,
            None,
            (Role.SUPERVISOR,),
            _HANDLING_NEEDS,
            optional=("reason",),
            guard=_extension_pending,
        ),
        Rule(
            Action.REFUSE_EXTENSION,
            "refuse an extension for",
            _HANDLING,
            None,
            (Role.SUPERVISOR,),
            _HANDLING_NEEDS,
            required=("reason",),
            guard=_extension_pending,
        ),
        Rule(
            Action.SUPERVISE,
            "supervise",
            _UNRESOLVED,
            None,
            (Role.SUPERVISOR,),
            "only an order that is not yet resolved can be supervised",
            required=("reason",),
        ),
        Rule(
            Action.REOPEN,
            "reopen",
            frozenset({Status.RESOLVED, Status.FOLLOWED_UP, Status.CLOSED}),
            Status.IN_PROGRESS,
            (Role.SUPERVISOR,),
            "only a resolved, followed-up or closed order can be reopened",
            required=("reason",),
        ),
        Rule(
            Action.MERGE,
            "merge",
            _UNRESOLVED,
            Status.MERGED,
            (Role.SUPERVISOR,),
            "only an order that is not yet resolved can be merged into another",
            required=("target",),
            optional=("reason",),
        ),
        Rule(
            Action.PAUSE,
            "pause",
            _HANDLING,
            None,
            _DEPARTMENT,
            _HANDLING_NEEDS,
            required=("reason",),
            guard=_not_paused,
        ),
        Rule(
            Action.RESUME,
            "resume",
            _HANDLING,
            None,
            (*_DEPARTMENT, Role.SUPERVISOR),
            _HANDLING_NEEDS,
            guard=_paused,
        ),
    )
}


# ---------------------------------------------------------------- checks


def acting_role(rule: Rule, actor: Actor) -> Role:
    """The role under which ``actor`` may perform ``rule``, or ForbiddenActionError.

    A specialist or liaison role is returned only when nothing broader applies; the caller must
    then check the department with ``check_department`` (after the status check, so that acting
    on an undispatched order is explained by its status rather than by a missing department).
    """
    held = [role for role in rule.roles if role in actor.roles]
    unscoped = [role for role in held if role not in DEPARTMENT_ROLES]
    if unscoped:
        return unscoped[0]
    if Role.ADMIN in actor.roles:
        return Role.ADMIN
    if not held:
        allowed = ", ".join(role.value for role in (*rule.roles, Role.ADMIN))
        mine = ", ".join(sorted(role.value for role in actor.roles)) or "no role"
        raise ForbiddenActionError(
            f"a user with role(s) {mine} may not {rule.verb} a work order; allowed: {allowed}"
        )
    return held[0]


def check_department(rule: Rule, role: Role, actor: Actor, order: WorkOrder) -> None:
    if role not in DEPARTMENT_ROLES or (
        order.department_id is not None and order.department_id == actor.department_id
    ):
        return
    where = f"with department {order.department_id!r}" if order.department_id else "unassigned"
    raise ForbiddenActionError(
        f"{role.value}s may {rule.verb} only their own department's work orders; "
        f"this one is {where}, yours is {actor.department_id!r}"
    )


def _check_payload(rule: Rule, payload: Mapping[str, object]) -> None:
    unknown = sorted(set(payload) - set(rule.required) - set(rule.optional))
    if unknown:
        raise InvalidPayloadError(f"{rule.action.value} does not take: {', '.join(unknown)}")
    for name in rule.required:
        value = payload.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise InvalidPayloadError(f"{rule.action.value} needs a {name}")


def _text(payload: Mapping[str, object], name: str) -> str:
    value = payload.get(name, "")
    if not isinstance(value, str):
        raise InvalidPayloadError(f"{name} must be text, got {type(value).__name__}")
    return value.strip()


# ---------------------------------------------------------------- effects


@dataclass(frozen=True)
class _Effect:
    changes: Mapping[str, Any]  # WorkOrder field -> new value, checked by replace()
    data: Mapping[str, object]


Effect = Callable[[WorkOrder, Actor, datetime, Mapping[str, object]], _Effect]


def _end_pause(order: WorkOrder, now: datetime) -> dict[str, object]:
    """Changes that close a running pause (resolving or returning ends the wait)."""
    if order.paused_since is None:
        return {}
    return {
        "paused_since": None,
        "paused_intervals": (*order.paused_intervals, (order.paused_since, now)),
    }


def _dispatch(order: WorkOrder, actor: Actor, now: datetime, p: Mapping[str, object]) -> _Effect:
    department = _text(p, "department_id")
    changes = {
        "department_id": department,
        "dispatcher": actor.user_id,
        "dispatched_at": now,
        "handler": None,
        "acknowledged_at": None,
    }
    return _Effect(changes, {"department_id": department, "previous": order.department_id})


def _acknowledge(order: WorkOrder, actor: Actor, now: datetime, p: Mapping[str, object]) -> _Effect:
    return _Effect({"handler": actor.user_id, "acknowledged_at": now}, {})


def _no_change(order: WorkOrder, actor: Actor, now: datetime, p: Mapping[str, object]) -> _Effect:
    return _Effect({}, {})


def _resolve(order: WorkOrder, actor: Actor, now: datetime, p: Mapping[str, object]) -> _Effect:
    answer = _text(p, "answer")
    changes = {"answer": answer, "resolved_at": now, "extension_request": None}
    return _Effect({**changes, **_end_pause(order, now)}, {"answer": answer})


def _follow_up(order: WorkOrder, actor: Actor, now: datetime, p: Mapping[str, object]) -> _Effect:
    satisfaction = p["satisfaction"]
    if isinstance(satisfaction, bool) or not isinstance(satisfaction, int):
        raise InvalidPayloadError("satisfaction must be a whole number from 1 to 5")
    if not 1 <= satisfaction <= 5:
        raise InvalidPayloadError(f"satisfaction must be from 1 to 5, got {satisfaction}")
    data: dict[str, object] = {"satisfaction": satisfaction, "note": _text(p, "note")}
    return _Effect({"satisfaction": satisfaction, "followed_up_at": now}, data)


def _close(order: WorkOrder, actor: Actor, now: datetime, p: Mapping[str, object]) -> _Effect:
    return _Effect({"closed_at": now}, {})


def _return(order: WorkOrder, actor: Actor, now: datetime, p: Mapping[str, object]) -> _Effect:
    changes = {
        "department_id": None,
        "handler": None,
        "dispatched_at": None,
        "acknowledged_at": None,
        "extension_request": None,
    }
    # The returning department is kept in the history: the on-time table counts its returns.
    data = {"department_id": order.department_id, "dispatcher": order.dispatcher}
    return _Effect({**changes, **_end_pause(order, now)}, data)


def _request_extension(
    order: WorkOrder, actor: Actor, now: datetime, p: Mapping[str, object]
) -> _Effect:
    raw = p["amount"]
    try:
        amount = raw if isinstance(raw, WorkingDuration) else WorkingDuration.parse(str(raw))
    except CalendarError as exc:
        raise InvalidPayloadError(f"amount: {exc}") from exc
    if amount == WorkingDuration():
        raise InvalidPayloadError("an extension must add some working time")
    request = ExtensionRequest(actor.user_id, now, amount, _text(p, "reason"))
    return _Effect({"extension_request": request}, {"amount": str(amount)})


def _approve_extension(
    order: WorkOrder, actor: Actor, now: datetime, p: Mapping[str, object]
) -> _Effect:
    assert order.extension_request is not None  # the guard ran first
    amount = order.extension_request.amount
    changes = {
        "extension_request": None,
        "granted_extensions": (*order.granted_extensions, amount),
    }
    data = {"amount": str(amount), "requested_by": order.extension_request.requested_by}
    return _Effect(changes, data)


def _refuse_extension(
    order: WorkOrder, actor: Actor, now: datetime, p: Mapping[str, object]
) -> _Effect:
    assert order.extension_request is not None  # the guard ran first
    data = {
        "amount": str(order.extension_request.amount),
        "requested_by": order.extension_request.requested_by,
    }
    return _Effect({"extension_request": None}, data)


def _supervise(order: WorkOrder, actor: Actor, now: datetime, p: Mapping[str, object]) -> _Effect:
    return _Effect({"supervised": True}, {})


def _reopen(order: WorkOrder, actor: Actor, now: datetime, p: Mapping[str, object]) -> _Effect:
    # A reopened order gets a fresh time limit: the department is asked for a new answer.
    changes = {
        "resolution_started_at": now,
        "resolved_at": None,
        "followed_up_at": None,
        "closed_at": None,
        "answer": None,
        "satisfaction": None,
        "overdue": False,
    }
    return _Effect(changes, {"previous_answer": order.answer})


def _merge(order: WorkOrder, actor: Actor, now: datetime, p: Mapping[str, object]) -> _Effect:
    target = p["target"]
    if not isinstance(target, WorkOrder):
        raise InvalidPayloadError("merge needs the target work order")
    if target.id == order.id:
        raise InvalidPayloadError("a work order cannot be merged into itself")
    if target.status in (Status.MERGED, Status.CLOSED):
        raise InvalidPayloadError(
            f"cannot merge into {target.reference}: it is {target.status.value}"
        )
    if not order.taxpayer.same_person(target.taxpayer):
        raise InvalidPayloadError(
            f"cannot merge into {target.reference}: it is not the same taxpayer"
        )
    if order.category != target.category:
        raise InvalidPayloadError(
            f"cannot merge into {target.reference}: it is a {target.category.value}, "
            f"this is a {order.category.value}, so not the same matter"
        )
    changes = {"merged_into": target.id, "extension_request": None, **_end_pause(order, now)}
    return _Effect(changes, {"merged_into": target.id, "target_reference": target.reference})


def _pause(order: WorkOrder, actor: Actor, now: datetime, p: Mapping[str, object]) -> _Effect:
    return _Effect({"paused_since": now}, {})


def _resume(order: WorkOrder, actor: Actor, now: datetime, p: Mapping[str, object]) -> _Effect:
    assert order.paused_since is not None  # the guard ran first
    return _Effect(_end_pause(order, now), {"paused_since": order.paused_since.isoformat()})


_EFFECTS: Mapping[Action, Effect] = {
    Action.DISPATCH: _dispatch,
    Action.ACKNOWLEDGE: _acknowledge,
    Action.START: _no_change,
    Action.RESOLVE: _resolve,
    Action.FOLLOW_UP: _follow_up,
    Action.CLOSE: _close,
    Action.RETURN: _return,
    Action.REQUEST_EXTENSION: _request_extension,
    Action.APPROVE_EXTENSION: _approve_extension,
    Action.REFUSE_EXTENSION: _refuse_extension,
    Action.SUPERVISE: _supervise,
    Action.REOPEN: _reopen,
    Action.MERGE: _merge,
    Action.PAUSE: _pause,
    Action.RESUME: _resume,
}


# ---------------------------------------------------------------- entry points


def parse_action(value: str) -> Action:
    """The Action named ``value``; InvalidPayloadError listing the actions if there is none."""
    try:
        return Action(value)
    except ValueError:
        known = ", ".join(action.value for action in Action)
        raise InvalidPayloadError(f"unknown work-order action {value!r}; known: {known}") from None


def transition(
    order: WorkOrder, action: Action, actor: Actor, now: datetime, **payload: object
) -> tuple[WorkOrder, WorkOrderEvent]:
    """Apply ``action`` to ``order``: the new order and its history entry, or a TransitionError.

    Deadlines are not touched here; the service recomputes them from the SLA policy afterwards.
    """
    require_aware(now, "now")
    action = parse_action(action)
    if action is Action.CREATE:
        raise WrongStateError("create makes a new work order; use lifecycle.create")
    rule = RULES[action]
    role = acting_role(rule, actor)
    if order.status not in rule.from_statuses:
        raise WrongStateError(
            f"cannot {rule.verb} a work order in status '{order.status.value}': {rule.needs}"
        )
    check_department(rule, role, actor, order)
    if rule.guard is not None and (why := rule.guard(order, now)) is not None:
        raise WrongStateError(f"cannot {rule.verb} work order {order.reference}: {why}")
    _check_payload(rule, payload)
    effect = _EFFECTS[action](order, actor, now, payload)
    to_status = rule.to_status or order.status
    seq = order.history_length + 1
    new_order = replace(order, **effect.changes, status=to_status, history_length=seq)
    event = WorkOrderEvent(
        order_id=order.id,
        seq=seq,
        action=action.value,
        from_status=order.status,
        to_status=to_status,
        actor=actor.user_id,
        actor_role=role,
        at=now,
        reason=_text(payload, "reason"),
        data=effect.data,
    )
    return new_order, event


def allowed_actions(order: WorkOrder, actor: Actor, now: datetime) -> tuple[Action, ...]:
    """The actions ``actor`` may take on ``order`` now, in the table's order.

    The same checks as ``transition`` (role, status, department, the action's own precondition)
    without a payload, so a screen offers exactly the buttons the table would accept: the rules
    stay in this one table rather than being re-coded in templates.
    """
    allowed: list[Action] = []
    for rule in RULES.values():
        if rule.action is Action.CREATE or order.status not in rule.from_statuses:
            continue
        try:
            role = acting_role(rule, actor)
            check_department(rule, role, actor, order)
        except ForbiddenActionError:
            continue
        if rule.guard is not None and rule.guard(order, now) is not None:
            continue
        allowed.append(rule.action)
    return tuple(allowed)


@dataclass(frozen=True)
class OrderDraft:
    """What the creator supplies; the service adds id, reference, policy version and time."""

    category: Category
    priority: Priority
    subject: str
    description: str = ""
    taxpayer: Taxpayer = field(default_factory=Taxpayer)
    call_id: str | None = None
    call_summary_id: str | None = None


def create(
    draft: OrderDraft,
    *,
    order_id: str,
    reference: str,
    actor: Actor,
    now: datetime,
    policy_version: int,
) -> tuple[WorkOrder, WorkOrderEvent]:
    """A new order in status ``new`` with its first history entry.

    Agents create orders from calls, so for them a call id is required; whether the call is
    really theirs is checked by the shell, which knows the calls. Supervisors may create by hand.
    """
    require_aware(now, "now")
    role = acting_role(RULES[Action.CREATE], actor)
    if role is Role.AGENT and draft.call_id is None:
        raise InvalidPayloadError("agents create work orders from a call: give the call id")
    if not draft.subject.strip():
        raise InvalidPayloadError("create needs a subject (the taxpayer's question)")
    order = WorkOrder(
        id=order_id,
        reference=reference,
        category=draft.category,
        priority=draft.priority,
        status=Status.NEW,
        subject=draft.subject.strip(),
        description=draft.description,
        taxpayer=draft.taxpayer,
        created_by=actor.user_id,
        created_at=now,
        policy_version=policy_version,
        call_id=draft.call_id,
        call_summary_id=draft.call_summary_id,
        resolution_started_at=now,
        history_length=1,
    )
    event = WorkOrderEvent(
        order_id=order_id,
        seq=1,
        action=Action.CREATE.value,
        from_status=None,
        to_status=Status.NEW,
        actor=actor.user_id,
        actor_role=role,
        at=now,
        data={"call_id": draft.call_id, "call_summary_id": draft.call_summary_id},
    )
    return order, event


def table_markdown() -> str:
    """The transition table as a Markdown table, for the documentation."""
    lines = [
        "| action | from | to | who (and admin) | needs |",
        "|---|---|---|---|---|",
    ]
    for rule in RULES.values():
        sources = ", ".join(sorted(s.value for s in rule.from_statuses)) or "(no order yet)"
        target = rule.to_status.value if rule.to_status else "(unchanged)"
        who = ", ".join(role.value for role in rule.roles)
        if set(rule.roles) & DEPARTMENT_ROLES:
            who += " (own department)"
        needs = ", ".join(rule.required) or "-"
        lines.append(f"| {rule.action.value} | {sources} | {target} | {who} | {needs} |")
    return "\n".join(lines) + "\n"
