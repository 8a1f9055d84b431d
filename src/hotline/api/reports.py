"""Reports: the on-time table (按期承办统计) per department and per handler, JSON or CSV.

The column definitions travel with the JSON (``definitions``) and are documented in
``docs/workorders.md``: the director reads how every figure is computed.
"""

from __future__ import annotations

import io
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from hotline.auth.principal import Principal, require
from hotline.deps import AppStateDep, SessionDep
from hotline.roles import Role
from hotline.schemas.base import Moment
from hotline.workorders import queries
from hotline.workorders.errors import domain_errors
from hotline.workorders.sweeper import rules_cache
from workorders import reports

router = APIRouter(prefix="/reports", tags=["reports"])

report_readers = require(Role.DIRECTOR, Role.SUPERVISOR, Role.ADMIN)
ReportReader = Annotated[Principal, Depends(report_readers)]


class GroupBy(StrEnum):
    DEPARTMENT = "department"
    HANDLER = "handler"
    ALL = "all"


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"


@router.get(
    "/on-time",
    response_model=None,
    responses={
        200: {
            "description": "the on-time table (format=json) or the same rows as CSV (format=csv)",
            "content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def on_time(
    state: AppStateDep,
    session: SessionDep,
    _: ReportReader,
    start: Annotated[Moment, Query(alias="from", description="inclusive, with an offset")],
    end: Annotated[Moment, Query(alias="to", description="exclusive, with an offset")],
    by: GroupBy = GroupBy.DEPARTMENT,
    format_: Annotated[Format, Query(alias="format")] = Format.JSON,
) -> dict[str, Any] | Response:
    """Orders whose resolution deadline falls in [from, to): due, on time, late, open, overdue,
    mean working hours to acknowledge and to resolve, extensions, returns, satisfaction."""
    as_of = state.clock.now()
    rules = await rules_cache(state).get()
    orders, events = await queries.report_data(session, start, end)
    with domain_errors():
        period = reports.ReportPeriod(start, end)
        rows = reports.on_time_table(orders, events, period, rules.calendar, as_of)
    if by is not GroupBy.ALL:
        rows = [row for row in rows if row.group in (by.value, "total")]
    if format_ is Format.CSV:
        buffer = io.StringIO()
        reports.write_csv(rows, buffer)
        filename = f"on-time-{start.date().isoformat()}-{end.date().isoformat()}.csv"
        return Response(
            buffer.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "as_of": as_of.isoformat(),
        "by": by.value,
        "definitions": dict(reports.COLUMN_DEFINITIONS),
        "labels": await queries.labels(session),
        "rows": reports.rows_as_dicts(rows),
    }
