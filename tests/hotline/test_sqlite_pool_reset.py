"""A SQLite connection handed back to the pool is rolled back only when SQLite has work open.

After a commit the pool's rollback was a no-op costing a round trip to aiosqlite's thread on
every request; a connection returned with a transaction open must still be rolled back, or the
next user of that pooled connection would see (and could commit) someone else's writes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
import pytest_asyncio
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.db.session import create_engine, create_sessionmaker

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def one_connection(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A pool of one connection, so each checkout gets the connection the last one returned."""
    engine = create_engine(
        f"sqlite+aiosqlite:///{tmp_path / 'pool.db'}", pool_size=1, max_overflow=0
    )
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE note (body TEXT NOT NULL)"))
    yield engine
    await engine.dispose()


@pytest.fixture
def rollbacks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each rollback aiosqlite runs, with whether SQLite had a transaction open at the time."""
    seen: list[bool] = []
    real = aiosqlite.Connection.rollback

    async def counted(self: aiosqlite.Connection) -> None:
        seen.append(self.in_transaction)
        await real(self)

    monkeypatch.setattr(aiosqlite.Connection, "rollback", counted)
    return seen


async def _count(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM note"))).scalar_one())


async def test_a_committed_connection_goes_back_without_a_rollback(
    one_connection: AsyncEngine, rollbacks: list[bool]
) -> None:
    async with create_sessionmaker(one_connection)() as session:
        await session.execute(text("INSERT INTO note (body) VALUES ('kept')"))
        await session.commit()
    assert rollbacks == []
    assert await _count(one_connection) == 1


async def test_a_session_closed_without_commit_is_rolled_back(
    one_connection: AsyncEngine, rollbacks: list[bool]
) -> None:
    async with create_sessionmaker(one_connection)() as session:
        await session.execute(text("INSERT INTO note (body) VALUES ('dropped')"))
    assert rollbacks == [True]
    assert await _count(one_connection) == 0


def _insert_behind_sqlalchemys_back(sync_conn: Connection) -> bool:
    cursor: Any = sync_conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cursor.execute("INSERT INTO note (body) VALUES ('stray')")
    cursor.close()
    driver: aiosqlite.Connection = sync_conn.connection.driver_connection  # type: ignore[assignment]
    return driver.in_transaction


async def test_a_transaction_sqlalchemy_did_not_see_is_still_rolled_back(
    one_connection: AsyncEngine, rollbacks: list[bool]
) -> None:
    # A write through the raw driver connection: SQLAlchemy has no transaction to end, so only
    # the pool's reset stands between it and the next checkout of the same connection.
    async with one_connection.connect() as conn:
        assert await conn.run_sync(_insert_behind_sqlalchemys_back)
    assert rollbacks == [True]
    assert await _count(one_connection) == 0
