"""The signed-in user as the domain's ``Actor``.

A liaison's department comes from the ``liaison`` table when their user record names none (a
bureau's liaison is designated there, not necessarily employed by the bureau).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.auth.principal import Principal
from hotline.db.models import Liaison
from hotline.roles import Role as HotlineRole
from workorders.model import Actor, Role


async def actor_for(session: AsyncSession, principal: Principal) -> Actor:
    department = principal.department_id
    if department is None and HotlineRole.LIAISON in principal.roles:
        department = await session.scalar(
            select(Liaison.department_id)
            .where(Liaison.user_id == principal.user_id)
            .order_by(Liaison.department_id)
            .limit(1)
        )
    return Actor(
        user_id=str(principal.user_id),
        roles=frozenset(Role(role.value) for role in principal.roles),
        department_id=str(department) if department is not None else None,
    )
