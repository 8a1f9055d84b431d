"""The rollup fold of one day, timed (and profiled with ``--profile``) on a filled database.

Runs ``hotline.reports.rollup_store.fold_range`` over ``--day`` in a transaction that is rolled
back, so the database is left as it was; prints the state rows read per second. Run it with
``PYTHONPATH`` pointing at another checkout's ``src`` to time that checkout's fold.

    nice -n 10 ./dev python benchmarks/reports_fold.py --reuse DATABASE --day 2026-03-02 --json
"""

# ruff: noqa: E402  (the imports follow the sys.path fix below on purpose)
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import make_url, text

import hotline
from hotline.db.session import create_engine, create_sessionmaker
from hotline.reports.rollup_store import fold_range

DEFAULT_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
ZONE = ZoneInfo("Asia/Shanghai")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", metavar="DATABASE", required=True)
    parser.add_argument("--day", type=date.fromisoformat, default=date(2026, 3, 2))
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    admin = os.environ.get("HOTLINE_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)
    url = make_url(admin).set(database=args.reuse).render_as_string(hide_password=False)
    start = datetime(args.day.year, args.day.month, args.day.day, tzinfo=ZONE)
    end = start + timedelta(days=1)
    engine = create_engine(url)
    profile = cProfile.Profile()
    try:
        async with create_sessionmaker(engine)() as session:
            states = await session.scalar(
                text("SELECT count(*) FROM agent_state_log WHERE at >= :s AND at < :e"),
                {"s": start, "e": end},
            )
            cpu = time.process_time()
            began = time.perf_counter()
            if args.profile:
                profile.enable()
            done = await fold_range(session, start, end)
            profile.disable()
            seconds = time.perf_counter() - began
            cpu = time.process_time() - cpu
            await session.rollback()
    finally:
        await engine.dispose()
    if args.profile:
        pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
    print(
        json.dumps(
            {
                "benchmark": "reports.fold_day",
                "code": str(Path(hotline.__file__).parent),
                "day": args.day.isoformat(),
                "state_rows_in_day": int(states or 0),
                "seconds": round(seconds, 2),
                "client_cpu_s": round(cpu, 2),
                "state_rows_per_s": round(int(states or 0) / seconds),
                "rollup_rows": {
                    "call": done.call_rows,
                    "state": done.state_rows,
                    "total": done.total_rows,
                    "presence": done.presence_rows,
                },
                "load": Path("/proc/loadavg").read_text().split()[:3],
            },
            indent=None if args.json else 2,
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
