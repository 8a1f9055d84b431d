"""Who may read which work order, and how much of the taxpayer they see.

Reads must also be audited; that is the shell's job (it knows the request), so these functions
only decide.
"""

from __future__ import annotations

from dataclasses import replace

from workorders.errors import ForbiddenActionError
from workorders.model import ROLES_SEEING_PERSONAL_DATA, Actor, Role, WorkOrder

_READ_EVERYTHING = frozenset({Role.SUPERVISOR, Role.DIRECTOR, Role.ADMIN})


def can_read(order: WorkOrder, actor: Actor) -> bool:
    """Supervisors, directors and admins read every order; specialists and liaisons their own
    department's; agents the orders they created."""
    if actor.roles & _READ_EVERYTHING:
        return True
    if actor.roles & {Role.SPECIALIST, Role.LIAISON} and (
        order.department_id is not None and order.department_id == actor.department_id
    ):
        return True
    return Role.AGENT in actor.roles and order.created_by == actor.user_id


def sees_personal_data(actor: Actor) -> bool:
    return bool(actor.roles & ROLES_SEEING_PERSONAL_DATA)


def as_seen_by(order: WorkOrder, actor: Actor) -> WorkOrder:
    """The order as ``actor`` may see it (taxpayer masked where not needed), or a refusal."""
    if not can_read(order, actor):
        raise ForbiddenActionError(f"you may not read work order {order.reference}")
    if sees_personal_data(actor):
        return order
    return replace(order, taxpayer=order.taxpayer.masked())
