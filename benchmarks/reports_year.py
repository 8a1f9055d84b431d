"""Every report over a year of a large centre: 10,000,000 calls, 40,000,000 agent-state rows.

Fills a new PostgreSQL database set-based (``benchmarks/reports_fill.py``: the working days of
2026, about 10 M calls and 40 M state rows by default, indexes built after the load), folds the
rollups as the fold job does after downtime (timed: state rows per second), then times each
report through the service function the API calls (``hotline.reports.service``) for a day, a
month and the year, where the report's period limit allows, ``--repeat`` times each: p50, max,
and the CPU seconds of the process and of the PostgreSQL backend (comparable on a loaded
machine). ``--sqlite-month`` copies March from that database into a new SQLite file and times
the same reports there.

    nice -n 10 ./dev python benchmarks/reports_year.py --fill-only --json        # keep the fill
    nice -n 10 ./dev python benchmarks/reports_year.py --reuse DATABASE --fold --json
    nice -n 10 ./dev python benchmarks/reports_year.py --reuse DATABASE --time --json
    nice -n 10 ./dev python benchmarks/reports_year.py --reuse DATABASE --sqlite-month --json

A run that takes longer than ``--slow-s`` is not repeated (said in the output: ``runs``).
"""

# ruff: noqa: E402  (the imports follow the sys.path fix below on purpose)
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

import argparse
import asyncio
import json
import os
import resource
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import inspect, make_url, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from benchmarks.reports_fill import Shape, expected, fill, working_days
from hotline.db import migrate
from hotline.db.models import Agent, AgentSkill, Site, Skill
from hotline.db.session import create_engine, create_sessionmaker, transaction
from hotline.reports import service
from hotline.reports.period import Granularity
from hotline.reports.rollup_store import fold_pending

DEFAULT_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2027, 1, 2, tzinfo=ZONE)
DAY = (datetime(2026, 3, 2, tzinfo=ZONE), datetime(2026, 3, 3, tzinfo=ZONE))
MONTH = (datetime(2026, 3, 1, tzinfo=ZONE), datetime(2026, 4, 1, tzinfo=ZONE))
YEAR = (datetime(2026, 1, 1, tzinfo=ZONE), datetime(2027, 1, 1, tzinfo=ZONE))
LINES = (("national_tax", "zh"), ("local_tax", "zh"), ("finance", "zh"), ("national_tax", "en"))

Report = Callable[[AsyncSession, service.Request], Awaitable[dict[str, Any]]]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _backend_cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _reports() -> dict[str, tuple[Report, tuple[str, ...]]]:
    """Each report as the API calls it, and the periods its limit allows."""

    def interval(granularity: Granularity) -> Report:
        async def run(session: AsyncSession, request: service.Request) -> dict[str, Any]:
            return await service.interval(
                session, service.Request(request.start, request.end, granularity), ZONE, NOW
            )

        return run

    return {
        "interval_15m": (interval(Granularity.MIN15), ("day", "month")),
        "interval_30m": (interval(Granularity.MIN30), ("day", "month")),
        "interval_60m": (interval(Granularity.MIN60), ("day", "month")),
        "interval_day": (interval(Granularity.DAY), ("day", "month", "year")),
        "standards": (lambda s, r: service.standards(s, r, ZONE, NOW), ("day", "month", "year")),
        "scorecard": (
            lambda s, r: service.balanced_scorecard(s, r, ZONE, NOW),
            ("day", "month", "year"),
        ),
        "origin": (lambda s, r: service.origin(s, r, ZONE, NOW), ("day", "month", "year")),
        "heavy_callers": (
            lambda s, r: service.heavy_callers(s, r, ZONE, NOW, 30),
            ("day", "month", "year"),
        ),
        "topics": (lambda s, r: service.topics(s, r, ZONE, NOW), ("day", "month", "year")),
        "surveys": (lambda s, r: service.surveys(s, r, ZONE, NOW), ("day", "month", "year")),
        "abandons": (lambda s, r: service.abandons(s, r, ZONE, NOW), ("day", "month")),
        "agents": (lambda s, r: service.agents(s, r, ZONE, NOW), ("day", "month")),
    }


def _size(data: dict[str, Any]) -> int:
    """How many rows the report returned (its main list), for the record."""
    for key in ("rows", "topics", "low_scores", "places"):
        if isinstance(data.get(key), list):
            return len(data[key])
    return 0


async def _time(
    url: str, report: Report, period: tuple[datetime, datetime], repeat: int, slow_s: float
) -> dict[str, Any]:
    engine = create_engine(url)
    maker = create_sessionmaker(engine)
    postgres = url.startswith("postgresql")
    seconds: list[float] = []
    cpu: list[float] = []
    size = 0
    try:
        for _ in range(repeat):
            async with maker() as session:
                pid = (
                    int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)
                    if postgres
                    else 0
                )
                server = _backend_cpu_s(pid) if postgres else 0.0
                client = time.process_time()
                began = time.perf_counter()
                data = await report(session, service.Request(*period))
                seconds.append(time.perf_counter() - began)
                used = time.process_time() - client
                if postgres:
                    used += _backend_cpu_s(pid) - server
                cpu.append(used)
                size = _size(data)
            if seconds[-1] > slow_s:
                break
    finally:
        await engine.dispose()
    return {
        "p50_s": round(statistics.median(seconds), 3),
        "max_s": round(max(seconds), 3),
        "cpu_p50_s": round(statistics.median(cpu), 3),
        "runs": len(seconds),
        "rows": size,
    }


async def _time_all(
    url: str,
    repeat: int,
    slow_s: float,
    only: set[str],
    periods: tuple[str, ...] = ("day", "month", "year"),
) -> dict[str, Any]:
    bounds = {"day": DAY, "month": MONTH, "year": YEAR}
    out: dict[str, Any] = {}
    for name, (report, allowed) in _reports().items():
        if only and name not in only:
            continue
        for period in (p for p in allowed if p in periods):
            result = await _time(url, report, bounds[period], repeat, slow_s)
            result["load"] = Path("/proc/loadavg").read_text().split()[:3]
            result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            out[f"{name}/{period}"] = result
            log(f"{name}/{period}: {json.dumps(result)}")
    return out


async def _admin(admin_url: str, statement: str) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _directory(url: str, agents: int) -> tuple[int, list[int]]:
    """The site, the skills of the lines and languages, and the agents (every agent holds
    every skill: the line and language filters then count them all)."""
    engine = create_engine(url)
    await migrate.upgrade(engine)
    maker = create_sessionmaker(engine)
    async with transaction(maker) as session:
        site = Site(
            code="hz", name="Hangzhou", ari_url="http://127.0.0.1:1", ari_username="u",
            ari_password="p",
        )  # fmt: skip
        skills = [
            Skill(business_line=line, language=lang, name=f"{line}-{lang}") for line, lang in LINES
        ]
        session.add_all([site, *skills])
        await session.flush()
        people = [Agent(code=f"y{n:04d}", name=f"Y{n}", languages=["zh"]) for n in range(agents)]
        session.add_all(people)
        await session.flush()
        session.add_all(
            AgentSkill(agent_id=a.id, skill_id=s.id, level=1) for a in people for s in skills[:3]
        )
        site_id, agent_ids = site.id, [a.id for a in people]
    await engine.dispose()
    return site_id, agent_ids


async def _fold(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM report_rollup_position"))
            states = int(await connection.scalar(text("SELECT count(*) FROM agent_state_log")) or 0)
        began_cpu = time.process_time()
        began = time.perf_counter()
        folded = await fold_pending(create_sessionmaker(engine), NOW)
        seconds = time.perf_counter() - began
        cpu = time.process_time() - began_cpu
        counts: dict[str, int] = {}
        async with engine.begin() as connection:
            # Statistics for the new rows, as autovacuum would take them in service: a report
            # timed right after a fold otherwise plans for empty tables.
            await connection.execute(text("ANALYZE"))
            present = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
            for table in (
                "report_call_rollup",
                "report_state_rollup",
                "report_state_total_rollup",
                "report_presence_rollup",
                "report_headcount_rollup",  # not in the schema before h16i: counted if there
            ):
                if table in present:
                    counts[table] = int(
                        await connection.scalar(text(f"SELECT count(*) FROM {table}")) or 0
                    )
    finally:
        await engine.dispose()
    log(f"folded {len(folded)} days in {seconds:.1f} s")
    return {
        "days": len(folded),
        "seconds": round(seconds, 1),
        "client_cpu_s": round(cpu, 1),
        "state_rows": states,
        "state_rows_per_s": round(states / seconds),
        **counts,
        "load": Path("/proc/loadavg").read_text().split()[:3],
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=Shape.agents)
    parser.add_argument("--answered", type=float, default=Shape.answered)
    parser.add_argument("--extra", type=float, default=Shape.extra)
    parser.add_argument(
        "--months", default="1-12", help="fill only these months of 2026 (first-last, e.g. 3-3)"
    )
    parser.add_argument("--reuse", metavar="DATABASE")
    parser.add_argument("--expected", action="store_true", help="print the expected counts")
    parser.add_argument("--fill-only", action="store_true")
    parser.add_argument("--fold", action="store_true", help="fold the rollups (timed)")
    parser.add_argument("--time", action="store_true", help="time the reports")
    parser.add_argument("--only", default="", help="comma-separated report names")
    parser.add_argument("--periods", default="day,month,year", help="comma-separated")
    parser.add_argument("--sqlite-month", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--slow-s", type=float, default=60.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    shape = Shape(args.agents, args.answered, args.extra)
    first, last = (int(m) for m in args.months.split("-"))
    days = [d for d in working_days() if first <= d.month <= last]
    if args.expected:
        print(json.dumps({"days": len(days), **asdict(shape), **expected(shape, days)}))
        return
    admin = os.environ.get("HOTLINE_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)
    name = args.reuse or f"hotline_reports_year_{uuid.uuid4().hex[:8]}"
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    report: dict[str, Any] = {
        "benchmark": "reports.year",
        "database": name,
        "started_utc": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if not args.reuse:
        await _admin(admin, f'CREATE DATABASE "{name}"')
        log(f"database {name}")
        began = time.perf_counter()
        site_id, agent_ids = await _directory(url, shape.agents)
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        report["fill"] = await fill(dsn, site_id, agent_ids, shape, days, log)
        report["fill"]["seconds"] = round(time.perf_counter() - began, 1)
        report["fill"]["load"] = Path("/proc/loadavg").read_text().split()[:3]
        log(json.dumps(report["fill"]))
    if args.fold:
        report["fold"] = await _fold(url)
    if args.time:
        only = {n for n in args.only.split(",") if n}
        periods = tuple(args.periods.split(","))
        report["postgresql"] = await _time_all(url, args.repeat, args.slow_s, only, periods)
    if args.sqlite_month:
        from benchmarks.reports_sqlite import sqlite_month

        report["sqlite"] = await sqlite_month(url, MONTH, _time_all, _fold, args, log)
    report["ended_utc"] = datetime.now(UTC).isoformat(timespec="seconds")
    print(json.dumps(report, indent=None if args.json else 2, default=str))


if __name__ == "__main__":
    asyncio.run(main())
