"""Engine and session factories.  Nothing connects at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


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


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


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
