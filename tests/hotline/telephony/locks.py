"""Making a real database unavailable to the CTI engine for a while, on either backend."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine


@dataclass
class Outage:
    """A held lock on the tables; on PostgreSQL also able to cut every other connection."""

    url: str
    connection: AsyncConnection | None = None

    async def cut_connections(self) -> int:
        """PostgreSQL: once a writer waits on the lock, terminate every other session on the
        database (as a restart would); SQLite has no server to restart. Returns how many were
        cut."""
        if self.connection is None:
            return 0
        waiting = text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        )
        for _ in range(2000):  # a guard: the writer reaches the lock within a few ms
            if await self.connection.scalar(waiting):
                break
            await asyncio.sleep(0.01)
        rows = await self.connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        return len(rows.all())


@asynccontextmanager
async def database_locked(url: str, tables: tuple[str, ...]) -> AsyncIterator[Outage]:
    """Hold a lock that stops every write to ``tables`` (on SQLite, every write at all) until
    the block ends."""
    if url.startswith("sqlite"):
        path = make_url(url).database
        assert path
        blocker = sqlite3.connect(path, isolation_level=None)
        try:
            blocker.execute("BEGIN EXCLUSIVE")
            yield Outage(url)
            blocker.execute("COMMIT")
        finally:
            blocker.close()
        return
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("BEGIN"))
            listed = ", ".join(f'"{table}"' for table in tables)
            await connection.execute(text(f"LOCK TABLE {listed} IN EXCLUSIVE MODE"))
            yield Outage(url, connection)
            await connection.execute(text("COMMIT"))
    finally:
        await engine.dispose()
