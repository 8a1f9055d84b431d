"""Reads that are not use cases: the scoped, filtered lists and the report's data."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    false,
    literal,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

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
    read_all, by_department, by_creator, values = _scope(actor)
    condition = _scope_condition(read_all, by_department, by_creator)
    # ``true()`` and ``false()`` take no parameters (and cannot be copied to bind some).
    return condition.params(values) if values else condition


def _scope(actor: Actor) -> tuple[bool, bool, bool, dict[str, int]]:
    """Whether ``actor`` reads every order, else those of their department and/or those they
    created; and the values of the scope's parameters (``scope_department``, ``scope_creator``)."""
    read_all = bool(actor.roles & _READ_ALL)
    department = actor.department_id
    by_department = (
        not read_all
        and bool(actor.roles & {Role.SPECIALIST, Role.LIAISON})
        and department is not None
    )
    by_creator = not read_all and Role.AGENT in actor.roles
    values = {}
    if by_department and department is not None:
        values["scope_department"] = int(department)
    if by_creator:
        values["scope_creator"] = int(actor.user_id)
    return read_all, by_department, by_creator, values


def _scope_condition(read_all: bool, by_department: bool, by_creator: bool) -> ColumnElement[bool]:
    if read_all:
        # No condition at all (``WHERE true``, which PostgreSQL drops), rather than one on a
        # column: ``id IS NOT NULL`` made every count visit the table for ``id`` (PostgreSQL 15
        # does not know that a primary key is never null), so a name's or a phone's total
        # could not be an index-only scan of that column's index.
        return true()
    scopes: list[ColumnElement[bool]] = []
    if by_department:
        scopes.append(ORDER_TABLE.c.department_id == bindparam("scope_department"))
    if by_creator:
        scopes.append(ORDER_TABLE.c.created_by == bindparam("scope_creator"))
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


# The shape of a list's statement: which filters are given and the caller's scope, i.e.
# whatever changes the SQL text. The values go in as bound parameters named after the filter,
# so that one statement built per shape serves every request of that shape
# (``hotline.api.paging.PageStatements``).
class ListShape(NamedTuple):
    read_all: bool  # the caller reads every order
    by_department: bool  # ... else the orders of their department
    by_creator: bool  # ... and/or the orders they created
    overdue: bool | None  # the ``overdue`` filter (True, False or not given)
    cased: bool | None  # the ``text`` search: its words have cased letters (ILIKE) or not
    given: frozenset[str]  # the parameters bound (other than ``now`` and ``text_pattern``)


def listed_shape(
    actor: Actor, wanted: OrderFilter, now: datetime
) -> tuple[ListShape, dict[str, Any]]:
    """The shape of ``listed(actor, wanted, now)`` and its parameters' values, by name."""
    read_all, by_department, by_creator, scope_values = _scope(actor)
    values: dict[str, Any] = dict(scope_values)
    if wanted.statuses:
        values["statuses"] = [status.value for status in wanted.statuses]
    if wanted.department_id is not None:
        values["department_id"] = wanted.department_id
    if wanted.due_within is not None:
        values["now"] = now
        values["due_until"] = now + wanted.due_within
    if wanted.created_from is not None:
        values["created_from"] = wanted.created_from
    if wanted.created_to is not None:
        values["created_to"] = wanted.created_to
    if wanted.overdue is not None:
        values["now"] = now
    if wanted.categories:
        values["categories"] = [category.value for category in wanted.categories]
    if wanted.priorities:
        values["priorities"] = [priority.value for priority in wanted.priorities]
    if wanted.mine:
        values["me"] = int(actor.user_id)
    for name in _EXACT:
        value = getattr(wanted, name)
        if value:
            values[name] = value.strip()
    cased: bool | None = None
    if wanted.text:
        words = wanted.text.strip()
        values["text_pattern"] = f"%{escape_like(words)}%"
        cased = words.lower() != words.upper()
    shape = ListShape(
        read_all,
        by_department,
        by_creator,
        wanted.overdue,
        cased,
        frozenset(name for name in values if name not in ("now", "text_pattern")),
    )
    return shape, values


# The exact-match search fields (``OrderFilter`` names; the parameter takes the same name).
_EXACT = ("reference", "phone", "taxpayer_number", "taxpayer_name")
_EXACT_COLUMNS = {
    "reference": ORDER_TABLE.c.reference,
    "phone": ORDER_TABLE.c.taxpayer_phone,
    "taxpayer_number": ORDER_TABLE.c.taxpayer_number,
    "taxpayer_name": ORDER_TABLE.c.taxpayer_name,
}


def listed_statement(shape: ListShape) -> Select[Any]:
    """The statement of ``shape`` (from ``listed_shape``), its values as bound parameters."""
    read_all, by_department, by_creator, overdue, cased, given = shape
    table = ORDER_TABLE
    conditions = [_scope_condition(read_all, by_department, by_creator)]
    if "statuses" in given:
        conditions.append(inline_in(table.c.status, name="statuses"))
    if "department_id" in given:
        conditions.append(table.c.department_id == bindparam("department_id"))
    now = bindparam("now", type_=table.c.resolve_due_at.type)
    late = and_(table.c.status.in_(_UNRESOLVED), table.c.resolve_due_at < now)
    if "due_until" in given:
        conditions.append(table.c.status.in_(_UNRESOLVED))
        conditions.append(table.c.resolve_due_at >= now)
        conditions.append(table.c.resolve_due_at <= bindparam("due_until"))
    if "created_from" in given:
        conditions.append(table.c.created_at >= bindparam("created_from"))
    if "created_to" in given:
        conditions.append(table.c.created_at < bindparam("created_to"))
    if overdue is True:
        conditions.append(late)
    elif overdue is False:
        conditions.append(~late)
    # The console's filters and search; exact matches on the indexed personal-data columns
    # (a taxpayer is found by the number they give, not by a fragment of someone else's).
    if "categories" in given:
        conditions.append(table.c.category.in_(bindparam("categories", expanding=True)))
    if "priorities" in given:
        conditions.append(table.c.priority.in_(bindparam("priorities", expanding=True)))
    if "me" in given:
        me: BindParameter[int] = bindparam("me")
        conditions.append(
            or_(
                table.c.handler_user_id == me,
                table.c.dispatcher_user_id == me,
                table.c.created_by == me,
            )
        )
    conditions.extend(_EXACT_COLUMNS[name] == bindparam(name) for name in _EXACT if name in given)
    if cased is not None:
        conditions.append(_words_condition(table.c.subject, cased))
    return select(table).where(*conditions)


def inline_in(
    column: ColumnElement[str], values: list[str] | None = None, *, name: str | None = None
) -> ColumnElement[bool]:
    """``column IN (...)`` with the values written into the statement, not bound.

    The console's partial indexes hold the open statuses: PostgreSQL uses them only when it
    can see the query's statuses, and a prepared statement's generic plan (asyncpg prepares,
    and after five runs the plan stops looking at the values) sees only ``$1, $2 ...``. The
    values are the Status enum's, never user text; ``name`` names the parameter, its values
    then given at execution.
    """
    return column.in_(bindparam(name, values, expanding=True, literal_execute=True))


def contains_words(column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    """``column`` contains ``text`` (LIKE wildcards in it taken literally), ignoring case.

    Text without cased letters (Chinese) uses LIKE: PostgreSQL's ILIKE lower-cases every row's
    text first, three times slower on CJK for the same answer; both use the trigram index.
    """
    words = text.strip()
    # Written into the statement (quoted by the dialect) rather than bound, for the same reason
    # as ``inline_in``: a generic plan cannot tell a rare word from a common one.
    pattern = literal(f"%{escape_like(words)}%", String(), literal_execute=True)
    return _words_condition(column, words.lower() != words.upper(), pattern)


def _words_condition(
    column: ColumnElement[str], cased: bool, pattern: ColumnElement[str] | None = None
) -> ColumnElement[bool]:
    """``column`` LIKE ``pattern`` (ILIKE when the words have cased letters); by default the
    pattern is the parameter ``text_pattern``, written into the statement at execution."""
    if pattern is None:
        pattern = bindparam("text_pattern", type_=String(), literal_execute=True)
    if cased:
        return column.ilike(pattern, escape="\\")
    return column.like(pattern, escape="\\")


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# Columns of a work order that no list row shows (``WorkOrderRead`` has neither): JSON, decoded
# for each row of a page for nothing.
_NOT_SHOWN = frozenset({"paused_intervals", "escalations_done"})


def shown_statement(shape: ListShape) -> Select[Any]:
    """``listed_statement(shape)`` with the columns a list row never shows read as NULL: the
    orders built from its rows hold no pause intervals and no escalations done, and are only
    fit to be shown (``WorkOrderRead``) and audited, not acted upon."""
    return listed_statement(shape).with_only_columns(
        *(
            null().label(column.name) if column.name in _NOT_SHOWN else column
            for column in ORDER_TABLE.columns
        )
    )


def listed(actor: Actor, wanted: OrderFilter, now: datetime) -> Select[Any]:
    """The orders ``actor`` may see that match ``wanted``, unordered (the API pages it)."""
    shape, values = listed_shape(actor, wanted, now)
    return listed_statement(shape).params(values)


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
