"""What still uses a skill, an agent or a department: the reasons a delete is refused.

A delete that cascades or nulls a foreign key behind the back of live work breaks it: an agent row
gone under a login makes every later state write fail its foreign key and saves their calls as
answered by nobody; a skill gone under waiting calls strands them; a department gone under open
orders leaves them with nowhere to go. History is kept too: an agent with calls or state changes
on record is retired with ``active = false`` (which already stops log-ins), never deleted, so the
records keep saying who answered; a department with closed orders keeps them pointing at it.

Each function returns plain sentences naming what uses the row (empty: nothing does); the
directory service turns a non-empty list into a 409.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.db.models import (
    Agent,
    AgentSession,
    AgentSkill,
    AgentStateLog,
    Call,
    Callback,
    Liaison,
    Site,
    Skill,
    User,
    WorkOrderRow,
)
from workorders.model import OPEN_STATUSES

_NAMED = 5  # how many codes a message lists before it says "and N more"
_LIVE_CALLBACK = ("pending", "dialling")


def _listed(names: Sequence[str], total: int) -> str:
    shown = ", ".join(names[:_NAMED])
    return shown if total <= _NAMED else f"{shown} and {total - _NAMED} more"


async def _count(session: AsyncSession, *where: ColumnElement[bool], of: type) -> int:
    return int(await session.scalar(select(func.count()).select_from(of).where(*where)) or 0)


async def skill_users(session: AsyncSession, skill: Skill) -> list[str]:
    reasons = []
    holders = (
        await session.scalars(
            select(Agent.code)
            .join(AgentSkill, AgentSkill.agent_id == Agent.id)
            .where(AgentSkill.skill_id == skill.id)
            .order_by(Agent.code)
        )
    ).all()
    if holders:
        reasons.append(f"held by agents {_listed(holders, len(holders))}")
    # Calls name their skill by key, not by foreign key: a live call with it is waiting for it
    # (or talking under it, and may be transferred back to its queue).
    same_skill = (Call.business_line == skill.business_line, Call.language == skill.language)
    live = await _count(session, *same_skill, Call.outcome.is_(None), of=Call)
    if live:
        reasons.append(f"{live} live call(s) waiting for it")
    owed = await _count(
        session,
        Callback.business_line == skill.business_line,
        Callback.language == skill.language,
        Callback.status.in_(_LIVE_CALLBACK),
        of=Callback,
    )
    if owed:
        reasons.append(f"{owed} callback(s) owed in it")
    return reasons


async def agent_users(session: AsyncSession, agent: Agent) -> list[str]:
    reasons = []
    login = await session.scalar(
        select(Site.code)
        .join(AgentSession, AgentSession.site_id == Site.id)
        .where(AgentSession.agent_id == agent.id)
    )
    if login is not None:
        reasons.append(f"logged in on site {login} (log them out first)")
    live = (
        await session.scalars(
            select(Call.id).where(Call.agent_id == agent.id, Call.outcome.is_(None)).limit(_NAMED)
        )
    ).all()
    if live:
        reasons.append(f"on live call(s) {_listed([str(i) for i in live], len(live))}")
    dialling = await _count(
        session, Callback.agent_id == agent.id, Callback.status == "dialling", of=Callback
    )
    if dialling:
        reasons.append(f"placing {dialling} callback(s)")
    if reasons:
        return reasons
    calls = await _count(session, Call.agent_id == agent.id, of=Call)
    changes = await _count(session, AgentStateLog.agent_id == agent.id, of=AgentStateLog)
    if calls or changes:
        reasons.append(
            f"{calls} call(s) and {changes} state change(s) on record; "
            "retire the agent with active=false to keep that history"
        )
    return reasons


async def department_users(session: AsyncSession, department_id: int) -> list[str]:
    reasons = []
    open_orders = (
        await session.scalars(
            select(WorkOrderRow.reference)
            .where(
                WorkOrderRow.department_id == department_id,
                WorkOrderRow.status.in_([s.value for s in OPEN_STATUSES]),
            )
            .order_by(WorkOrderRow.reference)
        )
    ).all()
    if open_orders:
        reasons.append(f"open work orders {_listed(open_orders, len(open_orders))}")
    liaisons = (
        await session.scalars(
            select(User.username)
            .join(Liaison, Liaison.user_id == User.id)
            .where(Liaison.department_id == department_id)
            .order_by(User.username)
        )
    ).all()
    if liaisons:
        reasons.append(f"liaisons {_listed(liaisons, len(liaisons))}")
    closed = await _count(
        session,
        WorkOrderRow.department_id == department_id,
        WorkOrderRow.status.not_in([s.value for s in OPEN_STATUSES]),
        of=WorkOrderRow,
    )
    if closed:
        reasons.append(f"{closed} finished work order(s) that keep it as their record")
    return reasons
