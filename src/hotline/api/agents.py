"""Agents with their skills (level 1 primary, 2+ secondary), languages and endpoints."""

from __future__ import annotations

from fastapi import APIRouter, status

from hotline.api.access import Admin, DirectoryReader
from hotline.api.params import RowId
from hotline.deps import AppState, AppStateDep, SessionDep
from hotline.schemas.directory import AgentCreate, AgentRead, AgentUpdate
from hotline.services import directory
from hotline.telephony import TELEPHONY_KEY
from hotline.telephony.roster import routing_id

router = APIRouter(prefix="/agents", tags=["directory"])


@router.get("", response_model=list[AgentRead])
async def list_agents(session: SessionDep, _: DirectoryReader) -> list[AgentRead]:
    return [directory.agent_read(a) for a in await directory.list_agents(session)]


@router.post("", response_model=AgentRead, status_code=status.HTTP_201_CREATED)
async def create_agent(data: AgentCreate, session: SessionDep, _: Admin) -> AgentRead:
    return directory.agent_read(await directory.create_agent(session, data))


@router.get("/{agent_id}", response_model=AgentRead)
async def get_agent(agent_id: RowId, session: SessionDep, _: DirectoryReader) -> AgentRead:
    return directory.agent_read(await directory.get_agent(session, agent_id))


@router.patch("/{agent_id}", response_model=AgentRead)
async def update_agent(
    agent_id: RowId, data: AgentUpdate, session: SessionDep, _: Admin
) -> AgentRead:
    return directory.agent_read(await directory.update_agent(session, agent_id, data))


def _live_use(state: AppState, agent_id: int) -> list[str]:
    """The telephony engine's own view of the agent: a log-in is live in memory before (or
    without) its row being written, so the database alone could miss one just made."""
    service = state.extras.get(TELEPHONY_KEY)
    login = service.ctx.logins.get(routing_id(agent_id)) if service is not None else None
    return [] if login is None else [f"logged in on site {login.site_code} (log them out first)"]


@router.delete("/{agent_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_agent(agent_id: RowId, session: SessionDep, state: AppStateDep, _: Admin) -> None:
    await directory.delete_agent(session, agent_id, live_use=_live_use(state, agent_id))
