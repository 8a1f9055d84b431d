"""Engine and session factories.  Nothing connects at import time."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, event, make_url
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, PoolResetState

from hotline.db.sqlite_one_hop import one_hop_dbapi

# The stock aiosqlite adapter instead when False (the API load benchmark compares the two).
SQLITE_ONE_HOP = True


def create_engine(
    url: str,
    *,
    echo: bool = False,
    pool_size: int | None = None,
    max_overflow: int | None = None,
    pool_timeout_s: float | None = None,
    sqlite_busy_timeout_s: float = 30.0,
) -> AsyncEngine:
    """An engine; the pool options default to SQLAlchemy's (5 + 10 overflow, 30 s wait)."""
    # Statement parameters may hold secrets (an ARI password): echo the SQL, never the values.
    kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
    for name, value in (
        ("pool_size", pool_size),
        ("max_overflow", max_overflow),
        ("pool_timeout", pool_timeout_s),
    ):
        if value is not None:
            kwargs[name] = value
    if url.startswith("sqlite"):
        # One writer at a time is SQLite's nature; wait for the lock instead of failing at once.
        kwargs["connect_args"] = {"timeout": sqlite_busy_timeout_s}
        # The pool's own reset (a rollback of every connection handed back) is replaced by
        # ``_roll_back_what_is_open`` below, which asks SQLite first.
        kwargs["pool_reset_on_return"] = None
        if "+aiosqlite" in url and SQLITE_ONE_HOP:
            kwargs["module"] = one_hop_dbapi()  # one trip to aiosqlite's thread per statement
    else:
        kwargs["pool_pre_ping"] = True
        if "+asyncpg" in url:
            # PostgreSQL's JIT pays off for long analytic scans, not for this service's short
            # statements: a knowledge-base search spent 475 ms compiling a 30 ms plan once its
            # cost estimate crossed jit_above_cost. Reports run fine without it.
            kwargs["connect_args"] = {"server_settings": {"jit": "off"}}
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):
        _configure_sqlite(engine)
    return engine


def create_sqlite_sync_engine(url: str, *, sqlite_busy_timeout_s: float = 30.0) -> Engine:
    """A synchronous engine (the standard ``sqlite3`` driver) on the SQLite file of ``url``,
    with the same connection settings as :func:`create_engine`'s, and a pool of one connection.

    For a writer that runs a whole transaction on a thread of its own (one trip from the event
    loop instead of one per statement: ``hotline.audit_reads``); every use of it, including
    ``dispose``, must come from that one thread."""
    sync_url = make_url(url).set(drivername="sqlite")
    engine = create_sync_engine(
        sync_url,
        hide_parameters=True,
        pool_size=1,
        max_overflow=0,
        connect_args={"timeout": sqlite_busy_timeout_s},
    )
    event.listen(engine, "connect", _apply_sqlite_settings)
    return engine


def _apply_sqlite_settings(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _configure_sqlite(engine: AsyncEngine) -> None:
    event.listen(engine.sync_engine, "connect", _apply_sqlite_settings)

    @event.listens_for(engine.sync_engine, "reset")
    def _roll_back_what_is_open(
        dbapi_connection: Any, record: ConnectionPoolEntry, state: PoolResetState
    ) -> None:
        """Roll back a connection handed back to the pool only if SQLite has a transaction open.

        The pool's default is a rollback on every return, and SQLAlchemy skips it only when it
        rolled back itself; after a commit (every request that reaches its end) it is a no-op
        that still costs aiosqlite a round trip to its thread. Skipping it is safe because the
        question goes to SQLite, not to SQLAlchemy's bookkeeping: ``in_transaction`` is
        ``sqlite3_get_autocommit``, true whenever any statement (SQLAlchemy's or a raw one)
        left a transaction open, and then the rollback runs as before. It is read from the
        connection's state without a thread hop; the connection is idle while it is returned.
        """
        if state.terminate_only or not state.asyncio_safe or state.transaction_was_reset:
            return
        if record.driver_connection is not None and record.driver_connection.in_transaction:
            dbapi_connection.rollback()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def transaction(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on any error."""
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


# Set by the API's read line (hotline.admission) for the request it serves: called when that
# request has to wait for its write turn, so that it gives its place in the read line back
# meanwhile instead of keeping the reads behind it waiting for a write.
on_write_wait: ContextVar[Callable[[], None] | None] = ContextVar("on_write_wait", default=None)

# One per SQLite engine: see ``commit_in_turn``. False: every session goes to SQLite's lock at
# once (the API load benchmark compares the two).
SQLITE_WRITE_TURN = True
_SQLITE_WRITERS: weakref.WeakKeyDictionary[Engine, asyncio.Lock] = weakref.WeakKeyDictionary()


def write_turn(engine: AsyncEngine) -> asyncio.Lock | None:
    """The line this process's writers on ``engine`` wait in before SQLite's write lock (None
    on PostgreSQL, which takes concurrent writers, or with the line turned off). Shared by
    :func:`commit_in_turn` and the group commit of read audits (``hotline.audit_reads``),
    which writes on a pool of its own but to the same database file."""
    if not SQLITE_WRITE_TURN or engine.dialect.name != "sqlite":
        return None
    sync_engine = engine.sync_engine
    lock = _SQLITE_WRITERS.get(sync_engine)
    if lock is None:
        lock = _SQLITE_WRITERS[sync_engine] = asyncio.Lock()
    return lock


async def commit_in_turn(session: AsyncSession) -> None:
    """Commit; on SQLite, a session with rows to write waits its turn in this process first.

    SQLite lets one connection write at a time, and the others wait in its busy handler, which
    polls with growing sleeps (up to 100 ms) rather than queueing: under the API load benchmark
    each supervisor's page of work orders writes its personal-data audit entry, a dozen of those
    writes polled at once, some lost every round, waited out the 30 s busy timeout and failed
    (503), while their connections were missing from the pool for everyone else. Waiting here
    instead, in order, leaves at most one of this engine's connections at SQLite's lock (beside
    the CTI engine's writer, a pool of its own). Reads commit at once: they take no write lock.
    """
    bind = session.bind
    lock = None
    if bind is not None and (session.new or session.dirty or session.deleted):
        lock = write_turn(bind if isinstance(bind, AsyncEngine) else bind.engine)
    if lock is None:
        await session.commit()
        return
    if lock.locked():
        leave_read_line = on_write_wait.get()
        if leave_read_line is not None:
            leave_read_line()
    async with lock:
        await session.commit()
