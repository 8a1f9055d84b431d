"""A month of the PostgreSQL year fill copied into a new SQLite file, for the same timings.

The directory (site, skills, agents, topics) and the month's calls, summaries and state rows
(with a day either side: the state at the month's start and the wrap-up margin) are read from
PostgreSQL and written into a migrated SQLite database with plain ``executemany``; times in the
text form SQLAlchemy keeps in SQLite (naive UTC, six decimals).
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import make_url

from hotline.db import migrate
from hotline.db.session import create_engine

CHUNK = 50_000


def _select(columns: list[tuple[str, str]]) -> str:
    out = []
    for name, kind in columns:
        if kind.startswith("timestamp"):
            out.append(f"to_char(\"{name}\" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')")
        elif kind in ("json", "jsonb"):
            out.append(f'"{name}"::text')
        elif kind == "boolean":
            out.append(f'"{name}"::int')
        else:
            out.append(f'"{name}"')
    return ", ".join(out)


async def _copy(source: Any, target: sqlite3.Connection, table: str, where: str, *args: Any) -> int:
    columns = [
        (r["column_name"], r["data_type"])
        for r in await source.fetch(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_name = $1 AND table_schema = 'public' ORDER BY ordinal_position",
            table,
        )
    ]
    names = ", ".join(f'"{name}"' for name, _ in columns)
    insert = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
    copied = 0
    async with source.transaction():
        cursor = source.cursor(f'SELECT {_select(columns)} FROM "{table}" {where}', *args)
        batch: list[tuple[Any, ...]] = []
        async for row in cursor:
            batch.append(tuple(row))
            if len(batch) == CHUNK:
                target.executemany(insert, batch)
                copied += len(batch)
                batch = []
        target.executemany(insert, batch)
        copied += len(batch)
    target.commit()
    return copied


async def sqlite_month(
    pg_url: str,
    month: tuple[datetime, datetime],
    time_all: Callable[..., Any],
    fold: Callable[..., Any],
    args: Any,
    log: Callable[[str], None],
) -> dict[str, Any]:
    import asyncpg

    folder = Path(tempfile.mkdtemp(prefix="reports_sqlite_"))
    path = folder / "month.db"
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_engine(url)
    await migrate.upgrade(engine)
    await engine.dispose()
    began = time.perf_counter()
    dsn = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    source = await asyncpg.connect(dsn)
    target = sqlite3.connect(path)
    counts: dict[str, int] = {}
    try:
        target.execute("PRAGMA foreign_keys = OFF")
        target.execute("PRAGMA synchronous = OFF")
        for table in ("site", "skill", "agent", "agent_skill", "topic"):
            target.execute(f'DELETE FROM "{table}"')
            counts[table] = await _copy(source, target, table, "")
        start, end = month
        calls = "WHERE arrived_at >= $1 AND arrived_at < $2"
        counts["call"] = await _copy(source, target, "call", calls, start, end)
        counts["call_summary"] = await _copy(
            source,
            target,
            "call_summary",
            "WHERE call_id IN (SELECT id FROM call WHERE arrived_at >= $1 AND arrived_at < $2)",
            start,
            end,
        )
        counts["agent_state_log"] = await _copy(
            source,
            target,
            "agent_state_log",
            "WHERE at >= $1 AND at < $2",
            start - timedelta(days=1),
            end + timedelta(days=1),
        )
        target.execute("ANALYZE")
        target.commit()
    finally:
        target.close()
        await source.close()
    copy_s = round(time.perf_counter() - began, 1)
    log(f"sqlite {path}: {counts} in {copy_s} s")
    out: dict[str, Any] = {"file": str(path), "copied": counts, "copy_s": copy_s}
    out["fold"] = await fold(url)
    only = {n for n in args.only.split(",") if n}
    out["reports"] = await time_all(url, args.repeat, args.slow_s, only, periods=("day", "month"))
    path.unlink()
    for leftover in folder.iterdir():
        leftover.unlink()
    folder.rmdir()
    return out
