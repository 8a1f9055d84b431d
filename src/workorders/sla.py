"""SLA policies as versioned data, and the deadlines they give an order.

Three time limits run on an order, each in working time on the calendar:

* acknowledgement (签收): from the (last) dispatch until the department acknowledges;
* resolution (办结): from acceptance (or the last reopen) until the answer, plus every approved
  extension, minus the time paused waiting for the taxpayer;
* follow-up (回访): from the resolution until the taxpayer is called back.

An order freezes the policy version it was created under. Only a deliberate policy change, or a
calendar change, moves the deadlines of open orders; ``recompute_deadlines`` says what moved and
why so the history can keep it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import MappingProxyType

from workorders.calendar import WorkCalendar, WorkingDuration
from workorders.errors import SlaPolicyError
from workorders.model import Category, Priority, Status, WorkOrder


@dataclass(frozen=True)
class SlaTarget:
    acknowledge: WorkingDuration
    resolve: WorkingDuration
    follow_up: WorkingDuration


@dataclass(frozen=True)
class SlaPolicy:
    """Targets for every (category, priority); incomplete policies are refused up front."""

    version: int
    targets: Mapping[tuple[Category, Priority], SlaTarget]
    note: str = ""

    def __post_init__(self) -> None:
        missing = [
            f"{category.value}/{priority.value}"
            for category in Category
            for priority in Priority
            if (category, priority) not in self.targets
        ]
        if missing:
            raise SlaPolicyError(
                f"SLA policy version {self.version} has no target for: {', '.join(missing)}"
            )
        object.__setattr__(self, "targets", MappingProxyType(dict(self.targets)))

    def target_for(self, category: Category, priority: Priority) -> SlaTarget:
        return self.targets[(category, priority)]


@dataclass(frozen=True)
class SlaPolicyBook:
    """Every policy version ever used: orders keep theirs, new orders take the latest."""

    policies: Mapping[int, SlaPolicy] = field(default_factory=dict)

    @classmethod
    def of(cls, policies: Iterable[SlaPolicy]) -> SlaPolicyBook:
        book: dict[int, SlaPolicy] = {}
        for policy in policies:
            if policy.version in book:
                raise SlaPolicyError(f"SLA policy version {policy.version} is defined twice")
            book[policy.version] = policy
        if not book:
            raise SlaPolicyError("at least one SLA policy is needed")
        return cls(MappingProxyType(book))

    @property
    def current(self) -> SlaPolicy:
        return self.policies[max(self.policies)]

    def get(self, version: int) -> SlaPolicy:
        try:
            return self.policies[version]
        except KeyError:
            known = ", ".join(str(v) for v in sorted(self.policies))
            raise SlaPolicyError(f"unknown SLA policy version {version} (known: {known})") from None


def default_sla_policy() -> SlaPolicy:
    """Time limits in the spirit of the published 12345/12366 rules (see DOMAIN.md).

    Enquiries 3 working days, help and suggestions 10, complaints and reports 15; urgent orders
    the same day (4 working hours). Acknowledgement within 4 working hours (1 when urgent);
    the taxpayer is called back within 1 working day of the answer.
    """
    resolve_days = {
        Category.ENQUIRY: 3,
        Category.HELP: 10,
        Category.SUGGESTION: 10,
        Category.COMPLAINT: 15,
        Category.REPORT: 15,
    }
    targets: dict[tuple[Category, Priority], SlaTarget] = {}
    for category, days in resolve_days.items():
        targets[(category, Priority.NORMAL)] = SlaTarget(
            acknowledge=WorkingDuration(hours=4),
            resolve=WorkingDuration(days=days),
            follow_up=WorkingDuration(days=1),
        )
        targets[(category, Priority.URGENT)] = SlaTarget(
            acknowledge=WorkingDuration(hours=1),
            resolve=WorkingDuration(hours=4),
            follow_up=WorkingDuration(days=1),
        )
    return SlaPolicy(1, targets, note="default: DOMAIN.md time limits")


@dataclass(frozen=True)
class Deadlines:
    ack_due_at: datetime | None = None
    resolve_due_at: datetime | None = None
    follow_up_due_at: datetime | None = None

    def as_data(self) -> dict[str, str | None]:
        """ISO strings, for history entries."""
        return {
            name: (value.isoformat() if value is not None else None)
            for name, value in (
                ("ack_due_at", self.ack_due_at),
                ("resolve_due_at", self.resolve_due_at),
                ("follow_up_due_at", self.follow_up_due_at),
            )
        }


def deadlines_of(order: WorkOrder) -> Deadlines:
    return Deadlines(order.ack_due_at, order.resolve_due_at, order.follow_up_due_at)


def compute_deadlines(order: WorkOrder, policy: SlaPolicy, calendar: WorkCalendar) -> Deadlines:
    """The deadlines ``order`` has under ``policy`` and ``calendar``, from its own timestamps (UTC).

    A clock that has not started (no dispatch yet, no answer yet) gives no deadline; a merged
    order has none. The acknowledgement deadline disappears once acknowledged, since it was met
    or missed; the report reads the timestamps for that.
    """
    if order.status is Status.MERGED:
        return Deadlines()
    target = policy.target_for(order.category, order.priority)
    paused = order.paused_intervals
    ack_due = None
    if order.dispatched_at is not None and order.acknowledged_at is None:
        ack_due = calendar.add_working_time(order.dispatched_at, target.acknowledge, paused)
    resolution_time = target.resolve
    for extension in order.granted_extensions:
        resolution_time = resolution_time + extension
    started = order.resolution_started_at or order.created_at
    resolve_due = calendar.add_working_time(started, resolution_time, paused)
    follow_up_due = None
    if order.resolved_at is not None:
        follow_up_due = calendar.add_working_time(order.resolved_at, target.follow_up)
    return Deadlines(_utc(ack_due), _utc(resolve_due), _utc(follow_up_due))


def _utc(moment: datetime | None) -> datetime | None:
    # Stored values are UTC; the calendar works (and answers) in Asia/Shanghai.
    return moment.astimezone(UTC) if moment is not None else None


@dataclass(frozen=True)
class DeadlineChange:
    """What a recomputation moved, for the order's history."""

    reason: str
    before: Deadlines
    after: Deadlines
    policy_version_before: int
    policy_version_after: int
    deadline_version: int  # the order's new deadline version

    def as_data(self) -> dict[str, object]:
        return {
            "before": self.before.as_data(),
            "after": self.after.as_data(),
            "policy_version_before": self.policy_version_before,
            "policy_version_after": self.policy_version_after,
            "deadline_version": self.deadline_version,
        }


def recompute_deadlines(
    order: WorkOrder, policy: SlaPolicy, calendar: WorkCalendar, reason: str
) -> tuple[WorkOrder, DeadlineChange | None]:
    """Apply ``policy`` and ``calendar`` to ``order``; the change, or None if nothing moved.

    ``deadline_version`` is bumped when a deadline moves or a clock (re)starts, not when one
    merely ends (acknowledging clears the acknowledgement deadline). Escalation steps are keyed
    by deadline version, so a reminder about a deadline that moved is sent again about the new
    one, while acknowledging does not repeat the reminders about the resolution deadline.
    """
    before = deadlines_of(order)
    after = compute_deadlines(order, policy, calendar)
    if after == before and policy.version == order.policy_version:
        return order, None
    pairs = (
        (before.ack_due_at, after.ack_due_at),
        (before.resolve_due_at, after.resolve_due_at),
        (before.follow_up_due_at, after.follow_up_due_at),
    )
    moved = any(new is not None and new != old for old, new in pairs)
    version = order.deadline_version + 1 if moved else order.deadline_version
    updated = replace(
        order,
        ack_due_at=after.ack_due_at,
        resolve_due_at=after.resolve_due_at,
        follow_up_due_at=after.follow_up_due_at,
        policy_version=policy.version,
        deadline_version=version,
        escalations_done=frozenset() if moved else order.escalations_done,
    )
    change = DeadlineChange(reason, before, after, order.policy_version, policy.version, version)
    return updated, change
