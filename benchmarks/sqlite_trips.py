"""CPU per SQLite statement: the service's one-trip aiosqlite adapter against the stock one.

Each round runs the same statements on a temporary SQLite file through an engine made as the
service makes it (``hotline.db.session.create_engine``: one trip to aiosqlite's thread per
statement) and through SQLAlchemy's stock aiosqlite adapter (four trips: cursor, execute, fetch,
close), alternating, and reports the process's CPU time (all threads: the loop's and aiosqlite's)
per statement and the trips counted at aiosqlite's queue. CPU time, not wall time, so the figure
holds on a machine shared with other work.

    python benchmarks/sqlite_trips.py --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import aiosqlite  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine  # noqa: E402

from hotline.db.session import create_engine  # noqa: E402

TRIPS = {"n": 0}
_stock_execute = aiosqlite.Connection._execute


async def _counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
    TRIPS["n"] += 1
    return await _stock_execute(self, fn, *args, **kwargs)


async def _measure(engine: AsyncEngine, statements: int) -> dict[str, float]:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
        TRIPS["n"] = 0
        cpu = time.process_time()
        for n in range(statements):
            # A page of 20 rows (a list request) and a single-row read (the principal), in turn.
            if n % 2:
                await conn.execute(text("SELECT id, body FROM item ORDER BY id LIMIT 20"))
            else:
                await conn.execute(text("SELECT body FROM item WHERE id = :id"), {"id": n % 500})
        cpu = time.process_time() - cpu
    return {"cpu_us_per_statement": 1e6 * cpu / statements, "trips": TRIPS["n"] / statements}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    aiosqlite.Connection._execute = _counted  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'trips.db'}"
        setup = create_async_engine(url)
        async with setup.begin() as conn:
            await conn.execute(text("CREATE TABLE item (id INTEGER PRIMARY KEY, body TEXT)"))
            await conn.execute(
                text("INSERT INTO item (body) VALUES (:body)"),
                [{"body": f"row {n} " * 4} for n in range(500)],
            )
        await setup.dispose()
        results: dict[str, list[dict[str, float]]] = {"one_trip": [], "stock": []}
        for _ in range(args.rounds):
            for name, make in (("one_trip", create_engine), ("stock", create_async_engine)):
                engine = make(url)
                results[name].append(await _measure(engine, args.statements))
                await engine.dispose()

    def best(name: str) -> dict[str, float]:
        fastest = min(results[name], key=lambda r: r["cpu_us_per_statement"])
        return {key: round(value, 1) for key, value in fastest.items()}

    def median(name: str) -> float:
        values = sorted(r["cpu_us_per_statement"] for r in results[name])
        return round(values[len(values) // 2], 1)

    return {
        "statements_per_round": args.statements,
        "rounds": args.rounds,
        "one_trip": {**best("one_trip"), "median_cpu_us_per_statement": median("one_trip")},
        "stock": {**best("stock"), "median_cpu_us_per_statement": median("stock")},
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    print(json.dumps(result, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
