"""The agents as routing sees them, loaded from the directory (skills, languages, endpoints)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from hotline.db.models import Agent, AgentEndpoint, AgentSkill
from hotline.db.session import transaction
from routing import AgentProfile, Skill


@dataclass(frozen=True, slots=True)
class RosterAgent:
    db_id: int
    code: str
    name: str
    user_id: int | None
    profile: AgentProfile  # routing's id is the DB id as a string
    endpoints: dict[str, str]  # site code -> dial string

    @property
    def routing_id(self) -> str:
        return self.profile.id


def routing_id(db_id: int) -> str:
    return str(db_id)


def db_id(routing_agent_id: str) -> int:
    """The agent's database id, the one type agent ids have outside routing and the controller:
    in the REST API and in every message of the agent and wallboard streams."""
    return int(routing_agent_id)


def profile_of(agent: Agent) -> AgentProfile:
    return AgentProfile(
        id=routing_id(agent.id),
        levels={
            Skill(link.skill.business_line, link.skill.language): link.level
            for link in agent.skills
        },
        languages=frozenset(agent.languages),
        overflow=agent.overflow,
    )


def _roster_agent(agent: Agent) -> RosterAgent:
    return RosterAgent(
        db_id=agent.id,
        code=agent.code,
        name=agent.name,
        user_id=agent.user_id,
        profile=profile_of(agent),
        endpoints={e.site.code: e.dial_string for e in agent.endpoints},
    )


def _with_skills_and_endpoints() -> tuple[Any, ...]:
    return (
        selectinload(Agent.skills).selectinload(AgentSkill.skill),
        selectinload(Agent.endpoints).selectinload(AgentEndpoint.site),
    )


async def load_agent(
    sessionmaker: async_sessionmaker[AsyncSession], agent_id: int
) -> RosterAgent | None:
    """One active agent with skills and endpoints, fresh from the database."""
    async with transaction(sessionmaker) as session:
        agent = await session.scalar(
            select(Agent)
            .where(Agent.id == agent_id, Agent.active.is_(True))
            .options(*_with_skills_and_endpoints())
        )
        return None if agent is None else _roster_agent(agent)


LOAD_CHUNK = 500  # ids per query: well under any driver's bound-parameter limit


async def load_agents(
    sessionmaker: async_sessionmaker[AsyncSession], agent_ids: Sequence[int]
) -> dict[int, RosterAgent]:
    """The active ones among ``agent_ids``, by id, in a few queries whatever their number (a
    resync restores thousands of logins: one query each, and its four eager loads, would make
    the takeover wait on ten thousand round trips)."""
    found: dict[int, RosterAgent] = {}
    ids = list(agent_ids)
    async with transaction(sessionmaker) as session:
        for start in range(0, len(ids), LOAD_CHUNK):
            agents = await session.scalars(
                select(Agent)
                .where(Agent.id.in_(ids[start : start + LOAD_CHUNK]), Agent.active.is_(True))
                .options(*_with_skills_and_endpoints())
            )
            for agent in agents:
                found[agent.id] = _roster_agent(agent)
    return found
