"""The agent desk: log in with a phone, ready / not ready, log out; supervisors may force it."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy import select

from hotline.api.access import AgentUser, Supervisor
from hotline.api.params import RowId
from hotline.db.models import Agent
from hotline.deps import AppStateDep, SessionDep
from hotline.errors import NotFoundError
from hotline.telephony import get_telephony
from hotline.telephony.agents import AgentSessions, SessionView
from hotline.telephony.schemas import SessionLogin, SessionRead, StateChange

router = APIRouter(tags=["agent desk"])


async def _own_agent_id(session: SessionDep, user_id: int) -> int:
    agent_id = await session.scalar(select(Agent.id).where(Agent.user_id == user_id))
    if agent_id is None:
        raise NotFoundError("no agent is linked to this user")
    return agent_id


def _read(view: SessionView) -> SessionRead:
    return SessionRead.model_validate(view)


async def _change(agents: AgentSessions, agent_id: int, data: StateChange) -> SessionView:
    if data.state == "ready":
        return await agents.set_ready(agent_id)
    assert data.reason is not None  # the schema demands a reason with not_ready
    return await agents.set_not_ready(agent_id, data.reason)


@router.post("/agent/session", response_model=SessionRead, status_code=status.HTTP_201_CREATED)
async def log_in(
    data: SessionLogin, principal: AgentUser, session: SessionDep, state: AppStateDep
) -> SessionRead:
    agent_id = await _own_agent_id(session, principal.user_id)
    agents = get_telephony(state).agents
    return _read(await agents.login(agent_id, site=data.site, endpoint=data.endpoint))


@router.get("/agent/session", response_model=SessionRead)
async def current_session(
    principal: AgentUser, session: SessionDep, state: AppStateDep
) -> SessionRead:
    agent_id = await _own_agent_id(session, principal.user_id)
    return _read(await get_telephony(state).agents.view(agent_id))


@router.put("/agent/session/state", response_model=SessionRead)
async def change_state(
    data: StateChange, principal: AgentUser, session: SessionDep, state: AppStateDep
) -> SessionRead:
    agent_id = await _own_agent_id(session, principal.user_id)
    return _read(await _change(get_telephony(state).agents, agent_id, data))


@router.delete("/agent/session", status_code=status.HTTP_204_NO_CONTENT)
async def log_out(principal: AgentUser, session: SessionDep, state: AppStateDep) -> None:
    agent_id = await _own_agent_id(session, principal.user_id)
    await get_telephony(state).agents.logout(agent_id)


@router.put("/agents/{agent_id}/state", response_model=SessionRead)
async def force_state(
    agent_id: RowId, data: StateChange, _: Supervisor, state: AppStateDep
) -> SessionRead:
    return _read(await _change(get_telephony(state).agents, agent_id, data))
