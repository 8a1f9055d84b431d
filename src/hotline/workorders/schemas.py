"""Request and response bodies of the work-order, calendar, report and inbox endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from hotline.schemas.base import Schema, trusted
from hotline.schemas.page import Page
from workorders.calendar import DayKind
from workorders.model import Category, Priority, Status, Taxpayer, WorkOrder, WorkOrderEvent

Text = Annotated[str, StringConstraints(max_length=4000)]


class TaxpayerIn(Schema):
    name: Annotated[str, StringConstraints(max_length=120)] = ""
    phone: Annotated[str, StringConstraints(max_length=32)] = ""
    taxpayer_number: Annotated[str, StringConstraints(max_length=32)] = ""
    organisation: Annotated[str, StringConstraints(max_length=200)] = ""


class TaxpayerRead(Schema):
    name: str
    phone: str
    taxpayer_number: str
    organisation: str
    masked: bool


class WorkOrderCreate(Schema):
    category: Category
    priority: Priority = Priority.NORMAL
    subject: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    description: Text = ""
    taxpayer: TaxpayerIn = TaxpayerIn()
    call_id: int | None = Field(default=None, description="the call it came from (agents: yours)")
    call_summary_id: Annotated[str, StringConstraints(max_length=64)] | None = None


class ActionPayload(Schema):
    """Fields an action may take; the lifecycle table says which ones each action needs."""

    reason: Text | None = None
    department_id: int | None = Field(default=None, description="dispatch: the department")
    answer: Text | None = Field(default=None, description="resolve: the answer (答复)")
    satisfaction: int | None = Field(default=None, description="follow_up: 1-5")
    note: Text | None = None
    amount: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        default=None, description="request_extension: e.g. '2 working days'"
    )
    into: Annotated[str, StringConstraints(max_length=36)] | None = Field(
        default=None, description="merge: the id of the order to keep"
    )


class WorkOrderRead(Schema):
    id: str
    reference: str
    category: Category
    priority: Priority
    status: Status
    subject: str
    description: str
    taxpayer: TaxpayerRead
    created_by: int
    created_at: datetime
    call_id: int | None
    department_id: int | None
    handler_user_id: int | None
    dispatcher_user_id: int | None
    answer: str | None
    satisfaction: int | None
    dispatched_at: datetime | None
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    followed_up_at: datetime | None
    closed_at: datetime | None
    policy_version: int
    deadline_version: int
    ack_due_at: datetime | None
    resolve_due_at: datetime | None
    follow_up_due_at: datetime | None
    granted_extensions: list[str]
    extension_requested: str | None
    paused: bool
    supervised: bool
    overdue: bool
    merged_into: str | None
    next_escalation_at: datetime | None
    revision: int

    @classmethod
    def of(cls, order: WorkOrder, masked: bool) -> WorkOrderRead:
        fields = _read_fields(order, masked)
        fields["taxpayer"] = TaxpayerRead(**fields["taxpayer"])
        return cls(**fields)

    @classmethod
    def unvalidated(cls, order: WorkOrder, masked: bool) -> WorkOrderRead:
        """The same value as ``of`` without pydantic's field-by-field validation, for list pages.

        Every value comes from a domain ``WorkOrder`` read from typed columns, so validation
        only repeated what the types already say (and the NUL check, which stored text passes):
        a page of orders validated row by row was the largest share of a ``/workorders``
        request's CPU. What validation did change is kept: text is stripped of surrounding
        whitespace (the schema's ``str_strip_whitespace``; a diverted question's description
        can end with a space). ``tests/hotline/workorders/test_list_unvalidated.py`` holds the
        two to the same JSON. Only the fields that can hold text are looked at (a fifth of them,
        listed from the schemas' own types below)."""
        fields = _read_fields(order, masked)
        for name in _ORDER_TEXT:
            fields[name] = _stripped(fields[name])
        taxpayer = fields["taxpayer"]
        for name in _TAXPAYER_TEXT:
            taxpayer[name] = _stripped(taxpayer[name])
        fields["taxpayer"] = trusted(TaxpayerRead, taxpayer)
        return trusted(cls, fields)


def _read_fields(order: WorkOrder, masked: bool) -> dict[str, Any]:
    """The fields of a ``WorkOrderRead`` (the taxpayer as a mapping of ``TaxpayerRead``'s)."""
    taxpayer: Taxpayer = order.taxpayer.masked() if masked else order.taxpayer
    request = order.extension_request
    return {
        "id": order.id,
        "reference": order.reference,
        "category": order.category,
        "priority": order.priority,
        "status": order.status,
        "subject": order.subject,
        "description": order.description,
        "taxpayer": {
            "name": taxpayer.name,
            "phone": taxpayer.phone,
            "taxpayer_number": taxpayer.taxpayer_number,
            "organisation": taxpayer.organisation,
            "masked": masked,
        },
        "created_by": int(order.created_by),
        "created_at": order.created_at,
        "call_id": _int(order.call_id),
        "department_id": _int(order.department_id),
        "handler_user_id": _int(order.handler),
        "dispatcher_user_id": _int(order.dispatcher),
        "answer": order.answer,
        "satisfaction": order.satisfaction,
        "dispatched_at": order.dispatched_at,
        "acknowledged_at": order.acknowledged_at,
        "resolved_at": order.resolved_at,
        "followed_up_at": order.followed_up_at,
        "closed_at": order.closed_at,
        "policy_version": order.policy_version,
        "deadline_version": order.deadline_version,
        "ack_due_at": order.ack_due_at,
        "resolve_due_at": order.resolve_due_at,
        "follow_up_due_at": order.follow_up_due_at,
        "granted_extensions": [str(amount) for amount in order.granted_extensions],
        "extension_requested": str(request.amount) if request else None,
        "paused": order.is_paused,
        "supervised": order.supervised,
        "overdue": order.overdue,
        "merged_into": order.merged_into,
        "next_escalation_at": order.next_escalation_at,
        "revision": order.revision,
    }


def _stripped(value: Any) -> Any:
    """A value as the schema's ``str_strip_whitespace`` leaves it (enums are not plain text)."""
    if type(value) is str:
        return value.strip()
    if type(value) is list:
        return [_stripped(item) for item in value]
    return value


def _text_fields(model: type[Schema]) -> tuple[str, ...]:
    """The fields of ``model`` typed as text (a string, an optional one, a list of them): the
    only ones whose values ``str_strip_whitespace`` changes."""
    text: tuple[object, ...] = (str, str | None, list[str])
    return tuple(name for name, field in model.model_fields.items() if field.annotation in text)


_ORDER_TEXT = _text_fields(WorkOrderRead)
_TAXPAYER_TEXT = _text_fields(TaxpayerRead)


def _int(value: str | None) -> int | None:
    return int(value) if value is not None else None


class EventRead(Schema):
    seq: int
    action: str
    from_status: Status | None
    to_status: Status
    actor: str
    actor_role: str | None
    at: datetime
    reason: str
    data: dict[str, Any]

    @classmethod
    def of(cls, event: WorkOrderEvent) -> EventRead:
        return cls(
            seq=event.seq,
            action=event.action,
            from_status=event.from_status,
            to_status=event.to_status,
            actor=event.actor,
            actor_role=event.actor_role.value if event.actor_role else None,
            at=event.at,
            reason=event.reason,
            data=dict(event.data),
        )


class WorkOrderDetail(WorkOrderRead):
    history: list[EventRead]
    allowed_actions: list[str] = Field(
        default_factory=list,
        description="the actions you may take now (the lifecycle table applied to you)",
    )


WorkOrderPage = Page[WorkOrderRead]


class SlaPolicyCreate(Schema):
    targets: dict[str, dict[str, str]] = Field(
        description="'category/priority' -> {acknowledge, resolve, follow_up} working durations"
    )
    note: Annotated[str, StringConstraints(max_length=500)] = ""
    adopt_open_orders: bool = Field(
        default=False,
        description="move open orders to this version now (their deadlines are recomputed)",
    )


class SlaPolicyRead(Schema):
    version: int
    note: str
    targets: dict[str, dict[str, str]]


class RecomputeSummary(Schema):
    reason: str
    orders_changed: int
    skipped_locked: list[str]
    failed: dict[str, str]


class SlaPolicyCreated(SlaPolicyRead):
    recomputed: RecomputeSummary | None


class CalendarDayRead(Schema):
    day: date
    kind: DayKind
    source: str
    note: str


class CalendarDayUpdate(Schema):
    kind: DayKind
    note: Annotated[str, StringConstraints(max_length=200)] = ""


class CalendarDayChanged(CalendarDayRead):
    recomputed: RecomputeSummary


class CalendarSeeded(Schema):
    year: int
    days_written: int
    recomputed: RecomputeSummary


class WorkingPeriods(Schema):
    periods: list[tuple[str, str]] = Field(
        description="local HH:MM pairs in order, e.g. [['09:00','12:00'],['13:30','17:00']]"
    )


class WorkingPeriodsChanged(WorkingPeriods):
    recomputed: RecomputeSummary


class CalendarYearLoaded(Schema):
    year: int
    status: str = Field(description="official, or draft (not from a published notice)")
    notice: dict[str, str]
    days_written: int
    days_kept: int = Field(description="days an admin set by hand, kept (see overwrite)")
    recomputed: RecomputeSummary


class CalendarOverview(Schema):
    loaded_years: list[int]
    periods: list[tuple[str, str]]
    warnings: list[str]
    days: list[CalendarDayRead]


class NotificationRead(Schema):
    id: int
    kind: str
    order_id: str | None
    message: str
    created_at: datetime
    read_at: datetime | None


class InboxPage(Schema):
    items: list[NotificationRead]
    unread: int
    limit: int = 100
    next: str | None = Field(default=None, description="the URL of the next (older) page")
