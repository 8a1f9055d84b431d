"""Resolving natural keys (codes, usernames) to rows, with errors that name the field."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.db.models import Department, Site, Skill, User
from hotline.errors import InvalidInputError

Loc = Sequence[str | int]


def invalid(loc: Loc, message: str) -> InvalidInputError:
    return InvalidInputError([{"loc": ["body", *loc], "msg": message, "type": "reference"}])


async def site_by_code(session: AsyncSession, code: str, loc: Loc) -> Site:
    site = await session.scalar(select(Site).where(Site.code == code))
    if site is None:
        raise invalid(loc, f"site '{code}' does not exist")
    return site


async def skill_by_key(session: AsyncSession, line: str, language: str, loc: Loc) -> Skill:
    skill = await session.scalar(
        select(Skill).where(Skill.business_line == line, Skill.language == language)
    )
    if skill is None:
        raise invalid(loc, f"skill {line}.{language} does not exist")
    return skill


async def user_by_username(session: AsyncSession, username: str, loc: Loc) -> User:
    user = await session.scalar(select(User).where(User.username == username))
    if user is None:
        raise invalid(loc, f"user '{username}' does not exist")
    return user


async def department_by_code(session: AsyncSession, code: str, loc: Loc) -> Department:
    department = await session.scalar(select(Department).where(Department.code == code))
    if department is None:
        raise invalid(loc, f"department '{code}' does not exist")
    return department
