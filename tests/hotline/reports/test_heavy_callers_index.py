"""The heavy callers' grouped query can be served by ``ix_call_inbound_caller_arrived`` alone
(no table read) on PostgreSQL: the plan is what makes a large centre's month fast, so the plan
is what is checked (the figures are in BENCHMARKS.md). SQLite's planner, without statistics,
prefers the arrival index for a period: there the answer alone is checked."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.reports import queries
from hotline.reports.queries import Filters
from tests.hotline.reports.floor_day import at, seed_day

pytestmark = pytest.mark.asyncio


async def test_the_numbers_are_grouped_from_the_index_alone(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await seed_day(sessionmaker)
    grouped = queries.heavy_callers_grouped(at(0, 0), at(23, 0), Filters(), 2, 200)
    async with sessionmaker() as session:
        connection = await session.connection()
        dialect = connection.dialect
        sql = str(grouped.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        if dialect.name == "postgresql":
            # A handful of rows: left to itself the planner reads the table. Without a
            # sequential scan, a hash or a sort, only an index in number order can answer, and
            # the covering one reads no table row.
            for setting in ("enable_seqscan", "enable_hashagg", "enable_sort"):
                await connection.execute(text(f"SET LOCAL {setting} = off"))
            plan = "\n".join(r[0] for r in await connection.execute(text(f"EXPLAIN {sql}")))
            assert "Index Only Scan using ix_call_inbound_caller_arrived" in plan, plan
        assert [n for n, *_ in await connection.execute(grouped)] == ["13800138000"]
