"""List endpoints' cost at depth on a real PostgreSQL: the total and the pages (docs/api.md).

Creates its own database (migrated), fills ``call`` and ``audit_log`` with ``--rows`` rows each
(100,000 by default; ``--rows 1000000`` for the recorded figures) in one ``INSERT ... SELECT
generate_series`` per table, then times, per list, with the statements the API builds
(``hotline.api.paging``):

* ``count_all_ms``: the old total, ``count(*)`` over every matching row;
* ``capped_total_ms``: the new total, counting at most 10,001 rows;
* ``first_page_ms``: the first keyset page of 50;
* ``deep_keyset_page_ms``: a keyset page 100 rows before the end (a cursor from that depth);
* ``deep_offset_page_ms``: the same page by ``OFFSET`` (the old /calls paging), for comparison.

Each figure is the median of ``--repeat`` runs (after one warm-up), in milliseconds.

    ./dev python benchmarks/api_lists.py --json
    ./dev python benchmarks/api_lists.py --rows 1000000 --json
    HOTLINE_TEST_POSTGRES_URL=postgresql+asyncpg://user@host/postgres ./dev python ...

The database is dropped at the end unless ``--keep``.
"""

# ruff: noqa: E402  (the imports follow the sys.path fix below on purpose)
from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path: benchmarks/routing.py and
# benchmarks/workorders.py would shadow the packages of the same names.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import make_url, select, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from hotline.api.audit import AUDIT_SORTS
from hotline.api.calls import CALL_SORTS
from hotline.api.paging import capped_total, encode_cursor, page_query
from hotline.db import migrate
from hotline.db.models import AuditLog, Site
from hotline.db.models.call import Call
from hotline.db.session import create_engine, create_sessionmaker

DEFAULT_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
PAGE = 50

FILL_CALLS = """
INSERT INTO call (site_id, channel_id, kind, caller_number, caller_name, dialled, region,
                  priority, ivr_choices, arrived_at)
SELECT :site, 'bench-' || n, 'inbound', '139' || lpad((n % 100000000)::text, 8, '0'), '', '12366',
       'unknown', 0, '{}', timestamptz '2026-01-01 00:00:00+00' + n * interval '2 seconds'
FROM generate_series(1, :rows) AS n
"""
FILL_AUDIT = """
INSERT INTO audit_log (at, action, detail)
SELECT timestamptz '2026-01-01 00:00:00+00' + n * interval '1 second', 'personal_data_read', '{}'
FROM generate_series(1, :rows) AS n
"""


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _median_ms(repeat: int, work: Callable[[], Awaitable[Any]]) -> float:
    await work()  # warm-up: plans and buffers
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await work()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


async def _measure(
    session: AsyncSession, base: Any, sort: Any, deep_row: Any, repeat: int
) -> dict[str, float]:
    counted = select(text("count(*)")).select_from(base.order_by(None).subquery())
    deep_cursor = encode_cursor(sort, sort.values_of(deep_row))

    async def count_all() -> None:
        await session.scalar(counted)

    async def capped() -> None:
        await capped_total(session, base)

    async def first_page() -> None:
        await session.execute(page_query(base, sort, None, PAGE))

    async def deep_keyset() -> None:
        rows = (await session.execute(page_query(base, sort, deep_cursor, PAGE))).all()
        assert rows, "the deep cursor found no rows"

    depth = int(await session.scalar(counted) or 0)

    async def deep_offset() -> None:
        await session.execute(base.order_by(*sort.order_by()).offset(depth - 100).limit(PAGE))

    return {
        "count_all_ms": await _median_ms(repeat, count_all),
        "capped_total_ms": await _median_ms(repeat, capped),
        "first_page_ms": await _median_ms(repeat, first_page),
        "deep_keyset_page_ms": await _median_ms(repeat, deep_keyset),
        "deep_offset_page_ms": await _median_ms(repeat, deep_offset),
    }


async def run(url: str, rows: int, repeat: int) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        maker = create_sessionmaker(engine)
        started = time.perf_counter()
        async with maker() as session:
            site = Site(code="hz", name="Hangzhou", ari_url="http://127.0.0.1:1/ari")
            site.ari_username, site.ari_password = "u", "p"
            session.add(site)
            await session.flush()
            await session.execute(text(FILL_CALLS), {"site": site.id, "rows": rows})
            await session.execute(text(FILL_AUDIT), {"rows": rows})
            await session.commit()
        async with engine.connect() as connection:
            await connection.execute(text("ANALYZE call"))
            await connection.execute(text("ANALYZE audit_log"))
            await connection.commit()
        fill_s = round(time.perf_counter() - started, 1)
        results: dict[str, Any] = {}
        async with maker() as session:
            calls = select(Call, Site.code).join(Site, Site.id == Call.site_id)
            newest_first = CALL_SORTS[0]
            deep_call = await session.scalar(
                select(Call).order_by(*newest_first.order_by()).offset(rows - 100).limit(1)
            )
            results["calls"] = await _measure(session, calls, newest_first, deep_call, repeat)
            audit = select(AuditLog)
            deep_entry = await session.scalar(
                select(AuditLog).order_by(*AUDIT_SORTS[0].order_by()).offset(rows - 100).limit(1)
            )
            results["audit"] = await _measure(session, audit, AUDIT_SORTS[0], deep_entry, repeat)
        return {"fill_s": fill_s, "lists": results}
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows per table")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per figure (median)")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args()
    if args.rows < 200 or args.repeat < 1:
        parser.error("--rows must be at least 200 and --repeat at least 1")
    admin_url = os.environ.get("HOTLINE_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)
    name = f"hotline_bench_lists_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    load_before = os.getloadavg()
    try:
        figures = asyncio.run(run(url, args.rows, args.repeat))
    finally:
        if not args.keep:
            asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    report = {
        "benchmark": "api_lists",
        "rows": args.rows,
        "page": PAGE,
        "repeat": args.repeat,
        **figures,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }
    if args.json:
        print(json.dumps(report))
    else:
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
