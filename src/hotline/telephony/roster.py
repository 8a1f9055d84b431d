"""The agents as routing sees them, loaded from the directory (skills, languages, endpoints)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from hotline.db.models import Agent, AgentEndpoint, AgentSession, AgentSkill, Site
from hotline.db.models import Skill as SkillRow
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


_AGENT = cast(Table, Agent.__table__)
_SESSION = cast(Table, AgentSession.__table__)
_AGENT_SKILL = cast(Table, AgentSkill.__table__)
_SKILL = cast(Table, SkillRow.__table__)
_ENDPOINT = cast(Table, AgentEndpoint.__table__)
_SITE = cast(Table, Site.__table__)


@dataclass(frozen=True, slots=True)
class SavedLogin:
    """One row of ``agent_session`` (the agent's login as the last process left it), with the
    agent as routing sees them; ``agent`` is None for an agent no longer active."""

    agent_id: int
    site_id: int
    endpoint: str
    status: str
    reason: str | None
    agent: RosterAgent | None


async def load_saved_logins(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> list[SavedLogin]:
    """Every saved login, by agent id, in three set-based Core queries whatever their number:
    the logins with their agents, then the skills and the endpoints of the logged-in agents.

    A takeover restores thousands of logins. Loaded through the ORM (identity map, eager loads,
    an instance per agent, skill link and endpoint) they were the largest share of the engine
    start at 2,000 agents (BENCHMARKS.md, issue 18), while routing needs only the values."""
    agent, login, link, skill, endpoint, site = (
        _AGENT.c,
        _SESSION.c,
        _AGENT_SKILL.c,
        _SKILL.c,
        _ENDPOINT.c,
        _SITE.c,
    )
    async with transaction(sessionmaker) as session:
        connection = await session.connection()
        logins = (
            await connection.execute(
                select(
                    login.agent_id,
                    login.site_id,
                    login.endpoint,
                    login.status,
                    login.reason,
                    agent.code,
                    agent.name,
                    agent.user_id,
                    agent.languages,
                    agent.overflow,
                    agent.active,
                )
                .join_from(_SESSION, _AGENT, agent.id == login.agent_id)
                .order_by(login.agent_id)
            )
        ).all()
        # Joined to agent_session rather than filtered by a list of ids: one statement and no
        # bound parameter per agent, however many are logged in.
        skills = (
            await connection.execute(
                select(link.agent_id, skill.business_line, skill.language, link.level)
                .join_from(_AGENT_SKILL, _SKILL, skill.id == link.skill_id)
                .join(_SESSION, login.agent_id == link.agent_id)
                # The order of ``Agent.skills`` (by level); the skill id settles equal levels.
                .order_by(link.agent_id, link.level, link.skill_id)
            )
        ).all()
        endpoints = (
            await connection.execute(
                select(endpoint.agent_id, site.code, endpoint.dial_string)
                .join_from(_ENDPOINT, _SITE, site.id == endpoint.site_id)
                .join(_SESSION, login.agent_id == endpoint.agent_id)
                .order_by(endpoint.agent_id, endpoint.id)
            )
        ).all()
    levels: dict[int, dict[Skill, int]] = {}
    for agent_id, line, language, level in skills:
        levels.setdefault(agent_id, {})[Skill(line, language)] = level
    dial: dict[int, dict[str, str]] = {}
    for agent_id, site_code, dial_string in endpoints:
        dial.setdefault(agent_id, {})[site_code] = dial_string
    found: list[SavedLogin] = []
    for row in logins:
        roster = None
        if row.active:
            roster = RosterAgent(
                db_id=row.agent_id,
                code=row.code,
                name=row.name,
                user_id=row.user_id,
                profile=AgentProfile(
                    id=routing_id(row.agent_id),
                    levels=levels.get(row.agent_id, {}),
                    languages=frozenset(row.languages),
                    overflow=row.overflow,
                ),
                endpoints=dial.get(row.agent_id, {}),
            )
        found.append(
            SavedLogin(row.agent_id, row.site_id, row.endpoint, row.status, row.reason, roster)
        )
    return found
