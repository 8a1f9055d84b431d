"""Use cases over the ports: create, act, escalate, recompute.

Each use case runs in one ``store.transaction()`` per order: it loads the order (locked), applies
the pure rules (``lifecycle``, ``sla``, ``escalation``), saves the order with its history entries
and notifications, and either all of it is kept or none of it. A refused action raises before
anything is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from workorders import escalation, lifecycle, sla
from workorders.calendar import WorkCalendar, require_aware
from workorders.errors import (
    ConcurrentUpdateError,
    InvalidPayloadError,
    StaleOrderError,
    WorkOrderError,
)
from workorders.escalation import EscalationEffect, EscalationKey, EscalationLadder, Recipient
from workorders.model import (
    SYSTEM_ACTOR,
    Action,
    Actor,
    SystemEvent,
    WorkOrder,
    WorkOrderEvent,
)
from workorders.ports import Addressee, Clock, Notifier, WorkOrderStore


@dataclass(frozen=True)
class Rules:
    """The data the use cases apply: policies, calendar and ladder (reloaded when edited)."""

    policies: sla.SlaPolicyBook
    calendar: WorkCalendar
    ladder: EscalationLadder = field(default_factory=escalation.default_ladder)


# Who hears about a person's action, besides the history: (recipient, message).
_ACTION_NOTICES: Mapping[Action, tuple[Recipient, str]] = {
    Action.DISPATCH: (Recipient.LIAISON, "a work order was dispatched to your department"),
    Action.RETURN: (Recipient.DISPATCHER, "a work order was returned (退单)"),
    Action.REQUEST_EXTENSION: (Recipient.CENTRE_SUPERVISOR, "an extension (延期) is requested"),
    Action.APPROVE_EXTENSION: (Recipient.HANDLER, "your extension request was approved"),
    Action.REFUSE_EXTENSION: (Recipient.HANDLER, "your extension request was refused"),
    Action.SUPERVISE: (Recipient.LIAISON, "a work order is under supervision (督办)"),
    Action.REOPEN: (Recipient.HANDLER, "a work order you resolved was reopened"),
    Action.RESOLVE: (Recipient.CENTRE_SUPERVISOR, "a work order is resolved: call back"),
}


def addressee(order: WorkOrder, kind: Recipient) -> Addressee:
    user = {Recipient.HANDLER: order.handler, Recipient.DISPATCHER: order.dispatcher}.get(kind)
    return Addressee(kind, user_id=user, department_id=order.department_id)


def _refresh(
    order: WorkOrder, rules: Rules, reason: str
) -> tuple[WorkOrder, sla.DeadlineChange | None]:
    """Deadlines under the order's own policy version, then its next escalation time."""
    policy = rules.policies.get(order.policy_version)
    order, change = sla.recompute_deadlines(order, policy, rules.calendar, reason)
    return _with_next_escalation(order, rules), change


def _with_next_escalation(order: WorkOrder, rules: Rules) -> WorkOrder:
    upcoming = escalation.next_escalation(order, rules.ladder, rules.calendar)
    return replace(order, next_escalation_at=upcoming[1] if upcoming else None)


def _now(clock: Clock) -> datetime:
    return require_aware(clock.now(), "clock time").astimezone(UTC)


async def _save(store: WorkOrderStore, order: WorkOrder) -> WorkOrder:
    saved = replace(order, revision=order.revision + 1)
    await store.save(saved)
    return saved


async def create_order(
    store: WorkOrderStore,
    clock: Clock,
    rules: Rules,
    actor: Actor,
    draft: lifecycle.OrderDraft,
) -> tuple[WorkOrder, WorkOrderEvent]:
    """A new order under the current policy, with deadlines, or a TransitionError."""
    now = _now(clock)
    async with store.transaction():
        local_day = now.astimezone(rules.calendar.zone).date()
        serial = await store.next_serial(local_day)
        order, event = lifecycle.create(
            draft,
            order_id=str(uuid.uuid4()),
            reference=f"12366-{local_day:%Y%m%d}-{serial:04d}",
            actor=actor,
            now=now,
            policy_version=rules.policies.current.version,
        )
        order, change = _refresh(order, rules, "created")
        if change is not None:
            event = replace(event, data={**event.data, "deadlines": change.after.as_data()})
        await store.add(order)
        await store.append_event(event)
    return order, event


async def apply_action(
    store: WorkOrderStore,
    clock: Clock,
    rules: Rules,
    notifier: Notifier,
    order_id: str,
    action: Action,
    actor: Actor,
    expected_revision: int | None = None,
    **payload: object,
) -> tuple[WorkOrder, WorkOrderEvent]:
    """Apply one lifecycle action; refusals raise a TransitionError and change nothing.

    For ``merge`` pass ``into`` (the target order's id); the target's history records the
    duplicate it absorbed. ``expected_revision``: the revision of the copy the person acted on;
    if the order has moved on since, ``StaleOrderError`` (checked under the row lock, so two
    people acting at once cannot both pass it).
    """
    now = _now(clock)
    action = lifecycle.parse_action(action)
    async with store.transaction():
        order = await store.get_for_update(order_id)
        if order is None:
            raise ConcurrentUpdateError(
                f"work order {order_id} is being changed by someone else; try again"
            )
        if expected_revision is not None and order.revision != expected_revision:
            raise StaleOrderError(order.reference, expected_revision, order.revision)
        target: WorkOrder | None = None
        if action is Action.MERGE:
            into = payload.pop("into", None)
            if not isinstance(into, str) or not into:
                raise InvalidPayloadError("merge needs 'into': the id of the order to keep")
            target = await store.get(into)
            payload["target"] = target
        new_order, event = lifecycle.transition(order, action, actor, now, **payload)
        new_order, change = _refresh(new_order, rules, f"{action.value} by {actor.user_id}")
        if change is not None:
            event = replace(event, data={**event.data, "deadlines": change.after.as_data()})
        new_order = await _save(store, new_order)
        await store.append_event(event)
        if target is not None:
            await _record_absorbed_duplicate(store, target, new_order, actor, now)
        notice = _ACTION_NOTICES.get(action)
        if notice is not None:
            recipient, message = notice
            await notifier.notify(
                addressee(new_order, recipient), action.value, new_order.id, message
            )
    return new_order, event


async def _record_absorbed_duplicate(
    store: WorkOrderStore, target: WorkOrder, duplicate: WorkOrder, actor: Actor, now: datetime
) -> None:
    locked = await store.get_for_update(target.id)
    if locked is None:
        raise ConcurrentUpdateError(f"work order {target.reference} is being changed; try again")
    seq = locked.history_length + 1
    await _save(store, replace(locked, history_length=seq))
    await store.append_event(
        WorkOrderEvent(
            order_id=locked.id,
            seq=seq,
            action=SystemEvent.DUPLICATE_MERGED.value,
            from_status=locked.status,
            to_status=locked.status,
            actor=actor.user_id,
            actor_role=None,
            at=now,
            data={"duplicate_id": duplicate.id, "duplicate_reference": duplicate.reference},
        )
    )


@dataclass
class EscalationRun:
    applied: list[EscalationKey] = field(default_factory=list)
    skipped_locked: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EscalationPlan:
    """What is due for one order at ``now``, worked out before anything is written.

    Planning and settling are pure, so a sweeper may plan many orders, record all their keys
    in one statement and settle them afterwards (see ``settle_escalation``).
    """

    order: WorkOrder
    due: tuple[tuple[escalation.EscalationStep, datetime], ...]
    next_escalation_at: datetime | None  # once every due step is done

    @property
    def keys(self) -> list[EscalationKey]:
        return [escalation.escalation_key(self.order, step) for step, _ in self.due]


@dataclass(frozen=True)
class Notice:
    """One notification a settled step asks for (the notifier resolves the addressee)."""

    recipient: Addressee
    kind: str
    order_id: str
    message: str


@dataclass(frozen=True)
class EscalationOutcome:
    """The order to save (revision already advanced), its history entries and notices."""

    order: WorkOrder
    events: tuple[WorkOrderEvent, ...]
    notices: tuple[Notice, ...]
    applied: tuple[EscalationKey, ...]


def plan_escalation(order: WorkOrder, now: datetime, rules: Rules) -> EscalationPlan:
    """The steps due by ``now`` and the next escalation time once they are done.

    One pass over the ladder: the step times are computed once and serve both answers (the
    calendar arithmetic is most of the pure work of a sweep). Applying a step changes none of
    the fields a step time depends on, so the next time is the first pending step after now.
    """
    pending = escalation.pending_steps(order, rules.ladder, rules.calendar)
    due = tuple((step, at) for step, at in pending if at <= now)
    later = next((at for _, at in pending if at > now), None)
    return EscalationPlan(order, due, later)


def settle_escalation(
    plan: EscalationPlan, recorded: Container[EscalationKey], now: datetime
) -> EscalationOutcome:
    """Apply the plan's steps whose key this transaction recorded (``recorded``).

    A due step whose key was already recorded was applied by another sweeper: it is marked
    done here too, without its effect, history entry or notifications.
    """
    # The new values are gathered first and the order is copied once: ``replace`` of a
    # forty-field dataclass per step was the largest single cost of a sweep.
    order = plan.order
    done = set(order.escalations_done)
    overdue, supervised, seq = order.overdue, order.supervised, order.history_length
    events: list[WorkOrderEvent] = []
    notices: list[Notice] = []
    applied: list[EscalationKey] = []
    for step, due_at in plan.due:
        key = escalation.escalation_key(order, step)
        done.add(step.slug)
        if key not in recorded:
            continue
        if step.effect is EscalationEffect.MARK_OVERDUE:
            overdue = True
        elif step.effect is EscalationEffect.SUPERVISE:
            supervised = True
        seq += 1
        events.append(_escalated_event(order, step, due_at, seq, now))
        notices.extend(
            Notice(addressee(order, recipient), f"escalation:{step.name}", order.id, step.message)
            for recipient in step.recipients
        )
        applied.append(key)
    order = replace(
        order,
        escalations_done=frozenset(done),
        overdue=overdue,
        supervised=supervised,
        history_length=seq,
        next_escalation_at=plan.next_escalation_at,
        revision=order.revision + 1,
    )
    return EscalationOutcome(order, tuple(events), tuple(notices), tuple(applied))


def _escalated_event(
    order: WorkOrder,
    step: escalation.EscalationStep,
    due_at: datetime,
    seq: int,
    now: datetime,
) -> WorkOrderEvent:
    return WorkOrderEvent(
        order_id=order.id,
        seq=seq,
        action=SystemEvent.ESCALATED.value,
        from_status=order.status,
        to_status=order.status,
        actor=SYSTEM_ACTOR,
        actor_role=None,
        at=now,
        reason=step.message,
        data={
            "step": step.name,
            "clock": step.clock.value,
            "effect": step.effect.value,
            "due_at": due_at.isoformat(),
            "deadline_version": order.deadline_version,
            "recipients": [recipient.value for recipient in step.recipients],
        },
    )


async def escalate_due(
    store: WorkOrderStore,
    notifier: Notifier,
    clock: Clock,
    rules: Rules,
    limit: int = 100,
) -> EscalationRun:
    """Apply every escalation step that has fallen due, each exactly once.

    Orders are selected by ``next_escalation_at`` and handled one per transaction, so one
    order's failure does not stop the sweep. A step whose key is already recorded was applied
    by another sweeper: it is marked done here too, without a second notification.
    """
    now = _now(clock)
    due = await store.select_due_for_escalation(now, limit)
    return await escalate_orders(store, notifier, now, rules, due)


async def escalate_orders(
    store: WorkOrderStore,
    notifier: Notifier,
    now: datetime,
    rules: Rules,
    order_ids: Iterable[str],
) -> EscalationRun:
    """``escalate_due`` for the given orders: one transaction per order, failures isolated.

    A batch sweeper falls back on it when a batch write fails, to find the order at fault
    without holding back the others.
    """
    run = EscalationRun()
    for order_id in order_ids:
        try:
            async with store.transaction():
                order = await store.get_for_update(order_id)
                if order is None:
                    run.skipped_locked.append(order_id)
                    continue
                plan = plan_escalation(order, now, rules)
                recorded = {key for key in plan.keys if await store.record_escalation(key)}
                outcome = settle_escalation(plan, recorded, now)
                for event in outcome.events:
                    await store.append_event(event)
                for notice in outcome.notices:
                    await notifier.notify(
                        notice.recipient, notice.kind, notice.order_id, notice.message
                    )
                await store.save(outcome.order)
            # Counted once committed: the buffered writes can still fail as the block ends.
            run.applied.extend(outcome.applied)
        except WorkOrderError as exc:
            run.failed[order_id] = str(exc)
    return run


@dataclass
class RecomputeRun:
    changes: dict[str, sla.DeadlineChange] = field(default_factory=dict)
    skipped_locked: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


async def recompute_open_orders(
    store: WorkOrderStore,
    clock: Clock,
    rules: Rules,
    reason: str,
    adopt_policy: sla.SlaPolicy | None = None,
) -> RecomputeRun:
    """After a calendar edit (or to move open orders to ``adopt_policy``), recompute deadlines.

    Each order whose deadlines change gets a ``deadlines_recomputed`` history entry with the
    reason and the before/after values. Orders locked by someone else are listed so the caller
    can retry them; an order whose new deadline falls in an unloaded year is listed as failed.
    """
    now = _now(clock)
    run = RecomputeRun()
    for order_id in await store.open_order_ids():
        try:
            async with store.transaction():
                order = await store.get_for_update(order_id)
                if order is None:
                    run.skipped_locked.append(order_id)
                    continue
                policy = adopt_policy or rules.policies.get(order.policy_version)
                updated, change = sla.recompute_deadlines(order, policy, rules.calendar, reason)
                updated = _with_next_escalation(updated, rules)
                if change is not None:
                    updated = replace(updated, history_length=order.history_length + 1)
                    await store.append_event(_recomputed_event(updated, change, now))
                    run.changes[order_id] = change
                if updated != order:
                    await _save(store, updated)
        except WorkOrderError as exc:
            run.failed[order_id] = str(exc)
    return run


def _recomputed_event(
    order: WorkOrder, change: sla.DeadlineChange, now: datetime
) -> WorkOrderEvent:
    return WorkOrderEvent(
        order_id=order.id,
        seq=order.history_length,
        action=SystemEvent.DEADLINES_RECOMPUTED.value,
        from_status=order.status,
        to_status=order.status,
        actor=SYSTEM_ACTOR,
        actor_role=None,
        at=now,
        reason=change.reason,
        data=change.as_data(),
    )
