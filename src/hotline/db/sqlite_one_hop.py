"""SQLite through aiosqlite with one trip to its thread per statement instead of four.

aiosqlite runs each SQLite call on a thread of its own and hands the result back to the event
loop; SQLAlchemy's adapter makes four such trips per statement (open a cursor, execute, fetch the
rows, close the cursor). Each trip is a queue put, a thread wake-up, a future resolved through
the loop and a task step: under the API load benchmark they were the largest single cost of a
request on SQLite. Here the cursor is opened, executed, read to the end and closed in one
function on aiosqlite's thread, and what SQLAlchemy reads afterwards (description, row count,
last row id, the rows) is kept on the adapter. The statements, their order on the connection
and the errors raised are those of the stock adapter; only the number of trips changes.
Server-side cursors (``stream_results``) keep the stock adapter.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

# What one trip brings back: description, rowcount, lastrowid, and the rows (None: no result set).
_Outcome = tuple[Any, int, int | None, list[Any] | None]


def _run_on_thread(
    connection: sqlite3.Connection, operation: str, parameters: Any, many: bool
) -> _Outcome:
    """The whole life of a cursor, on aiosqlite's thread."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else None
        # Read after the rows: with RETURNING, SQLite counts the rows as they are stepped.
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose every statement is one trip to aiosqlite's thread."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:
        # Not the stock __init__: it opens an aiosqlite cursor (a trip) that is not needed.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]  # never used: see _run
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1  # sqlite3's default

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]  # None before any insert, as sqlite3

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _async_soft_close(self) -> None:
        """Nothing to close: the SQLite cursor was closed in the trip that ran it."""

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            await_(self._run(operation, parameters, many=False))
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        return self

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        try:
            await_(self._run(operation, seq_of_parameters, many=True))
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        return self

    def setinputsizes(self, *inputsizes: Any) -> None:
        """sqlite3 ignores input sizes (a DB-API no-op)."""

    def nextset(self) -> None:
        raise NotImplementedError("SQLite returns one result set per statement")

    async def _run(self, operation: Any, parameters: Any, *, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with self._adapt_connection._execute_mutex:
            outcome: _Outcome = await connection._execute(  # type: ignore[no-untyped-call]
                _run_on_thread, connection._conn, operation, parameters, many
            )
        self._description, self._rowcount, self._lastrowid, rows = outcome
        self._rows = collections.deque(rows) if rows is not None else collections.deque()


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneHopCursor

    def _in_transaction(self) -> bool:
        """Whether SQLite has a transaction open on this connection (``sqlite3_get_autocommit``,
        read from the connection's state on the loop's thread, without a trip: the connection
        is idle, SQLAlchemy never commits while one of its statements runs)."""
        connection: sqlite3.Connection | None = self._connection._connection
        return connection is None or connection.in_transaction

    def commit(self) -> None:
        # sqlite3's own commit does nothing when no transaction is open; a read-only request
        # (no statement began one) skips the trip to aiosqlite's thread that would learn that.
        if self._in_transaction():
            super().commit()

    def rollback(self) -> None:
        # As ``commit``: sqlite3 rolls back only an open transaction.
        if self._in_transaction():
            super().rollback()


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The aiosqlite DB-API adapter, handing out :class:`OneHopConnection` s."""

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        stock = super().connect(*arg, **kw)
        return OneHopConnection(self, stock._connection)


def one_hop_dbapi() -> OneHopDBAPI:
    """The ``module`` to give ``create_async_engine`` for a ``sqlite+aiosqlite`` URL."""
    return OneHopDBAPI(aiosqlite, sqlite3)
