"""SQLite statements take one trip to aiosqlite's thread each, with the stock adapter's results.

The service's engines (``hotline.db.session.create_engine``) give SQLAlchemy the one-trip adapter
(``hotline.db.sqlite_one_hop``); the same statements through the stock aiosqlite adapter must
give the same rows, counts, ids and errors. The trips are counted at aiosqlite's queue to its
thread (``Connection._execute``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
import pytest_asyncio
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from hotline.db import session as session_module
from hotline.db.session import commit_in_turn, create_engine, create_sessionmaker

pytestmark = pytest.mark.asyncio


class _Base(DeclarativeBase):
    pass


class Note(_Base):
    __tablename__ = "note"
    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str]


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every function sent to an aiosqlite thread, by name, in order."""
    sent: list[str] = []
    stock = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Callable[..., Any], *a: Any, **k: Any) -> Any:
        sent.append(getattr(fn, "__name__", repr(fn)))
        return await stock(self, fn, *a, **k)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return sent


@pytest_asyncio.fixture(params=["one_hop", "stock"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'trips.db'}"
    made = create_engine(url) if request.param == "one_hop" else create_async_engine(url)
    async with made.begin() as conn:
        await conn.execute(text("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    yield made
    await made.dispose()


async def _exercise(engine: AsyncEngine) -> dict[str, Any]:
    """A little of everything SQLAlchemy asks of a cursor, and what came back."""
    seen: dict[str, Any] = {}
    async with engine.connect() as conn:
        many = await conn.execute(
            text("INSERT INTO item (name) VALUES (:name)"), [{"name": "a"}, {"name": "b"}]
        )
        seen["executemany_rowcount"] = many.rowcount
        one = await conn.execute(text("INSERT INTO item (name) VALUES ('c')"))
        seen["lastrowid"] = one.lastrowid
        returned = await conn.execute(text("INSERT INTO item (name) VALUES ('d') RETURNING id"))
        seen["returning"] = returned.all()
        seen["rows"] = (await conn.execute(text("SELECT id, name FROM item ORDER BY id"))).all()
        seen["keys"] = list((await conn.execute(text("SELECT id AS ident, name FROM item"))).keys())
        seen["empty"] = (await conn.execute(text("SELECT id FROM item WHERE id < 0"))).all()
        updated = await conn.execute(text("UPDATE item SET name = name || '!' WHERE id > 2"))
        seen["update_rowcount"] = updated.rowcount
        with pytest.raises(IntegrityError, match="UNIQUE"):
            await conn.execute(text("INSERT INTO item (name) VALUES ('a')"))
        streamed = await conn.stream(text("SELECT name FROM item ORDER BY id"))
        seen["streamed"] = [row.name async for row in streamed]
        await conn.commit()
    return seen


async def test_the_same_results_as_the_stock_adapter(engine: AsyncEngine) -> None:
    assert await _exercise(engine) == {
        "executemany_rowcount": 2,
        "lastrowid": 3,
        "returning": [(4,)],
        "rows": [(1, "a"), (2, "b"), (3, "c"), (4, "d")],
        "keys": ["ident", "name"],
        "empty": [],
        "update_rowcount": 2,
        "streamed": ["a", "b", "c!", "d!"],
    }


async def test_one_trip_per_statement(tmp_path: Path, trips: list[str]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'trips.db'}"
    for make in (create_engine, create_async_engine):
        engine = make(url)
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))  # connects (and sets up) first
            trips.clear()
            rows = (await conn.execute(text("SELECT 1 UNION ALL SELECT 2"))).all()
            assert rows == [(1,), (2,)]
            if make is create_engine:
                assert trips == ["_run_on_thread"]
            else:
                # The stock adapter: a cursor, the execute, the fetch, the close.
                assert len(trips) == 4
        await engine.dispose()


async def test_a_read_only_session_commits_without_a_trip(tmp_path: Path, trips: list[str]) -> None:
    """A request's session commits at its end, read or write. With no transaction open in SQLite
    (a read took none), sqlite3's commit and rollback do nothing: the adapter skips the trip to
    learn that. A session that wrote still commits (the row is kept) or rolls back (gone)."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'trips.db'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT)"))
    maker = create_sessionmaker(engine)
    async with maker() as session:
        await session.execute(text("SELECT count(*) FROM item"))
        trips.clear()
        await session.commit()
    assert trips == []
    async with maker() as session:
        await session.execute(text("SELECT count(*) FROM item"))
        trips.clear()
        await session.rollback()
    assert trips == []
    async with maker() as session:
        await session.execute(text("INSERT INTO item (name) VALUES ('kept')"))
        trips.clear()
        await session.commit()
    assert [name for name in trips if "commit" in name] != []
    async with maker() as session:
        await session.execute(text("INSERT INTO item (name) VALUES ('dropped')"))
        trips.clear()
        await session.rollback()
    assert [name for name in trips if "rollback" in name] != []
    async with maker() as session:
        names = (await session.execute(text("SELECT name FROM item"))).scalars().all()
    assert names == ["kept"]
    await engine.dispose()


# ------------------------------------------------------------------ SQLite writers in turn
async def test_request_sessions_with_writes_commit_one_at_a_time_on_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``commit_in_turn``: the second session's rows reach SQLite only after the first one's
    commit is over, so one connection at a time waits at SQLite's lock; a read-only session
    is not held behind a writer."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)"))
    sessions = create_sessionmaker(engine)
    seen: list[str] = []

    @event.listens_for(Session, "before_flush")
    def flushing(session: Session, *_: Any) -> None:
        seen.append(f"flush {session.info['name']}")

    @event.listens_for(Session, "after_commit")
    def committed(session: Session) -> None:
        seen.append(f"commit {session.info['name']}")

    async def write(name: str) -> None:
        async with sessions() as session:
            session.info["name"] = name
            session.add(Note(body=name))
            await commit_in_turn(session)

    async def read(name: str) -> None:
        async with sessions() as session:
            session.info["name"] = name
            await session.execute(text("SELECT count(*) FROM note"))
            await commit_in_turn(session)

    try:
        await asyncio.gather(write("a"), write("b"), write("c"))
        assert seen == ["flush a", "commit a", "flush b", "commit b", "flush c", "commit c"]
        seen.clear()
        left: list[str] = []
        async with session_module._SQLITE_WRITERS[engine.sync_engine]:  # a writer's turn
            await read("r")  # a read-only session is not in the line
            assert left == []
            hook = session_module.on_write_wait.set(lambda: left.append("left the read line"))
            try:
                writer = asyncio.create_task(write("w"))
            finally:
                session_module.on_write_wait.reset(hook)
            for _ in range(20):
                await asyncio.sleep(0)
            assert not writer.done()
            assert left == ["left the read line"]  # told the API's read line it waits
        await writer
        assert seen == ["commit r", "flush w", "commit w"]
        async with sessions() as session:
            assert (await session.execute(text("SELECT count(*) FROM note"))).scalar() == 4
    finally:
        event.remove(Session, "before_flush", flushing)
        event.remove(Session, "after_commit", committed)
        await engine.dispose()
