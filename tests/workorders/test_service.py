"""Use cases against the in-memory store, a fixed clock and a recording notifier."""

from __future__ import annotations

import asyncio
from datetime import UTC, date

import pytest

from tests.workorders.builders import TAXPAYER, actor, at
from workorders.calendar import DayKind, WorkCalendar
from workorders.errors import InvalidPayloadError, WrongStateError
from workorders.escalation import EscalationKey, Recipient, SlaClock
from workorders.fakes import FixedClock, InMemoryWorkOrderStore, RecordingNotifier
from workorders.lifecycle import OrderDraft
from workorders.model import Action, Actor, Category, Priority, Role, Status, SystemEvent, WorkOrder
from workorders.service import (
    Rules,
    apply_action,
    create_order,
    escalate_due,
    recompute_open_orders,
)
from workorders.sla import SlaPolicy, SlaPolicyBook, SlaTarget, default_sla_policy

MONDAY = at("2026-03-02 09:00")
AGENT = actor(Role.AGENT, None, "agent-7")
SUPERVISOR = actor(Role.SUPERVISOR, None, "sup-1")
LIAISON = actor(Role.LIAISON, "D1", "li-1")


@pytest.fixture
def rules(cal: WorkCalendar) -> Rules:
    return Rules(SlaPolicyBook.of([default_sla_policy()]), cal)


class World:
    def __init__(self, rules: Rules) -> None:
        self.store = InMemoryWorkOrderStore()
        self.clock = FixedClock(MONDAY)
        self.notifier = RecordingNotifier()
        self.rules = rules

    async def create(self, call_id: str = "call-1") -> WorkOrder:
        draft = OrderDraft(
            Category.ENQUIRY, Priority.NORMAL, "VAT exemption", taxpayer=TAXPAYER, call_id=call_id
        )
        order, _ = await create_order(self.store, self.clock, self.rules, AGENT, draft)
        return order

    async def act(self, order_id: str, action: Action, who: Actor, **payload: object) -> WorkOrder:
        order, _ = await apply_action(
            self.store,
            self.clock,
            self.rules,
            self.notifier,
            order_id,
            action,
            who,
            **payload,
        )
        return order

    async def dispatched(self) -> WorkOrder:
        order = await self.create()
        return await self.act(order.id, Action.DISPATCH, SUPERVISOR, department_id="D1")

    async def in_progress(self) -> WorkOrder:
        order = await self.dispatched()
        await self.act(order.id, Action.ACKNOWLEDGE, LIAISON)
        return await self.act(order.id, Action.START, LIAISON)


@pytest.mark.asyncio
async def test_create_sets_reference_deadlines_and_first_escalation(rules: Rules) -> None:
    world = World(rules)
    order = await world.create()
    second = await world.create("call-2")
    assert (order.reference, second.reference) == ("12366-20260302-0001", "12366-20260302-0002")
    assert order.resolve_due_at == at("2026-03-04 17:00")
    assert order.next_escalation_at == at("2026-03-03 13:00")
    stored_times = (order.created_at, order.resolve_due_at, order.next_escalation_at)
    assert all(moment is not None and moment.tzinfo is UTC for moment in stored_times)
    [event] = await world.store.events(order.id)
    assert event.data["deadlines"] == {
        "ack_due_at": None,
        "resolve_due_at": "2026-03-04T09:00:00+00:00",
        "follow_up_due_at": None,
    }


@pytest.mark.asyncio
async def test_the_closed_loop_keeps_every_step_in_the_history(rules: Rules) -> None:
    world = World(rules)
    order = await world.in_progress()
    await world.act(order.id, Action.RESOLVE, LIAISON, answer="Form A at the e-tax bureau")
    await world.act(order.id, Action.FOLLOW_UP, AGENT, satisfaction=5)
    closed = await world.act(order.id, Action.CLOSE, SUPERVISOR)
    assert closed.status is Status.CLOSED
    assert closed.next_escalation_at is None
    history = await world.store.events(order.id)
    assert [(e.seq, e.action, e.actor) for e in history] == [
        (1, "create", "agent-7"),
        (2, "dispatch", "sup-1"),
        (3, "acknowledge", "li-1"),
        (4, "start", "li-1"),
        (5, "resolve", "li-1"),
        (6, "follow_up", "agent-7"),
        (7, "close", "sup-1"),
    ]
    dispatch_notice = world.notifier.sent[0]
    assert (dispatch_notice.recipient.kind, dispatch_notice.recipient.department_id) == (
        Recipient.LIAISON,
        "D1",
    )


@pytest.mark.asyncio
async def test_a_refused_action_changes_nothing(rules: Rules) -> None:
    world = World(rules)
    order = await world.create()
    with pytest.raises(WrongStateError, match="dispatched first"):
        await world.act(order.id, Action.ACKNOWLEDGE, LIAISON)
    assert await world.store.get(order.id) == order
    assert len(await world.store.events(order.id)) == 1
    assert world.notifier.sent == []


@pytest.mark.asyncio
async def test_approved_extension_moves_the_deadline_and_rearms_the_ladder(rules: Rules) -> None:
    world = World(rules)
    order = await world.in_progress()
    await world.act(
        order.id, Action.REQUEST_EXTENSION, LIAISON, reason="archive", amount="2 working days"
    )
    extended = await world.act(order.id, Action.APPROVE_EXTENSION, SUPERVISOR)
    assert extended.resolve_due_at == at("2026-03-06 17:00")
    assert extended.deadline_version > order.deadline_version
    last = (await world.store.events(order.id))[-1]
    assert last.data["deadlines"]["resolve_due_at"] == "2026-03-06T09:00:00+00:00"  # type: ignore[index]


@pytest.mark.asyncio
async def test_pause_freezes_escalation_and_resume_extends_the_deadline(rules: Rules) -> None:
    world = World(rules)
    order = await world.in_progress()
    world.clock.set(at("2026-03-02 13:00"))
    paused = await world.act(order.id, Action.PAUSE, LIAISON, reason="waiting for invoices")
    assert paused.next_escalation_at is None
    world.clock.set(at("2026-03-03 13:00"))
    resumed = await world.act(order.id, Action.RESUME, LIAISON)
    assert resumed.resolve_due_at == at("2026-03-05 17:00")  # 8 working hours paused
    assert resumed.next_escalation_at is not None


@pytest.mark.asyncio
async def test_merge_records_the_duplicate_on_both_orders(rules: Rules) -> None:
    world = World(rules)
    keep = await world.create("call-1")
    duplicate = await world.create("call-2")
    merged = await world.act(duplicate.id, Action.MERGE, SUPERVISOR, into=keep.id)
    assert (merged.status, merged.merged_into) == (Status.MERGED, keep.id)
    assert merged.resolve_due_at is None
    kept_history = await world.store.events(keep.id)
    assert kept_history[-1].action == SystemEvent.DUPLICATE_MERGED
    assert kept_history[-1].data["duplicate_id"] == duplicate.id
    with pytest.raises(InvalidPayloadError, match="into"):
        await world.act(keep.id, Action.MERGE, SUPERVISOR)


@pytest.mark.asyncio
async def test_escalation_walks_the_ladder_once(rules: Rules) -> None:
    world = World(rules)
    order = await world.in_progress()
    world.clock.set(at("2026-03-03 13:00"))
    first = await escalate_due(world.store, world.notifier, world.clock, rules)
    again = await escalate_due(world.store, world.notifier, world.clock, rules)
    assert [key.step for key in first.applied] == ["remind_handler"]
    assert again.applied == []
    reminded = world.notifier.sent[-1]
    assert (reminded.recipient.kind, reminded.recipient.user_id) == (Recipient.HANDLER, "li-1")

    world.clock.set(at("2026-03-05 17:00"))
    late = await escalate_due(world.store, world.notifier, world.clock, rules)
    assert [key.step for key in late.applied] == ["warn_liaison", "overdue", "supervise"]
    stored = await world.store.get(order.id)
    assert (stored.overdue, stored.supervised, stored.next_escalation_at) == (True, True, None)
    kinds = [n.recipient.kind for n in world.notifier.sent if n.kind.startswith("escalation:")]
    assert kinds == [
        Recipient.HANDLER,
        Recipient.LIAISON,
        Recipient.DEPARTMENT_HEAD,
        Recipient.CENTRE_SUPERVISOR,
        Recipient.DIRECTOR_REPORT,
    ]
    escalated = [e for e in await world.store.events(order.id) if e.action == "escalated"]
    assert [e.data["step"] for e in escalated] == [
        "remind_handler",
        "warn_liaison",
        "overdue",
        "supervise",
    ]


@pytest.mark.asyncio
async def test_two_sweepers_apply_each_step_exactly_once(rules: Rules) -> None:
    world = World(rules)
    orders = [await world.in_progress() for _ in range(8)]
    world.clock.set(at("2026-03-05 17:00"))
    for _ in range(3):  # sweeps continue until nothing is left; conflicts are retried later
        await asyncio.gather(
            escalate_due(world.store, world.notifier, world.clock, rules, limit=5),
            escalate_due(world.store, world.notifier, world.clock, rules, limit=5),
        )
    keys = world.store.recorded_escalations
    assert len(keys) == len(orders) * 4
    escalation_notices = [n for n in world.notifier.sent if n.kind.startswith("escalation:")]
    assert len(escalation_notices) == len(orders) * 5  # supervise notifies two recipients
    for order in orders:
        history = await world.store.events(order.id)
        assert [e.seq for e in history] == list(range(1, len(history) + 1))
        assert sum(e.action == "escalated" for e in history) == 4
        assert (await world.store.get(order.id)).next_escalation_at is None


@pytest.mark.asyncio
async def test_a_step_recorded_elsewhere_is_not_applied_again(rules: Rules) -> None:
    world = World(rules)
    order = await world.in_progress()
    world.clock.set(at("2026-03-03 13:00"))
    # Another instance applied the reminder and committed, but this order row was read before.
    other = EscalationKey(order.id, SlaClock.RESOLVE, "remind_handler", order.deadline_version)
    assert await world.store.record_escalation(other)
    run = await escalate_due(world.store, world.notifier, world.clock, rules)
    assert run.applied == []
    assert [n for n in world.notifier.sent if n.kind.startswith("escalation:")] == []
    stored = await world.store.get(order.id)
    assert stored.escalations_done == frozenset({"resolve:remind_handler"})
    assert stored.next_escalation_at == at("2026-03-04 12:12")


@pytest.mark.asyncio
async def test_policy_change_recomputes_open_orders_and_says_why(rules: Rules) -> None:
    world = World(rules)
    open_order = await world.in_progress()
    finished = await world.in_progress()
    await world.act(finished.id, Action.RESOLVE, LIAISON, answer="a")
    await world.act(finished.id, Action.FOLLOW_UP, AGENT, satisfaction=4)
    await world.act(finished.id, Action.CLOSE, SUPERVISOR)
    targets = dict(default_sla_policy().targets)
    targets[(Category.ENQUIRY, Priority.NORMAL)] = SlaTarget(
        targets[(Category.ENQUIRY, Priority.NORMAL)].acknowledge,
        targets[(Category.HELP, Priority.NORMAL)].resolve,
        targets[(Category.ENQUIRY, Priority.NORMAL)].follow_up,
    )
    policy_2 = SlaPolicy(2, targets)
    run = await recompute_open_orders(
        world.store, world.clock, rules, "enquiries now 10 days", adopt_policy=policy_2
    )
    assert set(run.changes) == {open_order.id}
    moved = await world.store.get(open_order.id)
    assert (moved.policy_version, moved.resolve_due_at) == (2, at("2026-03-13 17:00"))
    last = (await world.store.events(open_order.id))[-1]
    assert (last.action, last.reason, last.actor) == (
        SystemEvent.DEADLINES_RECOMPUTED,
        "enquiries now 10 days",
        "system",
    )


@pytest.mark.asyncio
async def test_calendar_edit_recomputes_under_the_frozen_policy(rules: Rules) -> None:
    world = World(rules)
    order = await world.in_progress()
    edited = Rules(rules.policies, rules.calendar.with_days({date(2026, 3, 3): DayKind.HOLIDAY}))
    run = await recompute_open_orders(world.store, world.clock, edited, "Mar 3 declared off")
    assert run.changes[order.id].after.resolve_due_at == at("2026-03-05 17:00")
    unchanged = await recompute_open_orders(world.store, world.clock, edited, "again")
    assert unchanged.changes == {}
