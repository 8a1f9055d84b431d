"""The one paging style of the REST API: keyset (cursor) pages with a ``next`` link, an allow-listed
``sort``, and a capped total.

Why keyset rather than limit/offset: the long lists (calls, work orders, the audit trail) grow by
millions of rows, and ``OFFSET n`` reads and throws away ``n`` rows, so page 10,000 costs as much
as the whole list; rows inserted while a client walks the list also shift an offset page (a row
seen twice or never). A cursor names the last row seen (its sort values and its id), and the next
page is "rows after that one" in the index order: each page costs the same however deep it is.

Why a capped total: ``count(*)`` over a million matching rows costs 0.2-1 s on every page. The
total counts at most ``TOTAL_CAP + 1`` rows (``SELECT count(*) FROM (SELECT 1 ... LIMIT 10001)``),
exact up to 10,000 and ``total_capped`` beyond, shown as "10000+". It honours every filter and the
caller's scope, which a planner estimate (``reltuples``) cannot.

A cursor is opaque to clients (base64url of JSON): the sort it was made for and the last row's
sort values. A cursor made for another ``sort`` is refused (422 naming ``cursor``).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Query, Request, Response
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.errors import InvalidInputError
from hotline.schemas.page import TOTAL_CAP

MAX_LIMIT = 500
DEFAULT_LIMIT = 50

_Query = TypeVar("_Query", bound=Select)  # type: ignore[type-arg]

LimitParam = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"rows per page (1-{MAX_LIMIT})")]
CursorParam = Annotated[
    str | None,
    Query(max_length=1000, description="the `next` cursor of the previous page; omit for page 1"),
]


def field_error(name: str, message: str) -> InvalidInputError:
    """A 422 naming the query parameter, in the shape request validation uses."""
    return InvalidInputError([{"loc": ["query", name], "msg": message, "type": "value_error"}])


def refuse_retired(request: Request, *names: str) -> None:
    """A 422 naming an offset-paging parameter this list used to take, rather than ignoring it
    and answering the first page again (a client looping on ``page`` would never end)."""
    for name in names:
        if name in request.query_params:
            raise field_error(name, f"{name} is retired: follow the `next` link (docs/api.md)")


# ------------------------------------------------------------------------------ sort orders
@dataclass(frozen=True)
class Key:
    """One column of a sort order. ``parse`` turns a cursor's JSON value back into a Python
    value for the comparison (datetimes travel as ISO text)."""

    column: ColumnElement[Any]
    descending: bool = False
    nullable: bool = False
    parse: Callable[[Any], Any] = lambda value: value

    def ordered(self) -> ColumnElement[Any]:
        ordered = self.column.desc() if self.descending else self.column.asc()
        # A nullable key lists its nulls last on both databases (SQLite puts them first in ASC,
        # PostgreSQL in DESC). Only then: on a NOT NULL column an explicit NULLS LAST in DESC no
        # longer matches a PostgreSQL index scanned backwards, and the first page becomes a sort
        # of the whole table (740 ms at a million calls instead of a few).
        return ordered.nulls_last() if self.nullable else ordered

    def equal(self, value: Any) -> ColumnElement[bool]:
        return self.column.is_(None) if value is None else self.column == value

    def after(self, value: Any) -> ColumnElement[bool]:
        """Rows strictly after ``value`` in this key's order (nulls come last)."""
        if value is None:
            return false()
        beyond = self.column < value if self.descending else self.column > value
        return or_(beyond, self.column.is_(None)) if self.nullable else beyond


def parse_datetime(value: Any) -> datetime:
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError("a cursor's moments carry their UTC offset")
    return moment


def _of_column_type(key: Key, value: Any) -> Any:
    """``value`` if it is what the key's column holds: a tampered cursor is a 422, never a
    driver error on the comparison."""
    try:
        expected = key.column.type.python_type
    except NotImplementedError:
        return value
    if not isinstance(value, expected) or isinstance(value, bool):
        raise TypeError(f"a cursor value for {key.column.key} is not a {expected.__name__}")
    return value


@dataclass(frozen=True)
class Sort:
    """An allowed ``sort=`` value: its keys, the last of which must be unique (the row id)."""

    name: str
    keys: tuple[Key, ...]

    def values_of(self, row: Any) -> list[Any]:
        """The sort values of a fetched row (an ORM object or a Core row), for its cursor."""
        return [getattr(row, str(key.column.key)) for key in self.keys]

    def order_by(self) -> list[ColumnElement[Any]]:
        return [key.ordered() for key in self.keys]

    def after(self, values: Sequence[Any]) -> ColumnElement[bool]:
        """Rows after the row whose sort values are ``values`` (lexicographic keyset)."""
        branches = []
        for index, key in enumerate(self.keys):
            same_before = [k.equal(v) for k, v in zip(self.keys[:index], values, strict=False)]
            branches.append(and_(true(), *same_before, key.after(values[index])))
        return or_(*branches)


def choose_sort(sorts: Sequence[Sort], wanted: str | None) -> Sort:
    """The allowed sort named ``wanted`` (the first one by default), or a 422 naming ``sort``
    and listing what is allowed."""
    if wanted is None:
        return sorts[0]
    for sort in sorts:
        if sort.name == wanted:
            return sort
    allowed = ", ".join(sort.name for sort in sorts)
    raise field_error("sort", f"cannot sort by {wanted!r}: use one of {allowed}")


def sort_param(sorts: Sequence[Sort]) -> Any:
    allowed = ", ".join(sort.name for sort in sorts)
    return Query(
        max_length=64,
        description=f"one of {allowed} (a leading '-' means descending); default {sorts[0].name}",
    )


# ------------------------------------------------------------------------------ cursors
def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def encode_cursor(sort: Sort, values: Sequence[Any]) -> str:
    raw = json.dumps({"s": sort.name, "v": [_jsonable(v) for v in values]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(sort: Sort, cursor: str) -> list[Any]:
    """The last row's sort values, or a 422 naming ``cursor`` (malformed, or for another sort)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        if not isinstance(data, dict) or not isinstance(data.get("v"), list):
            raise ValueError("not a cursor")
        values: list[Any] = data["v"]
        made_for = data.get("s")
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _not_a_cursor() from None
    if made_for != sort.name:
        raise field_error(
            "cursor", f"this cursor was made for sort={made_for!r}, not sort={sort.name!r}"
        )
    try:
        if len(values) != len(sort.keys):
            raise ValueError("wrong length")
        return [
            None if v is None else _of_column_type(k, k.parse(v))
            for k, v in zip(sort.keys, values, strict=True)
        ]
    except (ValueError, TypeError):
        raise _not_a_cursor() from None


def _not_a_cursor() -> InvalidInputError:
    return field_error(
        "cursor", "not a cursor of this list: pass the `next` link of the previous page"
    )


# ------------------------------------------------------------------------------ the page
def total_probe(filtered: Select[Any]) -> Select[Any]:
    """``filtered``'s rows as a constant, at most ``TOTAL_CAP + 1`` of them: what a capped total
    counts. The FROM stays that of ``filtered``'s columns: when no condition names a column (a
    supervisor's unfiltered work orders are ``WHERE true``) the constant alone would select
    from nothing and count one row."""
    only = filtered.with_only_columns(true().label("one"), maintain_column_froms=True)
    return only.order_by(None).limit(TOTAL_CAP + 1)


async def capped_total(session: AsyncSession, filtered: _Query) -> tuple[int, bool]:
    """How many rows ``filtered`` matches, counting at most ``TOTAL_CAP + 1`` of them."""
    probe = total_probe(filtered)
    counted = int(await session.scalar(select(func.count()).select_from(probe.subquery())) or 0)
    return min(counted, TOTAL_CAP), counted > TOTAL_CAP


_TOTAL = "page_total"


async def page_and_total(
    session: AsyncSession, filtered: _Query, sort: Sort, cursor: str | None, limit: int
) -> tuple[list[Any], int, bool]:
    """The rows of ``page_query`` and the capped total of ``filtered`` (as ``capped_total``) in
    one statement: the count rides on each row as an uncorrelated scalar subquery, which SQLite
    and PostgreSQL evaluate once.

    One statement instead of two: on SQLite each statement is four hops to aiosqlite's thread
    (cursor, execute, fetch, close), and under the API load benchmark those hops were the
    largest share of a list request's CPU. A page past the end has no row to carry the count;
    only then is it counted on its own (a first page with no row counts nothing)."""
    probe = total_probe(filtered)
    counted = select(func.count()).select_from(probe.subquery()).correlate(None).scalar_subquery()
    query = page_query(filtered, sort, cursor, limit).add_columns(counted.label(_TOTAL))
    rows = list(await session.execute(query))
    if rows:
        total = int(getattr(rows[0], _TOTAL))
        return rows, min(total, TOTAL_CAP), total > TOTAL_CAP
    if cursor is None:
        return rows, 0, False
    total_now, capped = await capped_total(session, filtered)
    return rows, total_now, capped


_LIMIT = "page_limit"


def _after(index: int) -> str:
    return f"page_after_{index}"


def _page_and_total_statement(
    filtered: Select[Any], sort: Sort, nulls: tuple[bool, ...] | None
) -> Select[Any]:
    """``page_and_total``'s statement with the limit and the cursor's values as bound
    parameters (``page_limit``, ``page_after_N``): the same SQL for every page of one shape.
    ``nulls`` says which cursor values are None (an ``IS NULL`` test rather than a parameter);
    None: the first page."""
    probe = total_probe(filtered)
    counted = select(func.count()).select_from(probe.subquery()).correlate(None).scalar_subquery()
    query = filtered
    if nulls is not None:
        after = [
            None if null else bindparam(_after(index), type_=key.column.type)
            for index, (key, null) in enumerate(zip(sort.keys, nulls, strict=True))
        ]
        query = query.where(sort.after(after))
    limited = query.order_by(*sort.order_by()).limit(bindparam(_LIMIT, type_=Integer()))
    return limited.add_columns(counted.label(_TOTAL))


class PageStatements:
    """One list's page-and-total statements, built once per filter shape and reused.

    Why: building the statement (the filtered select, the capped-total subquery, the keyset
    condition, the order) took about a third of a ``/calls`` request's CPU, and SQLAlchemy then
    walked the new statement again for its cache key. A statement built once keeps its cache key
    (SQLAlchemy memoises it on the object), so a request only binds its values. The shape is
    whatever changes the SQL text (which filters are given, the caller's scope, the sort and
    which cursor values are null); every value that changes goes in as a named bound parameter
    of ``build``'s statement, given in ``params`` (a value left out of ``params`` would silently
    keep the first request's, so the builders take no values at all, only names).

    The shapes are a few hundred at most (each a combination of optional filters); the cache is
    still bounded, so that no sequence of requests makes it grow without end."""

    def __init__(self, capacity: int = 512) -> None:
        self._capacity = capacity
        self._built: dict[Hashable, Select[Any]] = {}

    def _get(self, key: Hashable, build: Callable[[], Select[Any]]) -> Select[Any]:
        statement = self._built.get(key)
        if statement is None:
            if len(self._built) >= self._capacity:
                self._built.clear()
            statement = self._built[key] = build()
        return statement

    async def page_and_total(
        self,
        session: AsyncSession,
        shape: Hashable,
        build: Callable[[], Select[Any]],
        params: Mapping[str, Any],
        sort: Sort,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Any], int, bool]:
        """As :func:`page_and_total` on ``build()`` with ``params`` bound, from the statement
        kept for ``shape``: the same rows, total and cap, the same SQL."""
        values = None if cursor is None else decode_cursor(sort, cursor)
        nulls = None if values is None else tuple(value is None for value in values)
        statement = self._get(
            ("page", shape, sort.name, nulls),
            lambda: _page_and_total_statement(build(), sort, nulls),
        )
        bound = dict(params)
        bound[_LIMIT] = limit + 1
        for index, value in enumerate(values or ()):
            if value is not None:
                bound[_after(index)] = value
        rows = list(await session.execute(statement, bound))
        if rows:
            total = int(getattr(rows[0], _TOTAL))
            return rows, min(total, TOTAL_CAP), total > TOTAL_CAP
        if cursor is None:
            return rows, 0, False
        counting = self._get(
            ("total", shape),
            lambda: select(func.count()).select_from(total_probe(build()).subquery()),
        )
        counted = int(await session.scalar(counting, dict(params)) or 0)
        return rows, min(counted, TOTAL_CAP), counted > TOTAL_CAP


def page_query(query: _Query, sort: Sort, cursor: str | None, limit: int) -> _Query:
    """``query`` ordered by ``sort``, after ``cursor``, one row more than ``limit`` (that extra
    row tells whether a next page exists without a second query)."""
    if cursor is not None:
        query = query.where(sort.after(decode_cursor(sort, cursor)))
    return query.order_by(*sort.order_by()).limit(limit + 1)


def next_link(
    request: Request,
    response: Response | None,
    sort: Sort,
    rows: list[Any],
    limit: int,
    row_of: Callable[[Any], Any] = lambda row: row,
) -> str | None:
    """The next page's URL (path and query, the same filters) when ``rows`` (fetched with
    ``page_query``) holds more than ``limit``; also sent as an RFC 8288 ``Link`` header."""
    if len(rows) <= limit:
        return None
    cursor = encode_cursor(sort, sort.values_of(row_of(rows[limit - 1])))
    url = request.url.include_query_params(cursor=cursor)
    link = f"{url.path}?{url.query}"
    if response is not None:
        response.headers["Link"] = f'<{link}>; rel="next"'
    return link
