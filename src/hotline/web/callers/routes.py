"""GET /callers/history?call=ID: one caller's history (their calls, call summaries and work
orders), reached from the heavy-callers report and the heavy-caller notice.

The caller is named by one of their calls, never by the number: a number in an address would
end up in browser histories and access logs. Numbers are masked; directors and supervisors may
add ``full=true`` to read them (and the summaries' questions) in full, and every such read is
audited (``personal_data_read``, subject the call that named the caller).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.responses import RedirectResponse, Response

from hotline import audit
from hotline.db.models import Call, CallSummaryRow, WorkOrderRow
from hotline.deps import AppStateDep, SessionDep
from hotline.masking import mask_phone
from hotline.roles import Role
from hotline.web.session import PageUser
from hotline.web.templating import render

router = APIRouter(include_in_schema=False)
READERS = frozenset({Role.SUPERVISOR, Role.DIRECTOR, Role.OPS})
FULL_READERS = frozenset({Role.SUPERVISOR, Role.DIRECTOR})
_LIMIT = 200  # the newest; a caller with more is summarised by the heavy-callers report


@router.get("/callers/history")
async def caller_history(
    request: Request,
    principal: PageUser,
    session: SessionDep,
    state: AppStateDep,
    call: str = "",
    full: bool = False,
) -> Response:
    if not principal.has_any(READERS):
        return RedirectResponse("/home", status_code=303)
    found = await session.get(Call, int(call)) if call.isdigit() and len(call) < 19 else None
    if found is None:
        return render(request, "callers_missing.html", {"user": principal}, 404)
    number = found.caller_number
    may_full = principal.has_any(FULL_READERS)
    show_full = full and may_full
    zone = ZoneInfo(state.settings.timezone)
    calls = (
        await session.scalars(
            select(Call)
            .where(Call.caller_number == number)
            .order_by(Call.arrived_at.desc())
            .limit(_LIMIT)
        )
    ).all()
    summaries = (
        await session.execute(
            select(Call.arrived_at, CallSummaryRow)
            .join(CallSummaryRow, CallSummaryRow.call_id == Call.id)
            .where(Call.caller_number == number)
            .order_by(Call.arrived_at.desc())
            .limit(_LIMIT)
        )
    ).all()
    orders = (
        await session.scalars(
            select(WorkOrderRow)
            .where(WorkOrderRow.taxpayer_phone == number)
            .order_by(WorkOrderRow.created_at.desc())
            .limit(_LIMIT)
        )
    ).all()
    if show_full:
        audit.add(
            session,
            action=audit.PERSONAL_DATA_READ,
            actor_user_id=principal.user_id,
            actor_username=principal.username,
            subject_type="call",
            subject_id=str(found.id),
            detail={"via": "caller_history", "fields": ["caller_number", "questions"]},
            request_id=getattr(request.state, "request_id", None),
            client_ip=request.client.host if request.client else None,
        )
    return render(
        request,
        "callers_history.html",
        {
            "user": principal,
            "call_id": found.id,
            "number": number if show_full else mask_phone(number),
            "full": show_full,
            "may_full": may_full and not show_full,
            "calls": [_call(c, zone) for c in calls],
            "summaries": [
                {
                    "at": _local(at, zone),
                    "call_id": s.call_id,
                    "topic": s.topic_code,
                    "result": s.result,
                    "question": s.question if show_full else None,
                }
                for at, s in summaries
            ],
            "orders": [
                {
                    "reference": o.reference,
                    "created": _local(o.created_at, zone),
                    "category": o.category,
                    "status": o.status,
                    "subject": o.subject,
                }
                for o in orders
            ],
        },
    )


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _call(call: Call, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": call.id,
        "at": _local(call.arrived_at, zone),
        "kind": call.kind,
        "line": call.business_line or "–",
        "language": call.language or "–",
        "outcome": call.outcome or "live",
        "wait": "–" if call.wait_s is None else f"{call.wait_s:.0f}",
        "talk": "–" if call.talk_s is None else f"{call.talk_s:.0f}",
    }
