"""Work-order values: the order itself, its append-only history entries, and their vocabulary.

Everything here is a frozen dataclass or an enum; changes produce new values
(``dataclasses.replace``), so a refused transition cannot have half-changed anything.
Timestamps are timezone-aware (UTC when stored; the calendar converts to Asia/Shanghai).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from workorders.calendar import Interval, WorkingDuration


class Status(StrEnum):
    NEW = "new"  # 受理: created, not yet dispatched
    DISPATCHED = "dispatched"  # 派单: sent to a department, waiting for 签收
    ACKNOWLEDGED = "acknowledged"  # 签收
    IN_PROGRESS = "in_progress"  # 办理
    RESOLVED = "resolved"  # 办结: answered, waiting for the follow-up call
    FOLLOWED_UP = "followed_up"  # 回访 done, satisfaction recorded
    CLOSED = "closed"
    RETURNED = "returned"  # 退单: back with the dispatcher, department cleared
    MERGED = "merged"  # 合并办结: a duplicate folded into another order


OPEN_STATUSES: frozenset[Status] = frozenset(
    {
        Status.NEW,
        Status.DISPATCHED,
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.RESOLVED,
        Status.RETURNED,
    }
)
"""Statuses whose deadlines still matter (a policy or calendar change recomputes them)."""

UNRESOLVED_STATUSES: frozenset[Status] = frozenset(
    {Status.NEW, Status.DISPATCHED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RETURNED}
)
"""Statuses in which the resolution time limit is running."""


class Category(StrEnum):
    ENQUIRY = "enquiry"  # 咨询
    REPORT = "report"  # 举报 (a report of a tax violation)
    COMPLAINT = "complaint"  # 投诉
    SUGGESTION = "suggestion"  # 建议
    HELP = "help"  # 求助


class Priority(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"  # same-day handling


class Role(StrEnum):
    """The service's role names (the same strings as ``hotline.roles.Role``)."""

    AGENT = "agent"
    SPECIALIST = "specialist"
    LIAISON = "liaison"
    SUPERVISOR = "supervisor"
    DIRECTOR = "director"
    OPS = "ops"
    ADMIN = "admin"


ROLES_SEEING_PERSONAL_DATA: frozenset[Role] = frozenset(
    {Role.AGENT, Role.SPECIALIST, Role.LIAISON, Role.SUPERVISOR, Role.ADMIN}
)
"""Roles that handle the taxpayer directly; directors and ops read masked data only."""


class Action(StrEnum):
    """What a person does to an order; the lifecycle table says who may do it and when."""

    CREATE = "create"
    DISPATCH = "dispatch"
    ACKNOWLEDGE = "acknowledge"
    START = "start"
    RESOLVE = "resolve"
    FOLLOW_UP = "follow_up"
    CLOSE = "close"
    RETURN = "return"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REFUSE_EXTENSION = "refuse_extension"
    SUPERVISE = "supervise"
    REOPEN = "reopen"
    MERGE = "merge"
    PAUSE = "pause"
    RESUME = "resume"


class SystemEvent(StrEnum):
    """History entries written by the system rather than by a person's action."""

    DEADLINES_RECOMPUTED = "deadlines_recomputed"
    ESCALATED = "escalated"
    DUPLICATE_MERGED = "duplicate_merged"  # written on the order that absorbed a duplicate


SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class Actor:
    """Who acts: a user id, the roles they hold, and their department (specialists, liaisons)."""

    user_id: str
    roles: frozenset[Role]
    department_id: str | None = None


@dataclass(frozen=True)
class Taxpayer:
    """The caller's personal data, kept apart from the order so it can be masked in one place."""

    name: str = ""
    phone: str = ""
    taxpayer_number: str = ""  # 纳税人识别号 (unified social credit code or ID number)
    organisation: str = ""

    def masked(self) -> Taxpayer:
        return Taxpayer(
            name=_mask(self.name, keep_start=1, keep_end=0),
            phone=_mask(self.phone, keep_start=3, keep_end=4),
            taxpayer_number=_mask(self.taxpayer_number, keep_start=4, keep_end=4),
            organisation=self.organisation,  # an organisation's name is not personal data
        )

    def same_person(self, other: Taxpayer) -> bool:
        """Same taxpayer number, or (without one) the same phone number."""
        if self.taxpayer_number and other.taxpayer_number:
            return self.taxpayer_number == other.taxpayer_number
        return bool(self.phone) and self.phone == other.phone


def _mask(text: str, keep_start: int, keep_end: int) -> str:
    if len(text) <= keep_start + keep_end:
        return "*" * len(text)
    tail = text[len(text) - keep_end :] if keep_end else ""
    return text[:keep_start] + "*" * (len(text) - keep_start - keep_end) + tail


@dataclass(frozen=True)
class ExtensionRequest:
    requested_by: str
    requested_at: datetime
    amount: WorkingDuration
    reason: str


@dataclass(frozen=True)
class WorkOrder:
    id: str
    reference: str  # the number read to the taxpayer, e.g. 12366-20260213-0007
    category: Category
    priority: Priority
    status: Status
    subject: str
    description: str
    taxpayer: Taxpayer
    created_by: str
    created_at: datetime
    policy_version: int
    call_id: str | None = None  # the call it came from; None when created by hand
    call_summary_id: str | None = None
    department_id: str | None = None
    handler: str | None = None  # the specialist or liaison who acknowledged it
    dispatcher: str | None = None  # the supervisor who dispatched it (returns go back to them)
    answer: str | None = None
    satisfaction: int | None = None  # 1-5 from the follow-up call
    # Moments that start or stop the time limits.
    dispatched_at: datetime | None = None
    acknowledged_at: datetime | None = None
    resolution_started_at: datetime | None = None  # created_at, or the last reopen
    resolved_at: datetime | None = None
    followed_up_at: datetime | None = None
    closed_at: datetime | None = None
    # Deadlines and what they were computed from.
    deadline_version: int = 0
    ack_due_at: datetime | None = None
    resolve_due_at: datetime | None = None
    follow_up_due_at: datetime | None = None
    granted_extensions: tuple[WorkingDuration, ...] = ()
    paused_intervals: tuple[Interval, ...] = ()
    paused_since: datetime | None = None  # waiting for the taxpayer; deadlines frozen meanwhile
    extension_request: ExtensionRequest | None = None  # a pending 延期 request
    supervised: bool = False  # 督办
    overdue: bool = False  # set by the escalation ladder, kept for the director's report
    merged_into: str | None = None
    # Escalation bookkeeping for the current deadline_version ("clock:step" names).
    escalations_done: frozenset[str] = frozenset()
    next_escalation_at: datetime | None = None
    # Number of history entries; the next event's seq is history_length + 1.
    history_length: int = 0
    # Bumped on every save; the store refuses a save from a stale copy.
    revision: int = 0

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None

    @property
    def extension_pending(self) -> bool:
        return self.extension_request is not None


@dataclass(frozen=True)
class WorkOrderEvent:
    """One append-only history entry. Kept forever; never updated."""

    order_id: str
    seq: int
    action: str  # an Action or a SystemEvent value
    from_status: Status | None
    to_status: Status
    actor: str
    actor_role: Role | None  # the role under which the actor acted; None for the system
    at: datetime
    reason: str = ""
    data: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", MappingProxyType(dict(self.data)))
