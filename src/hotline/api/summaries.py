"""Call summaries (电话小结) and the topic taxonomy; the desktop's caller panel and own figures.

Agents write the summary of a call they talked on (PUT is idempotent: the same body twice leaves
one summary) and read their own; supervisors, directors and admins read all. Topics are read by
every signed-in user and changed by admins (retire with ``active: false``; never deleted, so old
summaries keep their reference).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Response, status

from hotline import audit
from hotline.api.access import Admin, AgentUser, AnyUser
from hotline.api.params import BigRowId
from hotline.auth.principal import Principal, require
from hotline.deps import AppState, AppStateDep, SessionDep
from hotline.errors import ForbiddenError
from hotline.roles import Role
from hotline.schemas.base import Schema
from hotline.summaries import service, topics
from hotline.summaries.guard import summary_filed
from hotline.summaries.schemas import SummaryRead, SummaryWrite, TopicRead, TopicWrite

router = APIRouter(tags=["call summaries"])

summary_readers = require(Role.AGENT, Role.SUPERVISOR, Role.DIRECTOR, Role.ADMIN)
SummaryReader = Annotated[Principal, Depends(summary_readers)]
OVERSEERS = frozenset({Role.SUPERVISOR, Role.DIRECTOR, Role.ADMIN})
LOCAL = ZoneInfo("Asia/Shanghai")


class CallerPanelRead(Schema):
    call_id: int
    caller_number: str
    region: str
    language: str | None
    business_line: str | None
    previous_calls: list[dict[str, Any]]
    open_work_orders: list[dict[str, Any]]
    taxpayer: dict[str, Any]


class TodayRead(Schema):
    calls: int
    average_talk_s: float | None
    survey_average: float | None


@router.get("/topics", response_model=list[TopicRead])
async def list_topics(_: AnyUser, session: SessionDep, include_retired: bool = False) -> Any:
    """The taxonomy as a tree: areas, each with its subjects."""
    return await topics.tree(session, include_retired=include_retired)


@router.put("/topics/{code}", response_model=TopicRead)
async def put_topic(
    code: Annotated[str, Path(max_length=32)], data: TopicWrite, _: Admin, session: SessionDep
) -> Any:
    if data.code != code:
        raise topics.field_error("code", f"the body names {data.code!r}, the path {code!r}")
    row = await topics.upsert(session, data)
    await session.commit()
    return TopicRead.model_validate(row)


@router.put("/calls/{call_id}/summary", response_model=SummaryRead)
async def put_summary(
    call_id: BigRowId,
    data: SummaryWrite,
    principal: AgentUser,
    session: SessionDep,
    state: AppStateDep,
    response: Response,
) -> Any:
    """File (or correct) your summary of a call you talked on."""
    agent_id = await service.own_agent_id(session, principal.user_id)
    row, created = await service.save(session, call_id, agent_id, data, state.clock.now())
    await session.commit()
    await summary_filed(state, agent_id)
    if created:
        response.status_code = status.HTTP_201_CREATED
    return SummaryRead.model_validate(row)


@router.get("/calls/{call_id}/summaries", response_model=list[SummaryRead])
async def get_summaries(
    call_id: BigRowId, principal: SummaryReader, session: SessionDep
) -> list[SummaryRead]:
    call = await service.load_call(session, call_id)
    if not principal.has_any(OVERSEERS):
        agent_id = await service.own_agent_id(session, principal.user_id)
        if not await service.talked_with_caller(session, call, agent_id):
            raise ForbiddenError(f"call {call_id} was handled by another agent")
    return await service.of_call(session, call_id)


@router.get("/calls/{call_id}/caller", response_model=CallerPanelRead)
async def caller_panel(
    call_id: BigRowId, principal: AgentUser, session: SessionDep, state: AppStateDep
) -> Any:
    """The desktop's caller panel: full number, history with summaries, open orders, identity.
    Only for the agent on the call; each read is audited (personal data)."""
    agent_id = await service.own_agent_id(session, principal.user_id)
    call = await service.load_call(session, call_id)
    if not await service.talked_with_caller(session, call, agent_id) and not await _offered(
        state, call_id, agent_id
    ):
        raise ForbiddenError(f"call {call_id} is not yours")
    panel = await service.caller_panel(session, call)
    await audit.record(
        state.sessionmaker,
        action=audit.PERSONAL_DATA_READ,
        actor_user_id=principal.user_id,
        actor_username=principal.username,
        subject_type="call",
        subject_id=str(call_id),
        detail={"via": "caller_panel"},
    )
    return CallerPanelRead.model_validate(panel)


async def _offered(state: AppState, call_id: int, agent_id: int) -> bool:
    """True while the call rings on this agent's phone (the screen pop comes before answer)."""
    from hotline.telephony import TELEPHONY_KEY

    telephony = state.extras.get(TELEPHONY_KEY)
    if telephony is None:
        return False
    return any(
        call.call_id == call_id and call.offered_agent == str(agent_id)
        for call in telephony.ctx.calls.by_key.values()
    )


@router.get("/agent/today", response_model=TodayRead)
async def today(principal: AgentUser, session: SessionDep, state: AppStateDep) -> Any:
    """Your own figures since midnight (Asia/Shanghai)."""
    agent_id = await service.own_agent_id(session, principal.user_id)
    local_now = state.clock.now().astimezone(LOCAL)
    midnight = datetime.combine(local_now.date(), time(0), tzinfo=LOCAL)
    return await service.today_figures(session, agent_id, midnight)
