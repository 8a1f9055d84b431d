"""Sites, skills, agents and departments: create, update, upsert (the importer), delete."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from hotline.db.models import (
    Agent,
    AgentEndpoint,
    AgentSkill,
    Department,
    Liaison,
    Site,
    Skill,
    User,
)
from hotline.errors import ConflictError, NotFoundError
from hotline.schemas.directory import (
    AgentCreate,
    AgentEndpointIn,
    AgentEndpointRead,
    AgentRead,
    AgentSkillIn,
    AgentSkillRead,
    AgentUpdate,
    DepartmentCreate,
    DepartmentRead,
    DepartmentUpdate,
    LiaisonIn,
    LiaisonRead,
    SiteCreate,
    SiteUpdate,
    SkillCreate,
    SkillUpdate,
)
from hotline.services import in_use, refs

_Row = TypeVar("_Row", AgentSkill, AgentEndpoint)
_Owner = TypeVar("_Owner", Skill, Agent, Department)

# ---------------------------------------------------------------- sites


async def list_sites(session: AsyncSession) -> Sequence[Site]:
    return (await session.scalars(select(Site).order_by(Site.code))).all()


async def get_site(session: AsyncSession, site_id: int) -> Site:
    site = await session.get(Site, site_id)
    if site is None:
        raise NotFoundError(f"site {site_id} does not exist")
    return site


def _apply_site(site: Site, data: SiteCreate | SiteUpdate) -> None:
    values = data.model_dump(exclude_unset=True, exclude={"code", "ari_password"})
    for key, value in values.items():
        setattr(site, key, value)
    if data.ari_password is not None:
        site.ari_password = data.ari_password.get_secret_value()


async def create_site(session: AsyncSession, data: SiteCreate) -> Site:
    if await session.scalar(select(Site.id).where(Site.code == data.code)) is not None:
        raise ConflictError(f"site '{data.code}' already exists")
    site = Site(code=data.code)
    _apply_site(site, data)
    session.add(site)
    await session.flush()
    return site


async def update_site(session: AsyncSession, site_id: int, data: SiteUpdate) -> Site:
    site = await get_site(session, site_id)
    _apply_site(site, data)
    await session.flush()
    return site


async def upsert_site(session: AsyncSession, data: SiteCreate) -> Site:
    site = await session.scalar(select(Site).where(Site.code == data.code))
    if site is None:
        return await create_site(session, data)
    _apply_site(site, data)
    await session.flush()
    return site


async def delete_site(session: AsyncSession, site_id: int) -> None:
    await session.delete(await get_site(session, site_id))
    await session.flush()


# ---------------------------------------------------------------- skills


async def list_skills(session: AsyncSession) -> Sequence[Skill]:
    stmt = select(Skill).order_by(Skill.business_line, Skill.language)
    return (await session.scalars(stmt)).all()


async def get_skill(session: AsyncSession, skill_id: int) -> Skill:
    skill = await session.get(Skill, skill_id)
    if skill is None:
        raise NotFoundError(f"skill {skill_id} does not exist")
    return skill


async def create_skill(session: AsyncSession, data: SkillCreate) -> Skill:
    existing = await session.scalar(
        select(Skill.id).where(
            Skill.business_line == data.business_line, Skill.language == data.language
        )
    )
    if existing is not None:
        raise ConflictError(f"skill {data.business_line}.{data.language} already exists")
    skill = Skill(**data.model_dump())
    session.add(skill)
    await session.flush()
    return skill


async def update_skill(session: AsyncSession, skill_id: int, data: SkillUpdate) -> Skill:
    skill = await get_skill(session, skill_id)
    skill.name = data.name
    await session.flush()
    return skill


async def upsert_skill(session: AsyncSession, data: SkillCreate) -> Skill:
    skill = await session.scalar(
        select(Skill).where(
            Skill.business_line == data.business_line, Skill.language == data.language
        )
    )
    if skill is None:
        return await create_skill(session, data)
    skill.name = data.name
    await session.flush()
    return skill


async def _locked(session: AsyncSession, model: type[_Owner], row_id: int, what: str) -> _Owner:
    """The row, locked against a concurrent writer (PostgreSQL; SQLite has one writer anyway):
    a log-in or a new skill holder committed while the delete checks would otherwise slip in
    between the check and the delete."""
    row = await session.scalar(
        select(model)
        .where(model.id == row_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFoundError(f"{what} {row_id} does not exist")
    return row


def _refuse_if_used(what: str, reasons: list[str]) -> None:
    if reasons:
        raise ConflictError(f"{what} is in use: " + "; ".join(reasons))


async def delete_skill(session: AsyncSession, skill_id: int) -> None:
    skill = await _locked(session, Skill, skill_id, "skill")
    _refuse_if_used(f"skill {skill.code}", await in_use.skill_users(session, skill))
    await session.delete(skill)
    await session.flush()


# ---------------------------------------------------------------- agents

_AGENT_LOAD = (
    selectinload(Agent.skills).selectinload(AgentSkill.skill),
    selectinload(Agent.endpoints).selectinload(AgentEndpoint.site),
    selectinload(Agent.user),
)


async def list_agents(session: AsyncSession) -> Sequence[Agent]:
    return (await session.scalars(select(Agent).options(*_AGENT_LOAD).order_by(Agent.code))).all()


async def get_agent(session: AsyncSession, agent_id: int) -> Agent:
    agent = await session.scalar(select(Agent).where(Agent.id == agent_id).options(*_AGENT_LOAD))
    if agent is None:
        raise NotFoundError(f"agent {agent_id} does not exist")
    return agent


def agent_read(agent: Agent) -> AgentRead:
    # The link rows and their skill/site are loaded by two SELECTs: a skill or site deleted
    # between them leaves a link whose target is None. It is gone, so the read leaves it out.
    held = [s for s in agent.skills if s.skill is not None]
    reachable = [e for e in agent.endpoints if e.site is not None]
    return AgentRead(
        id=agent.id,
        code=agent.code,
        name=agent.name,
        languages=list(agent.languages),
        overflow=agent.overflow,
        active=agent.active,
        username=agent.user.username if agent.user else None,
        skills=[
            AgentSkillRead(
                business_line=s.skill.business_line, language=s.skill.language, level=s.level
            )
            for s in sorted(held, key=lambda s: (s.level, s.skill.code))
        ],
        endpoints=[
            AgentEndpointRead(site=e.site.code, dial_string=e.dial_string)
            for e in sorted(reachable, key=lambda e: e.site.code)
        ],
        created_at=agent.created_at,
        updated_at=agent.updated_at,
    )


async def _agent_skills(session: AsyncSession, skills: list[AgentSkillIn]) -> list[AgentSkill]:
    seen: set[tuple[str, str]] = set()
    rows = []
    for index, item in enumerate(skills):
        key = (item.business_line, item.language)
        if key in seen:
            raise refs.invalid(("skills", index), f"skill {key[0]}.{key[1]} is listed twice")
        seen.add(key)
        skill = await refs.skill_by_key(session, *key, loc=("skills", index))
        rows.append(AgentSkill(skill_id=skill.id, level=item.level, skill=skill))
    return rows


async def _agent_endpoints(
    session: AsyncSession, endpoints: list[AgentEndpointIn]
) -> list[AgentEndpoint]:
    seen: set[str] = set()
    rows = []
    for index, item in enumerate(endpoints):
        if item.site in seen:
            raise refs.invalid(("endpoints", index), f"site '{item.site}' is listed twice")
        seen.add(item.site)
        site = await refs.site_by_code(session, item.site, loc=("endpoints", index, "site"))
        rows.append(AgentEndpoint(site_id=site.id, dial_string=item.dial_string, site=site))
    return rows


async def _assign_agent(
    session: AsyncSession, agent: Agent, data: AgentCreate | AgentUpdate
) -> None:
    fields = data.model_fields_set
    for key in ("name", "languages", "overflow", "active"):
        if key in fields and getattr(data, key) is not None:
            setattr(agent, key, getattr(data, key))
    if "username" in fields:
        user = (
            await refs.user_by_username(session, data.username, loc=("username",))
            if data.username
            else None
        )
        agent.user_id = user.id if user else None
        agent.user = user
    if data.skills is not None and ("skills" in fields or isinstance(data, AgentCreate)):
        wanted_skills = await _agent_skills(session, data.skills)
        agent.skills = _merge(agent.skills, wanted_skills, lambda r: r.skill_id, _copy_level)
    if data.endpoints is not None and ("endpoints" in fields or isinstance(data, AgentCreate)):
        wanted_endpoints = await _agent_endpoints(session, data.endpoints)
        agent.endpoints = _merge(
            agent.endpoints, wanted_endpoints, lambda r: r.site_id, _copy_dial_string
        )


def _merge(
    current: list[_Row],
    wanted: list[_Row],
    key: Callable[[_Row], int],
    update: Callable[[_Row, _Row], None],
) -> list[_Row]:
    """Keep the existing row where its key stays (``update`` copies the wanted values onto it), so
    a re-import updates in place instead of deleting and re-inserting the same key."""
    by_key = {key(row): row for row in current}
    merged = []
    for row in wanted:
        existing = by_key.get(key(row))
        if existing is None:
            merged.append(row)
        else:
            update(existing, row)
            merged.append(existing)
    return merged


def _copy_level(existing: AgentSkill, wanted: AgentSkill) -> None:
    existing.level = wanted.level


def _copy_dial_string(existing: AgentEndpoint, wanted: AgentEndpoint) -> None:
    existing.dial_string = wanted.dial_string


async def create_agent(session: AsyncSession, data: AgentCreate) -> Agent:
    if await session.scalar(select(Agent.id).where(Agent.code == data.code)) is not None:
        raise ConflictError(f"agent '{data.code}' already exists")
    agent = Agent(code=data.code, skills=[], endpoints=[], user=None)
    await _assign_agent(session, agent, data)
    session.add(agent)
    await session.flush()
    return await get_agent(session, agent.id)


async def update_agent(session: AsyncSession, agent_id: int, data: AgentUpdate) -> Agent:
    agent = await get_agent(session, agent_id)
    await _assign_agent(session, agent, data)
    await session.flush()
    session.expire(agent)
    return await get_agent(session, agent_id)


async def upsert_agent(session: AsyncSession, data: AgentCreate) -> Agent:
    agent_id = await session.scalar(select(Agent.id).where(Agent.code == data.code))
    if agent_id is None:
        return await create_agent(session, data)
    update = AgentUpdate(**data.model_dump(exclude={"code"}))
    return await update_agent(session, agent_id, update)


async def delete_agent(
    session: AsyncSession, agent_id: int, *, live_use: Sequence[str] = ()
) -> None:
    """``live_use``: what the running telephony engine knows beyond the database (a log-in)."""
    locked = await _locked(session, Agent, agent_id, "agent")
    reasons = [*live_use, *await in_use.agent_users(session, locked)]
    _refuse_if_used(f"agent {locked.code}", list(dict.fromkeys(reasons)))
    await session.delete(await get_agent(session, agent_id))
    await session.flush()


# ---------------------------------------------------------------- departments

_DEPARTMENT_LOAD = (selectinload(Department.liaisons).selectinload(Liaison.user),)


async def list_departments(session: AsyncSession) -> Sequence[Department]:
    stmt = select(Department).options(*_DEPARTMENT_LOAD).order_by(Department.code)
    return (await session.scalars(stmt)).all()


async def get_department(session: AsyncSession, department_id: int) -> Department:
    department = await session.scalar(
        select(Department).where(Department.id == department_id).options(*_DEPARTMENT_LOAD)
    )
    if department is None:
        raise NotFoundError(f"department {department_id} does not exist")
    return department


async def department_read(session: AsyncSession, department: Department) -> DepartmentRead:
    head = await session.get(User, department.head_user_id) if department.head_user_id else None
    return DepartmentRead(
        id=department.id,
        code=department.code,
        name=department.name,
        kind=department.kind,
        region=department.region,
        head=head.username if head else None,
        liaisons=[
            LiaisonRead(username=li.user.username, full_name=li.user.full_name, phone=li.phone)
            # A user deleted between the two SELECTs of the load leaves a liaison without one.
            for li in sorted(
                (li for li in department.liaisons if li.user is not None),
                key=lambda li: li.user.username,
            )
        ],
        created_at=department.created_at,
        updated_at=department.updated_at,
    )


async def _liaisons(
    session: AsyncSession, department: Department, liaisons: list[LiaisonIn]
) -> list[Liaison]:
    current = {li.user_id: li for li in department.liaisons}
    seen: set[str] = set()
    rows = []
    for index, item in enumerate(liaisons):
        if item.username in seen:
            raise refs.invalid(("liaisons", index), f"user '{item.username}' is listed twice")
        seen.add(item.username)
        user = await refs.user_by_username(session, item.username, loc=("liaisons", index))
        row = current.get(user.id) or Liaison(user_id=user.id, user=user)
        row.phone = item.phone
        rows.append(row)
    return rows


async def _assign_department(
    session: AsyncSession, department: Department, data: DepartmentCreate | DepartmentUpdate
) -> None:
    fields = data.model_fields_set
    for key in ("name", "kind", "region"):
        if key in fields or isinstance(data, DepartmentCreate):
            value = getattr(data, key)
            if value is not None or key == "region":
                setattr(department, key, value)
    if "head" in fields:
        head = await refs.user_by_username(session, data.head, ("head",)) if data.head else None
        department.head_user_id = head.id if head else None
    if data.liaisons is not None:
        department.liaisons = await _liaisons(session, department, data.liaisons)


async def create_department(session: AsyncSession, data: DepartmentCreate) -> Department:
    if await session.scalar(select(Department.id).where(Department.code == data.code)):
        raise ConflictError(f"department '{data.code}' already exists")
    department = Department(code=data.code, liaisons=[], settings={})
    await _assign_department(session, department, data)
    session.add(department)
    await session.flush()
    return await get_department(session, department.id)


async def update_department(
    session: AsyncSession, department_id: int, data: DepartmentUpdate
) -> Department:
    department = await get_department(session, department_id)
    await _assign_department(session, department, data)
    await session.flush()
    session.expire(department)
    return await get_department(session, department_id)


async def upsert_department(session: AsyncSession, data: DepartmentCreate) -> Department:
    department_id = await session.scalar(select(Department.id).where(Department.code == data.code))
    if department_id is None:
        return await create_department(session, data)
    update = DepartmentUpdate(**data.model_dump(exclude={"code"}))
    return await update_department(session, department_id, update)


async def delete_department(session: AsyncSession, department_id: int) -> None:
    locked = await _locked(session, Department, department_id, "department")
    _refuse_if_used(
        f"department {locked.code}", await in_use.department_users(session, department_id)
    )
    await session.delete(await get_department(session, department_id))
    await session.flush()
