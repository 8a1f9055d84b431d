"""The agents as routing sees them, loaded from the directory (skills, languages, endpoints)."""

from __future__ import annotations

from dataclasses import dataclass

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


async def load_agent(
    sessionmaker: async_sessionmaker[AsyncSession], agent_id: int
) -> RosterAgent | None:
    """One active agent with skills and endpoints, fresh from the database."""
    async with transaction(sessionmaker) as session:
        agent = await session.scalar(
            select(Agent)
            .where(Agent.id == agent_id, Agent.active.is_(True))
            .options(
                selectinload(Agent.skills).selectinload(AgentSkill.skill),
                selectinload(Agent.endpoints).selectinload(AgentEndpoint.site),
            )
        )
        if agent is None:
            return None
        return RosterAgent(
            db_id=agent.id,
            code=agent.code,
            name=agent.name,
            user_id=agent.user_id,
            profile=profile_of(agent),
            endpoints={e.site.code: e.dial_string for e in agent.endpoints},
        )
