"""Filing and reading call summaries, and what the desktop's caller panel shows.

Who may write: the agent who talked with the caller (the call's agent, or the agent who handed the
call on in a transfer). Who may read: that agent, and supervisors, directors and admins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.db.models import Agent, CallSummaryRow, Topic
from hotline.db.models.call import Call, CallEvent
from hotline.db.models.workorder import WorkOrderRow
from hotline.errors import ForbiddenError, NotFoundError
from hotline.summaries.schemas import SummaryRead, SummaryWrite
from hotline.summaries.topics import require_subject
from workorders.model import OPEN_STATUSES

OPEN_ORDER_STATUSES = sorted(str(s) for s in OPEN_STATUSES)

PREVIOUS_CALLS = 5


async def own_agent_id(session: AsyncSession, user_id: int) -> int:
    agent_id = await session.scalar(select(Agent.id).where(Agent.user_id == user_id))
    if agent_id is None:
        raise NotFoundError("no agent is linked to this user")
    return agent_id


async def load_call(session: AsyncSession, call_id: int) -> Call:
    call = await session.get(Call, call_id)
    if call is None:
        raise NotFoundError(f"call {call_id} does not exist")
    return call


async def talked_with_caller(session: AsyncSession, call: Call, agent_id: int) -> bool:
    if call.agent_id == agent_id:
        return True
    # A transfer's journal names the agent who handed the call on (routing ids are the db ids).
    rows = await session.scalars(
        select(CallEvent.data).where(
            CallEvent.call_id == call.id, CallEvent.kind == "transfer_answered"
        )
    )
    return any(str(data.get("from")) == str(agent_id) for data in rows)


async def save(
    session: AsyncSession, call_id: int, agent_id: int, data: SummaryWrite, now: datetime
) -> tuple[CallSummaryRow, bool]:
    """Create or replace the agent's summary of the call; True when it was created."""
    call = await load_call(session, call_id)
    if not await talked_with_caller(session, call, agent_id):
        raise ForbiddenError(f"call {call_id} was not handled by you")
    await require_subject(session, data.topic_code)
    row = await session.scalar(
        select(CallSummaryRow).where(
            CallSummaryRow.call_id == call_id, CallSummaryRow.agent_id == agent_id
        )
    )
    created = row is None
    if row is None:
        row = CallSummaryRow(call_id=call_id, agent_id=agent_id, created_at=now)
        session.add(row)
    values = data.model_dump()
    values["taxpayer"] = {k: v for k, v in values["taxpayer"].items() if v}
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = now
    await session.flush()
    return row, created


async def of_call(session: AsyncSession, call_id: int) -> list[SummaryRead]:
    rows = await session.scalars(
        select(CallSummaryRow)
        .where(CallSummaryRow.call_id == call_id)
        .order_by(CallSummaryRow.created_at, CallSummaryRow.id)
    )
    return [SummaryRead.model_validate(r) for r in rows]


@dataclass(frozen=True)
class CallerPanel:
    call_id: int
    caller_number: str
    region: str
    language: str | None
    business_line: str | None
    previous_calls: list[dict[str, Any]]
    open_work_orders: list[dict[str, Any]]
    taxpayer: dict[str, Any]


async def caller_panel(session: AsyncSession, call: Call) -> CallerPanel:
    """The caller's history: earlier calls with their summaries, open orders, known identity."""
    earlier = (
        await session.scalars(
            select(Call)
            .where(Call.caller_number == call.caller_number, Call.id != call.id)
            .where(Call.arrived_at <= call.arrived_at)
            .order_by(Call.arrived_at.desc(), Call.id.desc())
            .limit(PREVIOUS_CALLS)
        )
    ).all()
    summaries: dict[int, list[CallSummaryRow]] = {}
    if earlier:
        for row in await session.scalars(
            select(CallSummaryRow).where(CallSummaryRow.call_id.in_([c.id for c in earlier]))
        ):
            summaries.setdefault(row.call_id, []).append(row)
    topic_names = {
        code: name for code, name in await session.execute(select(Topic.code, Topic.name_zh))
    }
    previous = [
        {
            "call_id": c.id,
            "arrived_at": c.arrived_at,
            "outcome": c.outcome,
            "business_line": c.business_line,
            "summaries": [
                {
                    "topic_code": s.topic_code,
                    "topic_name": topic_names.get(s.topic_code, ""),
                    "question": s.question,
                    "result": s.result,
                }
                for s in summaries.get(c.id, [])
            ],
        }
        for c in earlier
    ]
    orders = (
        await session.scalars(
            select(WorkOrderRow)
            .where(
                WorkOrderRow.taxpayer_phone == call.caller_number,
                WorkOrderRow.status.in_(OPEN_ORDER_STATUSES),
            )
            .order_by(WorkOrderRow.created_at.desc())
            .limit(10)
        )
    ).all()
    taxpayer: dict[str, Any] = {}
    for order in orders:
        if order.taxpayer_name and "name" not in taxpayer:
            taxpayer["name"] = order.taxpayer_name
        if order.taxpayer_number and "taxpayer_id" not in taxpayer:
            taxpayer["taxpayer_id"] = order.taxpayer_number
    for earlier_call in earlier:
        for s in summaries.get(earlier_call.id, []):
            for key, value in s.taxpayer.items():
                taxpayer.setdefault(key, value)
    return CallerPanel(
        call_id=call.id,
        caller_number=call.caller_number,
        region=call.region,
        language=call.language,
        business_line=call.business_line,
        previous_calls=previous,
        open_work_orders=[
            {
                "id": o.id,
                "reference": o.reference,
                "status": o.status,
                "subject": o.subject,
                "created_at": o.created_at,
            }
            for o in orders
        ],
        taxpayer=taxpayer,
    )


async def today_figures(session: AsyncSession, agent_id: int, since: datetime) -> dict[str, Any]:
    """The agent's own figures since ``since`` (local midnight): calls, average talk, survey."""
    row = (
        await session.execute(
            select(func.count(Call.id), func.avg(Call.talk_s), func.avg(Call.survey_score)).where(
                Call.agent_id == agent_id,
                Call.answered_at.is_not(None),
                Call.arrived_at >= since,
            )
        )
    ).one()
    return {
        "calls": int(row[0] or 0),
        "average_talk_s": None if row[1] is None else round(float(row[1]), 1),
        "survey_average": None if row[2] is None else round(float(row[2]), 2),
    }


async def unsummarised_call(session: AsyncSession, agent_id: int) -> int | None:
    """The agent's last finished answered call if it still lacks their summary (the desktop keeps
    the summary form open for it; leaving wrap-up waits for it when summaries are required)."""
    last = await session.scalar(
        select(Call)
        .where(Call.agent_id == agent_id, Call.answered_at.is_not(None))
        .order_by(Call.answered_at.desc(), Call.id.desc())
        .limit(1)
    )
    if last is None or last.ended_at is None:
        return None
    filed = await session.scalar(
        select(CallSummaryRow.id).where(
            CallSummaryRow.call_id == last.id, CallSummaryRow.agent_id == agent_id
        )
    )
    return None if filed is not None else last.id
