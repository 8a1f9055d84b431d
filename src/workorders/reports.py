"""The on-time table (按期承办统计) per department and per handler, as rows, JSON and CSV.

The director's table must say how each figure is computed ("the computer speaks, not us"), so
the definitions live next to the code in ``COLUMN_DEFINITIONS`` and travel with every export.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta
from typing import TextIO

from workorders.calendar import WorkCalendar, require_aware
from workorders.errors import WorkOrderError
from workorders.model import Action, Status, WorkOrder, WorkOrderEvent

COLUMN_DEFINITIONS: Mapping[str, str] = {
    "group": "department, handler, or total",
    "key": "department id or handler user id; (unassigned) when the order has none",
    "due": "orders (merged duplicates excluded) whose resolution deadline falls in the period",
    "closed_on_time": "of those, resolved (办结) at or before the deadline, by the as-of time",
    "closed_late": "of those, resolved after the deadline, by the as-of time",
    "open": "of those, not resolved at the as-of time",
    "overdue": "of the open ones, those whose deadline had passed at the as-of time",
    "on_time_rate": "closed_on_time / due (按期办结率); empty when nothing was due",
    "mean_hours_to_acknowledge": "mean working hours from dispatch to 签收, due orders",
    "mean_hours_to_resolve": "mean working hours from acceptance (or reopen) to 办结, "
    "excluding time paused for the taxpayer, due orders",
    "extensions": "extensions approved in the period, by the order's department/handler",
    "returns": "orders returned (退单) in the period, by the returning department/handler",
    "follow_ups": "due orders with a follow-up call (回访) recorded",
    "mean_satisfaction": "mean follow-up satisfaction (1-5) of those",
}

UNASSIGNED = "(unassigned)"


@dataclass(frozen=True)
class ReportPeriod:
    start: datetime  # inclusive
    end: datetime  # exclusive

    def __post_init__(self) -> None:
        require_aware(self.start, "period start")
        require_aware(self.end, "period end")
        if self.end <= self.start:
            raise WorkOrderError(f"report period ends before it starts: {self.start} - {self.end}")

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class OnTimeRow:
    group: str
    key: str
    due: int
    closed_on_time: int
    closed_late: int
    open: int
    overdue: int
    on_time_rate: float | None
    mean_hours_to_acknowledge: float | None
    mean_hours_to_resolve: float | None
    extensions: int
    returns: int
    follow_ups: int
    mean_satisfaction: float | None


@dataclass
class _Tally:
    due: int = 0
    on_time: int = 0
    late: int = 0
    open: int = 0
    overdue: int = 0
    ack_times: list[timedelta] = field(default_factory=list)
    resolve_times: list[timedelta] = field(default_factory=list)
    extensions: int = 0
    returns: int = 0
    satisfaction: list[int] = field(default_factory=list)

    def row(self, group: str, key: str) -> OnTimeRow:
        return OnTimeRow(
            group=group,
            key=key,
            due=self.due,
            closed_on_time=self.on_time,
            closed_late=self.late,
            open=self.open,
            overdue=self.overdue,
            on_time_rate=round(self.on_time / self.due, 4) if self.due else None,
            mean_hours_to_acknowledge=_mean_hours(self.ack_times),
            mean_hours_to_resolve=_mean_hours(self.resolve_times),
            extensions=self.extensions,
            returns=self.returns,
            follow_ups=len(self.satisfaction),
            mean_satisfaction=(
                round(sum(self.satisfaction) / len(self.satisfaction), 2)
                if self.satisfaction
                else None
            ),
        )


def _mean_hours(durations: Sequence[timedelta]) -> float | None:
    if not durations:
        return None
    total = sum(durations, timedelta())
    return round(total.total_seconds() / 3600 / len(durations), 2)


def _count_due_order(
    tally: _Tally, order: WorkOrder, calendar: WorkCalendar, as_of: datetime
) -> None:
    assert order.resolve_due_at is not None
    tally.due += 1
    resolved = order.resolved_at is not None and order.resolved_at <= as_of
    if resolved and order.resolved_at is not None:
        if order.resolved_at <= order.resolve_due_at:
            tally.on_time += 1
        else:
            tally.late += 1
        started = order.resolution_started_at or order.created_at
        tally.resolve_times.append(
            calendar.working_time_between(started, order.resolved_at, order.paused_intervals)
        )
    else:
        tally.open += 1
        if order.resolve_due_at < as_of:
            tally.overdue += 1
    if order.dispatched_at is not None and order.acknowledged_at is not None:
        tally.ack_times.append(
            calendar.working_time_between(order.dispatched_at, order.acknowledged_at)
        )
    if order.satisfaction is not None:
        tally.satisfaction.append(order.satisfaction)


def on_time_table(
    orders: Iterable[WorkOrder],
    events: Iterable[WorkOrderEvent],
    period: ReportPeriod,
    calendar: WorkCalendar,
    as_of: datetime,
) -> list[OnTimeRow]:
    """Rows per department, then per handler, then one total row; see COLUMN_DEFINITIONS."""
    require_aware(as_of, "as_of")
    by_id = {order.id: order for order in orders}
    groups: dict[tuple[str, str], _Tally] = defaultdict(_Tally)

    def tallies(department: str | None, handler: str | None) -> list[_Tally]:
        return [
            groups[("department", department or UNASSIGNED)],
            groups[("handler", handler or UNASSIGNED)],
            groups[("total", "all")],
        ]

    for order in by_id.values():
        if order.status is Status.MERGED or order.resolve_due_at is None:
            continue
        if order.resolve_due_at not in period:
            continue
        for tally in tallies(order.department_id, order.handler):
            _count_due_order(tally, order, calendar, as_of)

    for event in events:
        if event.at not in period:
            continue
        if event.action == Action.RETURN.value:
            returning = event.data.get("department_id")
            for tally in tallies(returning if isinstance(returning, str) else None, event.actor):
                tally.returns += 1
        elif event.action == Action.APPROVE_EXTENSION.value and event.order_id in by_id:
            order = by_id[event.order_id]
            for tally in tallies(order.department_id, order.handler):
                tally.extensions += 1

    rank = {"department": 0, "handler": 1, "total": 2}
    ordered = sorted(groups.items(), key=lambda item: (rank[item[0][0]], item[0][1]))
    return [tally.row(group, key) for (group, key), tally in ordered]


def rows_as_dicts(rows: Iterable[OnTimeRow]) -> list[dict[str, object]]:
    """Plain dicts for JSON, in column order."""
    return [asdict(row) for row in rows]


def write_csv(rows: Iterable[OnTimeRow], stream: TextIO) -> None:
    """CSV with a header row; empty cells where a mean or rate has nothing to average."""
    columns = [column.name for column in fields(OnTimeRow)]
    writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows_as_dicts(rows):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
