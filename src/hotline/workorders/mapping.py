"""Conversion between ``work_order`` rows and ``workorders.model.WorkOrder`` values.

The domain speaks in strings for ids (user, department, call); the database in integers. Working
durations are stored as their text ("2 working days"), which ``WorkingDuration.parse`` reads back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table

from hotline.db.models import WorkOrderEventRow, WorkOrderRow
from workorders.calendar import Interval, WorkingDuration
from workorders.model import (
    Category,
    ExtensionRequest,
    Priority,
    Role,
    Status,
    Taxpayer,
    WorkOrder,
    WorkOrderEvent,
)

ORDER_TABLE = cast(Table, WorkOrderRow.__table__)
EVENT_TABLE = cast(Table, WorkOrderEventRow.__table__)


def int_id(value: str | None) -> int | None:
    return int(value) if value is not None else None


def str_id(value: int | None) -> str | None:
    return str(value) if value is not None else None


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _pauses_to_data(pauses: tuple[Interval, ...]) -> list[list[str]]:
    return [[_iso(start), _iso(end)] for start, end in pauses]


def _pauses_from_data(data: list[list[str]] | None) -> tuple[Interval, ...]:
    return tuple(
        (datetime.fromisoformat(start), datetime.fromisoformat(end)) for start, end in data or []
    )


def _request_to_data(request: ExtensionRequest | None) -> dict[str, Any] | None:
    if request is None:
        return None
    return {
        "requested_by": request.requested_by,
        "requested_at": _iso(request.requested_at),
        "amount": str(request.amount),
        "reason": request.reason,
    }


def _request_from_data(data: Mapping[str, Any] | None) -> ExtensionRequest | None:
    if not data:
        return None
    return ExtensionRequest(
        requested_by=str(data["requested_by"]),
        requested_at=datetime.fromisoformat(str(data["requested_at"])),
        amount=WorkingDuration.parse(str(data["amount"])),
        reason=str(data.get("reason", "")),
    )


def order_values(order: WorkOrder) -> dict[str, Any]:
    """Column values for an INSERT or UPDATE of ``order``."""
    return {
        "id": order.id,
        "reference": order.reference,
        "category": order.category.value,
        "priority": order.priority.value,
        "status": order.status.value,
        "subject": order.subject,
        "description": order.description,
        "taxpayer_name": order.taxpayer.name,
        "taxpayer_phone": order.taxpayer.phone,
        "taxpayer_number": order.taxpayer.taxpayer_number,
        "taxpayer_organisation": order.taxpayer.organisation,
        "created_by": int(order.created_by),
        "created_at": order.created_at,
        "policy_version": order.policy_version,
        "call_id": int_id(order.call_id),
        "call_summary_id": order.call_summary_id,
        "department_id": int_id(order.department_id),
        "handler_user_id": int_id(order.handler),
        "dispatcher_user_id": int_id(order.dispatcher),
        "answer": order.answer,
        "satisfaction": order.satisfaction,
        "dispatched_at": order.dispatched_at,
        "acknowledged_at": order.acknowledged_at,
        "resolution_started_at": order.resolution_started_at,
        "resolved_at": order.resolved_at,
        "followed_up_at": order.followed_up_at,
        "closed_at": order.closed_at,
        "deadline_version": order.deadline_version,
        "ack_due_at": order.ack_due_at,
        "resolve_due_at": order.resolve_due_at,
        "follow_up_due_at": order.follow_up_due_at,
        "granted_extensions": [str(amount) for amount in order.granted_extensions],
        "paused_intervals": _pauses_to_data(order.paused_intervals),
        "paused_since": order.paused_since,
        "extension_request": _request_to_data(order.extension_request),
        "supervised": order.supervised,
        "overdue": order.overdue,
        "merged_into": order.merged_into,
        "escalations_done": sorted(order.escalations_done),
        "next_escalation_at": order.next_escalation_at,
        "history_length": order.history_length,
        "revision": order.revision,
    }


def order_from_row(row: Row[Any] | Mapping[str, Any]) -> WorkOrder:
    """The domain value of a ``work_order`` row (a Core row or a mapping of its columns)."""
    values: Mapping[Any, Any] = row._mapping if isinstance(row, Row) else row
    return WorkOrder(
        id=values["id"],
        reference=values["reference"],
        category=Category(values["category"]),
        priority=Priority(values["priority"]),
        status=Status(values["status"]),
        subject=values["subject"],
        description=values["description"],
        taxpayer=Taxpayer(
            name=values["taxpayer_name"],
            phone=values["taxpayer_phone"],
            taxpayer_number=values["taxpayer_number"],
            organisation=values["taxpayer_organisation"],
        ),
        created_by=str(values["created_by"]),
        created_at=values["created_at"],
        policy_version=values["policy_version"],
        call_id=str_id(values["call_id"]),
        call_summary_id=values["call_summary_id"],
        department_id=str_id(values["department_id"]),
        handler=str_id(values["handler_user_id"]),
        dispatcher=str_id(values["dispatcher_user_id"]),
        answer=values["answer"],
        satisfaction=values["satisfaction"],
        dispatched_at=values["dispatched_at"],
        acknowledged_at=values["acknowledged_at"],
        resolution_started_at=values["resolution_started_at"],
        resolved_at=values["resolved_at"],
        followed_up_at=values["followed_up_at"],
        closed_at=values["closed_at"],
        deadline_version=values["deadline_version"],
        ack_due_at=values["ack_due_at"],
        resolve_due_at=values["resolve_due_at"],
        follow_up_due_at=values["follow_up_due_at"],
        granted_extensions=tuple(
            WorkingDuration.parse(text) for text in values["granted_extensions"] or []
        ),
        paused_intervals=_pauses_from_data(values["paused_intervals"]),
        paused_since=values["paused_since"],
        extension_request=_request_from_data(values["extension_request"]),
        supervised=values["supervised"],
        overdue=values["overdue"],
        merged_into=values["merged_into"],
        escalations_done=frozenset(values["escalations_done"] or []),
        next_escalation_at=values["next_escalation_at"],
        history_length=values["history_length"],
        revision=values["revision"],
    )


def event_values(event: WorkOrderEvent) -> dict[str, Any]:
    return {
        "order_id": event.order_id,
        "seq": event.seq,
        "action": event.action,
        "from_status": event.from_status.value if event.from_status else None,
        "to_status": event.to_status.value,
        "actor": event.actor,
        "actor_role": event.actor_role.value if event.actor_role else None,
        "at": event.at,
        "reason": event.reason,
        "data": _jsonable(dict(event.data)),
    }


def _jsonable(value: object) -> Any:
    """History data as JSON: nested mappings and sequences of plain values."""
    # Plain values first: they are most of the leaves, and the ABC check for Mapping is slow.
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict | Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def event_from_row(row: Row[Any] | Mapping[str, Any]) -> WorkOrderEvent:
    values: Mapping[Any, Any] = row._mapping if isinstance(row, Row) else row
    return WorkOrderEvent(
        order_id=values["order_id"],
        seq=values["seq"],
        action=values["action"],
        from_status=Status(values["from_status"]) if values["from_status"] else None,
        to_status=Status(values["to_status"]),
        actor=values["actor"],
        actor_role=Role(values["actor_role"]) if values["actor_role"] else None,
        at=values["at"],
        reason=values["reason"],
        data=values["data"] or {},
    )
