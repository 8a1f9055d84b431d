"""The on-time table on a small hand-built history (March 2026, as of March 20)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest

from tests.workorders.builders import at, make_order
from workorders.calendar import WorkCalendar
from workorders.errors import WorkOrderError
from workorders.model import Role, Status, WorkOrder, WorkOrderEvent
from workorders.reports import (
    COLUMN_DEFINITIONS,
    OnTimeRow,
    ReportPeriod,
    on_time_table,
    rows_as_dicts,
    write_csv,
)

MARCH = ReportPeriod(at("2026-03-01 00:00"), at("2026-04-01 00:00"))
AS_OF = at("2026-03-20 12:00")
START = at("2026-03-02 09:00")


def _order(order_id: str, department: str | None, handler: str | None, **fields: Any) -> WorkOrder:
    defaults: dict[str, object] = {
        "id": order_id,
        "department_id": department,
        "handler": handler,
        "created_at": START,
        "resolution_started_at": START,
        "dispatched_at": START,
        "acknowledged_at": None,
        "resolved_at": None,
    }
    order = make_order(Status.IN_PROGRESS, **defaults)
    return replace(order, **fields)


ORDERS = [
    # D1/h1: acknowledged after 2 working hours, resolved on time after 17 working hours, 5 stars.
    _order(
        "a",
        "D1",
        "h1",
        status=Status.FOLLOWED_UP,
        acknowledged_at=at("2026-03-02 11:00"),
        resolve_due_at=at("2026-03-04 17:00"),
        resolved_at=at("2026-03-04 10:00"),
        satisfaction=5,
    ),
    # D1/h2: acknowledged after 1 h, resolved late (33 working hours), 3 stars.
    _order(
        "b",
        "D1",
        "h2",
        status=Status.FOLLOWED_UP,
        acknowledged_at=at("2026-03-02 10:00"),
        resolve_due_at=at("2026-03-05 17:00"),
        resolved_at=at("2026-03-06 10:00"),
        satisfaction=3,
    ),
    # D1/h1: still open and past its deadline.
    _order("c", "D1", "h1", resolve_due_at=at("2026-03-10 17:00")),
    # D2/h3: open, deadline not reached yet.
    _order("d", "D2", "h3", resolve_due_at=at("2026-03-25 17:00")),
    # Outside the period, and a merged duplicate: both left out.
    _order("e", "D2", "h3", resolve_due_at=at("2026-04-10 17:00")),
    _order("f", "D1", "h1", status=Status.MERGED, resolve_due_at=at("2026-03-05 17:00")),
    # Resolved after the as-of time: still open at the time of the report.
    _order(
        "g",
        "D2",
        "h3",
        resolve_due_at=at("2026-03-19 17:00"),
        resolved_at=at("2026-03-23 10:00"),
    ),
]


def _event(
    order_id: str, action: str, actor: str, when: datetime, **data: object
) -> WorkOrderEvent:
    return WorkOrderEvent(
        order_id,
        9,
        action,
        Status.IN_PROGRESS,
        Status.IN_PROGRESS,
        actor,
        Role.LIAISON,
        when,
        data=data,
    )


EVENTS = [
    _event("x", "return", "h3", at("2026-03-03 10:00"), department_id="D2"),
    _event("x", "return", "h3", at("2026-02-27 10:00"), department_id="D2"),  # before the period
    _event("d", "approve_extension", "sup", at("2026-03-10 10:00")),
]


@pytest.fixture
def rows(cal: WorkCalendar) -> dict[tuple[str, str], OnTimeRow]:
    table = on_time_table(ORDERS, EVENTS, MARCH, cal, AS_OF)
    return {(row.group, row.key): row for row in table}


def test_department_rows(rows: dict[tuple[str, str], OnTimeRow]) -> None:
    d1 = rows[("department", "D1")]
    assert (d1.due, d1.closed_on_time, d1.closed_late, d1.open, d1.overdue) == (3, 1, 1, 1, 1)
    assert d1.on_time_rate == pytest.approx(1 / 3, abs=1e-4)
    assert d1.mean_hours_to_acknowledge == 1.5
    assert d1.mean_hours_to_resolve == 25.0  # (17 + 33) / 2
    assert (d1.follow_ups, d1.mean_satisfaction) == (2, 4.0)
    d2 = rows[("department", "D2")]
    assert (d2.due, d2.open, d2.overdue, d2.extensions, d2.returns) == (2, 2, 1, 1, 1)
    assert d2.on_time_rate == 0.0
    assert d2.mean_hours_to_resolve is None


def test_handler_rows(rows: dict[tuple[str, str], OnTimeRow]) -> None:
    h1 = rows[("handler", "h1")]
    assert (h1.due, h1.closed_on_time, h1.overdue, h1.mean_satisfaction) == (2, 1, 1, 5.0)
    assert rows[("handler", "h3")].returns == 1


def test_total_row(rows: dict[tuple[str, str], OnTimeRow]) -> None:
    total = rows[("total", "all")]
    assert (total.due, total.closed_on_time, total.closed_late, total.open) == (5, 1, 1, 3)
    assert list(rows)[-1] == ("total", "all")


def test_csv_and_json_carry_every_defined_column(cal: WorkCalendar) -> None:
    table = on_time_table(ORDERS, EVENTS, MARCH, cal, AS_OF)
    out = io.StringIO()
    write_csv(table, out)
    lines = out.getvalue().splitlines()
    assert lines[0].split(",") == list(COLUMN_DEFINITIONS)
    assert lines[1].startswith("department,D1,3,1,1,1,1,0.3333,1.5,25.0,0,0,2,4.0")
    assert len(lines) == 1 + len(table)
    assert list(rows_as_dicts(table)[0]) == list(COLUMN_DEFINITIONS)


def test_empty_cells_for_nothing_to_average(cal: WorkCalendar) -> None:
    out = io.StringIO()
    table = on_time_table([], EVENTS[:1], MARCH, cal, AS_OF)
    write_csv(table, out)
    assert out.getvalue().splitlines()[1] == "department,D2,0,0,0,0,0,,,,0,1,0,"


def test_a_backwards_period_is_refused() -> None:
    with pytest.raises(WorkOrderError, match="ends before"):
        ReportPeriod(at("2026-04-01 00:00"), at("2026-03-01 00:00"))
