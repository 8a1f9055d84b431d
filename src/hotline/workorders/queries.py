"""Reads that are not use cases: the scoped, filtered lists and the report's data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    false,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.db.models import Agent, Call, Department, User
from hotline.errors import ForbiddenError, InvalidInputError, NotFoundError
from hotline.workorders.mapping import EVENT_TABLE, ORDER_TABLE, event_from_row, order_from_row
from workorders.model import (
    UNRESOLVED_STATUSES,
    Action,
    Actor,
    Category,
    Priority,
    Role,
    Status,
    WorkOrder,
)
from workorders.model import WorkOrderEvent as DomainEvent

_READ_ALL = frozenset({Role.SUPERVISOR, Role.DIRECTOR, Role.ADMIN})
_UNRESOLVED = sorted(status.value for status in UNRESOLVED_STATUSES)


def visible_to(actor: Actor) -> ColumnElement[bool]:
    """The orders ``actor`` may read, as SQL (the same rule as ``workorders.access.can_read``)."""
    if actor.roles & _READ_ALL:
        # No condition at all (``WHERE true``, which PostgreSQL drops), rather than one on a
        # column: ``id IS NOT NULL`` made every count visit the table for ``id`` (PostgreSQL 15
        # does not know that a primary key is never null), so a name's or a phone's total
        # could not be an index-only scan of that column's index.
        return true()
    scopes: list[ColumnElement[bool]] = []
    if actor.roles & {Role.SPECIALIST, Role.LIAISON} and actor.department_id is not None:
        scopes.append(ORDER_TABLE.c.department_id == int(actor.department_id))
    if Role.AGENT in actor.roles:
        scopes.append(ORDER_TABLE.c.created_by == int(actor.user_id))
    return or_(*scopes) if scopes else false()


@dataclass(frozen=True)
class OrderFilter:
    statuses: tuple[Status, ...] = ()
    department_id: int | None = None
    due_within: timedelta | None = None  # "due soon": unresolved, deadline within this time
    overdue: bool | None = None  # unresolved and past the resolution deadline
    created_from: datetime | None = None
    created_to: datetime | None = None
    categories: tuple[Category, ...] = ()
    priorities: tuple[Priority, ...] = ()
    mine: bool = False  # handled, dispatched or created by the actor
    # Search: each given field narrows the list (personal data: the caller audits full reads).
    reference: str | None = None
    phone: str | None = None
    taxpayer_number: str | None = None
    taxpayer_name: str | None = None
    text: str | None = None  # in the subject (the taxpayer's question)


def _conditions(actor: Actor, wanted: OrderFilter, now: datetime) -> list[ColumnElement[bool]]:
    table = ORDER_TABLE
    conditions = [visible_to(actor)]
    if wanted.statuses:
        conditions.append(inline_in(table.c.status, [status.value for status in wanted.statuses]))
    if wanted.department_id is not None:
        conditions.append(table.c.department_id == wanted.department_id)
    late = and_(table.c.status.in_(_UNRESOLVED), table.c.resolve_due_at < now)
    if wanted.due_within is not None:
        conditions.append(table.c.status.in_(_UNRESOLVED))
        conditions.append(table.c.resolve_due_at >= now)
        conditions.append(table.c.resolve_due_at <= now + wanted.due_within)
    if wanted.created_from is not None:
        conditions.append(table.c.created_at >= wanted.created_from)
    if wanted.created_to is not None:
        conditions.append(table.c.created_at < wanted.created_to)
    if wanted.overdue is True:
        conditions.append(late)
    elif wanted.overdue is False:
        conditions.append(~late)
    return conditions + _console_conditions(actor, wanted)


def _console_conditions(actor: Actor, wanted: OrderFilter) -> list[ColumnElement[bool]]:
    """The console's filters and search; exact matches on the indexed personal-data columns
    (a taxpayer is found by the number they give, not by a fragment of someone else's)."""
    table = ORDER_TABLE
    conditions: list[ColumnElement[bool]] = []
    if wanted.categories:
        conditions.append(table.c.category.in_([c.value for c in wanted.categories]))
    if wanted.priorities:
        conditions.append(table.c.priority.in_([p.value for p in wanted.priorities]))
    if wanted.mine:
        me = int(actor.user_id)
        conditions.append(
            or_(
                table.c.handler_user_id == me,
                table.c.dispatcher_user_id == me,
                table.c.created_by == me,
            )
        )
    exact = (
        (table.c.reference, wanted.reference),
        (table.c.taxpayer_phone, wanted.phone),
        (table.c.taxpayer_number, wanted.taxpayer_number),
        (table.c.taxpayer_name, wanted.taxpayer_name),
    )
    conditions.extend(column == value.strip() for column, value in exact if value)
    if wanted.text:
        conditions.append(contains_words(table.c.subject, wanted.text))
    return conditions


def inline_in(column: ColumnElement[str], values: list[str]) -> ColumnElement[bool]:
    """``column IN (...)`` with the values written into the statement, not bound.

    The console's partial indexes hold the open statuses: PostgreSQL uses them only when it
    can see the query's statuses, and a prepared statement's generic plan (asyncpg prepares,
    and after five runs the plan stops looking at the values) sees only ``$1, $2 ...``. The
    values are the Status enum's, never user text.
    """
    return column.in_(bindparam(None, values, expanding=True, literal_execute=True))


def contains_words(column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    """``column`` contains ``text`` (LIKE wildcards in it taken literally), ignoring case.

    Text without cased letters (Chinese) uses LIKE: PostgreSQL's ILIKE lower-cases every row's
    text first, three times slower on CJK for the same answer; both use the trigram index.
    """
    words = text.strip()
    # Written into the statement (quoted by the dialect) rather than bound, for the same reason
    # as ``inline_in``: a generic plan cannot tell a rare word from a common one.
    pattern = literal(f"%{escape_like(words)}%", String(), literal_execute=True)
    if words.lower() == words.upper():
        return column.like(pattern, escape="\\")
    return column.ilike(pattern, escape="\\")


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def listed(actor: Actor, wanted: OrderFilter, now: datetime) -> Select[Any]:
    """The orders ``actor`` may see that match ``wanted``, unordered (the API pages it)."""
    return select(ORDER_TABLE).where(*_conditions(actor, wanted, now))


REFERENCE_PATTERN = r"^\d{5}-\d{8}-\d{4,}$"
_REFERENCE = re.compile(REFERENCE_PATTERN)


def looks_like_reference(text: str) -> bool:
    """An order's reference (12366-20261207-0001) rather than its id (a UUID)."""
    return _REFERENCE.match(text) is not None


async def id_of_reference(session: AsyncSession, reference: str) -> str:
    """The id of the order with ``reference`` (404 naming the reference when there is none; the
    caller's right to read it is checked on the order, as for a lookup by id)."""
    order_id = await session.scalar(
        select(ORDER_TABLE.c.id).where(ORDER_TABLE.c.reference == reference)
    )
    if order_id is None:
        raise NotFoundError(f"no work order with reference {reference}")
    return str(order_id)


async def check_call_for_agent(session: AsyncSession, call_id: int, actor: Actor) -> None:
    """Agents create work orders from their own calls; anyone else from any existing call."""
    answered_by = await session.execute(
        select(Call.id, Agent.user_id)
        .outerjoin(Agent, Agent.id == Call.agent_id)
        .where(Call.id == call_id)
    )
    row = answered_by.first()
    if row is None:
        raise InvalidInputError(
            [
                {
                    "loc": ["body", "call_id"],
                    "msg": f"call {call_id} does not exist",
                    "type": "reference",
                }
            ]
        )
    if actor.roles & {Role.SUPERVISOR, Role.ADMIN}:
        return
    if row.user_id is None or str(row.user_id) != actor.user_id:
        raise ForbiddenError(
            f"call {call_id} was not answered by you: agents file work orders from their own calls"
        )


async def department_exists(session: AsyncSession, department_id: int) -> bool:
    return (
        await session.scalar(select(Department.id).where(Department.id == department_id))
        is not None
    )


# ---------------------------------------------------------------- report data


_REPORTED_ACTIONS = (Action.RETURN.value, Action.APPROVE_EXTENSION.value)


async def report_data(
    session: AsyncSession, start: datetime, end: datetime
) -> tuple[list[WorkOrder], list[DomainEvent]]:
    """Orders whose resolution deadline falls in [start, end), and the period's returns and
    approved extensions (the report counts those by when they happened)."""
    orders = [
        order_from_row(row)
        for row in await session.execute(
            select(ORDER_TABLE).where(
                ORDER_TABLE.c.resolve_due_at >= start,
                ORDER_TABLE.c.resolve_due_at < end,
                ORDER_TABLE.c.status != Status.MERGED.value,
            )
        )
    ]
    events = [
        event_from_row(row)
        for row in await session.execute(
            select(EVENT_TABLE).where(
                EVENT_TABLE.c.at >= start,
                EVENT_TABLE.c.at < end,
                EVENT_TABLE.c.action.in_(_REPORTED_ACTIONS),
            )
        )
    ]
    return orders, events


async def labels(session: AsyncSession) -> dict[str, dict[str, str]]:
    """Readable names for the report's keys: department codes and usernames."""
    departments = await session.execute(select(Department.id, Department.code, Department.name))
    users = await session.execute(select(User.id, User.username))
    return {
        "department": {str(i): f"{code} {name}" for i, code, name in departments},
        "handler": {str(i): username for i, username in users},
    }
