"""Interval-report benchmark on a real PostgreSQL: a month of calls and agent states.

Creates its own database, fills ``--days`` working days of synthetic calls and agent state rows
(``tests/hotline/reports/synthetic.py``: ``--agents`` agents, ``--scale`` times the 12-agent
volume per agent) with bulk COPY, then times the interval report exactly as the API computes it
(``hotline.reports.service.interval``: the reads, the computation in a worker thread) over the
whole month at 30-minute and at day intervals, and over one day, then the surveys and the
agent-performance reports over the month, ``--repeat`` times each, and prints JSON (p50 / p99 /
max seconds, rows read).

    ./dev python benchmarks/reports.py --json
    ./dev python benchmarks/reports.py --days 22 --agents 300 --scale 2.2 --json   # ~1M calls
    ./dev python benchmarks/reports.py --reuse DATABASE --rollups --json   # fold, then time
    ./dev python benchmarks/reports.py --reuse DATABASE --interval-only --json   # as folded
    ./dev python benchmarks/reports.py --reuse DATABASE --rollups --people-only --json
    ./dev python benchmarks/reports.py --reuse DATABASE --calls-only --repeat 1 --json

Each timing also gives the CPU seconds it cost (the client process plus the PostgreSQL backend,
read from /proc when the server runs on this machine), the comparable figure on a shared machine.

With ``--rollups`` the rollups are folded first (timed, as the fold job would after downtime) and
the reports then read them; ``month_30m_last_day_open`` moves the fold's position back a day, so
that day is read from the raw rows as a live day would be.

The database is dropped at the end unless ``--keep``.
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
import inspect
import json
import os
import platform
import statistics
import time
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from hotline.db import migrate
from hotline.db.models import Agent, Site
from hotline.db.session import create_engine, create_sessionmaker, transaction
from hotline.reports import service
from hotline.reports.period import Granularity
from hotline.reports.rollup_store import fold_pending
from tests.hotline.reports.synthetic import days, synthetic_day

DEFAULT_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
ZONE = ZoneInfo("Asia/Shanghai")
FIRST_DAY = date(2026, 3, 2)
CALL_COLUMNS = (
    "id",
    "site_id",
    "channel_id",
    "kind",
    "caller_number",
    "caller_name",
    "dialled",
    "region",
    "language",
    "business_line",
    "priority",
    "ivr_choices",
    "arrived_at",
    "ivr_done_at",
    "queued_at",
    "first_offered_at",
    "answered_at",
    "ended_at",
    "ivr_s",
    "wait_s",
    "ring_s",
    "talk_s",
    "hold_s",
    "outcome",
    "ended_by",
    "agent_id",
    "survey_score",
    "abandon_snapshot",
)
STATE_COLUMNS = ("id", "agent_id", "at", "status", "reason", "site_id", "call_id")


def _backend_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of a PostgreSQL backend on this machine, from /proc: with
    the client's own CPU, what a report cost whatever else the shared machine was doing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")  # the server runs elsewhere
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


async def _admin(admin_url: str, statement: str) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _fill(url: str, n_days: int, n_agents: int, scale: float) -> dict[str, int]:
    engine = create_engine(url)
    await migrate.upgrade(engine)
    maker = create_sessionmaker(engine)
    async with transaction(maker) as session:
        site = Site(
            code="hz",
            name="Hangzhou",
            ari_url="http://127.0.0.1:1",
            ari_username="u",
            ari_password="p",
        )
        session.add(site)
        await session.flush()
        agents = [Agent(code=f"b{n:04d}", name=f"B{n}", languages=["zh"]) for n in range(n_agents)]
        session.add_all(agents)
        await session.flush()
        site_id, agent_ids = site.id, [a.id for a in agents]
    await engine.dispose()
    raw = make_url(url).set(drivername="postgresql")
    import asyncpg  # the driver's COPY: SQLAlchemy has no bulk-copy API

    connection = await asyncpg.connect(raw.render_as_string(hide_password=False))
    calls = states = 0
    try:
        for day in days(FIRST_DAY, n_days):
            data = synthetic_day(day, agent_ids, site_id, first_call_id=calls + 1, scale=scale)
            call_rows = [
                tuple(
                    json.dumps(c[k])
                    if k in ("ivr_choices", "abandon_snapshot") and c[k] is not None
                    else c[k]
                    for k in CALL_COLUMNS
                )
                for c in data.calls
            ]
            state_rows = [
                (states + n + 1, *(s[k] for k in STATE_COLUMNS[1:]))
                for n, s in enumerate(data.states)
            ]
            await connection.copy_records_to_table("call", records=call_rows, columns=CALL_COLUMNS)
            await connection.copy_records_to_table(
                "agent_state_log", records=state_rows, columns=STATE_COLUMNS
            )
            calls += len(call_rows)
            states += len(state_rows)
            log(f"{day}: {calls:,} calls, {states:,} state rows")
        await connection.execute("ANALYZE call; ANALYZE agent_state_log")
    finally:
        await connection.close()
    return {"calls": calls, "state_rows": states, "agents": n_agents}


async def _count(url: str) -> dict[str, int]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            calls = await connection.scalar(text("SELECT count(*) FROM call"))
            states = await connection.scalar(text("SELECT count(*) FROM agent_state_log"))
            agents = await connection.scalar(text("SELECT count(*) FROM agent"))
    finally:
        await engine.dispose()
    return {"calls": int(calls or 0), "state_rows": int(states or 0), "agents": int(agents or 0)}


async def _fold(url: str, now: datetime) -> dict[str, Any]:
    """Fold every bucket of the fill (migrating first: a reused database may predate the
    rollup tables), as the job does after downtime; the seconds it took."""
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM report_rollup_position"))
        began = time.perf_counter()
        folded = await fold_pending(create_sessionmaker(engine), now)
        seconds = time.perf_counter() - began
        async with engine.begin() as connection:
            # As autovacuum would after the fold: without statistics the planner takes a
            # month of rollup rows for a hundred and sorts them on disk.
            await connection.execute(text("ANALYZE"))
        async with engine.connect() as connection:
            call_rows = await connection.scalar(text("SELECT count(*) FROM report_call_rollup"))
            state_rows = await connection.scalar(text("SELECT count(*) FROM report_state_rollup"))
            survey_rows = await connection.scalar(text("SELECT count(*) FROM report_survey_rollup"))
            agent_rows = await connection.scalar(text("SELECT count(*) FROM report_agent_rollup"))
    finally:
        await engine.dispose()
    log(f"folded {len(folded)} days in {seconds:.1f} s")
    return {
        "days": len(folded),
        "seconds": round(seconds, 1),
        "call_rollup_rows": int(call_rows or 0),
        "state_rollup_rows": int(state_rows or 0),
        "survey_rollup_rows": int(survey_rows or 0),
        "agent_rollup_rows": int(agent_rows or 0),
    }


async def _set_position(url: str, until: datetime) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE report_rollup_position SET folded_until = :until"), {"until": until}
            )
    finally:
        await engine.dispose()


async def _time(
    url: str, start: datetime, end: datetime, granularity: Granularity, repeat: int
) -> dict[str, Any]:
    engine = create_engine(url)
    maker = create_sessionmaker(engine)
    seconds = []
    cpu = []
    rows = 0
    try:
        for _ in range(repeat):
            async with maker() as session:
                pid = int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)
                server_before = _backend_cpu_s(pid)
                client_before = time.process_time()
                began = time.perf_counter()
                data = await service.interval(
                    session, service.Request(start, end, granularity), ZONE, end + timedelta(days=1)
                )
                seconds.append(time.perf_counter() - began)
                cpu.append(
                    (time.process_time() - client_before) + (_backend_cpu_s(pid) - server_before)
                )
            log(
                f"{granularity.value} {start:%m-%d}..{end:%m-%d}: {seconds[-1]:.2f} s, "
                f"CPU {cpu[-1]:.2f} s"
            )
            rows = len(data["rows"])
    finally:
        await engine.dispose()
    seconds.sort()
    return {
        "intervals": rows,
        "offered": data["total"]["offered"],
        "p50_s": round(statistics.median(seconds), 3),
        "p99_s": round(seconds[min(len(seconds) - 1, int(len(seconds) * 0.99))], 3),
        "max_s": round(seconds[-1], 3),
        # client process + PostgreSQL backend CPU seconds: comparable on a loaded machine
        "cpu_p50_s": round(statistics.median(cpu), 3),
        "runs": repeat,
    }


async def _time_daily(
    url: str, report: str, start: datetime, end: datetime, repeat: int
) -> dict[str, Any]:
    """The topics, surveys or agent-performance report over the period, as the API calls it
    (with the CPU it cost, as ``_time``)."""
    engine = create_engine(url)
    maker = create_sessionmaker(engine)
    seconds = []
    cpu = []
    compute = {"topics": service.topics, "surveys": service.surveys, "agents": service.agents}
    try:
        for _ in range(repeat):
            async with maker() as session:
                pid = int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)
                server_before = _backend_cpu_s(pid)
                client_before = time.process_time()
                began = time.perf_counter()
                data = await compute[report](
                    session,
                    service.Request(start, end, Granularity.DAY),
                    ZONE,
                    end + timedelta(days=1),
                )
                seconds.append(time.perf_counter() - began)
                cpu.append(
                    (time.process_time() - client_before) + (_backend_cpu_s(pid) - server_before)
                )
            log(f"{report} {start:%m-%d}..{end:%m-%d}: {seconds[-1]:.2f} s, CPU {cpu[-1]:.2f} s")
    finally:
        await engine.dispose()
    seconds.sort()
    counted = {
        "topics": lambda: data["total"],
        "surveys": lambda: data["total"]["answered"],
        "agents": lambda: data["total"]["calls"],
    }[report]()
    return {
        "counted": counted,
        "p50_s": round(statistics.median(seconds), 3),
        "p99_s": round(seconds[min(len(seconds) - 1, int(len(seconds) * 0.99))], 3),
        "max_s": round(seconds[-1], 3),
        "cpu_p50_s": round(statistics.median(cpu), 3),
        "runs": repeat,
    }


async def _time_calls(
    url: str, report: str, start: datetime, end: datetime, repeat: int, floor: bool = True
) -> dict[str, Any]:
    """The abandons (with or without each abandon's floor) or origin report over the period,
    as the API calls it (with the CPU it cost, as ``_time``)."""
    engine = create_engine(url)
    maker = create_sessionmaker(engine)
    seconds = []
    cpu = []
    try:
        for _ in range(repeat):
            async with maker() as session:
                pid = int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)
                server_before = _backend_cpu_s(pid)
                client_before = time.process_time()
                began = time.perf_counter()
                ask = service.Request(start, end, Granularity.MIN15)
                now = end + timedelta(days=1)
                if report == "origin":
                    data = await service.origin(session, ask, ZONE, now)
                elif "with_floor" in inspect.signature(service.abandons).parameters:
                    data = await service.abandons(session, ask, ZONE, now, with_floor=floor)
                else:  # the code before the floor became optional: always the floor
                    data = await service.abandons(session, ask, ZONE, now)
                seconds.append(time.perf_counter() - began)
                cpu.append(
                    (time.process_time() - client_before) + (_backend_cpu_s(pid) - server_before)
                )
            log(f"{report} {start:%m-%d}..{end:%m-%d}: {seconds[-1]:.2f} s, CPU {cpu[-1]:.2f} s")
    finally:
        await engine.dispose()
    seconds.sort()
    counted = data["total"] if report == "origin" else data["summary"]["abandons"]
    return {
        "counted": counted,
        "floor": floor if report == "abandons" else None,
        "p50_s": round(statistics.median(seconds), 3),
        "max_s": round(seconds[-1], 3),
        "cpu_p50_s": round(statistics.median(cpu), 3),
        "runs": repeat,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=22)
    parser.add_argument("--agents", type=int, default=60)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--reuse", metavar="DATABASE", help="time on a database filled before (--keep); no fill"
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--rollups",
        action="store_true",
        help="fold the rollups first (timed), then time the reports reading them",
    )
    parser.add_argument(
        "--fill-only", action="store_true", help="fill and keep the database; time nothing"
    )
    parser.add_argument(
        "--interval-only",
        action="store_true",
        help="time the interval report only (not the surveys and agents reports)",
    )
    parser.add_argument(
        "--people-only",
        action="store_true",
        help="time the surveys and agent-performance reports only (not the interval report)",
    )
    parser.add_argument(
        "--calls-only",
        action="store_true",
        help="time the abandons (with and without the floor) and origin reports only",
    )
    parser.add_argument(
        "--month-from",
        type=date.fromisoformat,
        help="with --calls-only on a kept database: the first day of its month (its first "
        "day is then the day timed)",
    )
    args = parser.parse_args()
    admin = os.environ.get("HOTLINE_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)
    name = args.reuse or f"hotline_reports_bench_{uuid.uuid4().hex[:8]}"
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    if not args.reuse:
        await _admin(admin, f'CREATE DATABASE "{name}"')
    try:
        began = time.perf_counter()
        if args.reuse:
            filled = await _count(url)
        else:
            filled = await _fill(url, args.days, args.agents, args.scale)
        fill_s = round(time.perf_counter() - began, 1)
        if args.fill_only:
            print(json.dumps({"database": name, "filled": filled, "fill_s": fill_s}))
            return
        last = list(days(FIRST_DAY, args.days))[-1]
        month = (
            datetime(2026, 3, 1, tzinfo=ZONE),
            datetime(last.year, last.month, last.day, tzinfo=ZONE) + timedelta(days=1),
        )
        day = (datetime(2026, 3, 2, tzinfo=ZONE), datetime(2026, 3, 3, tzinfo=ZONE))
        results: dict[str, Any] = {}
        if args.calls_only:
            if args.month_from is not None:
                first = args.month_from
                begin = datetime(first.year, first.month, first.day, tzinfo=ZONE)
                month = (begin, (begin + timedelta(days=32)).replace(day=1))
                day = (begin, begin + timedelta(days=1))
            for span_name, (start, end) in (("day", day), ("month", month)):
                for floor in (True, False) if span_name == "day" else (False,):
                    results[f"{span_name}_abandons_floor_{floor}".lower()] = await _time_calls(
                        url, "abandons", start, end, args.repeat, floor
                    )
                results[f"{span_name}_origin"] = await _time_calls(
                    url, "origin", start, end, args.repeat
                )
        elif args.rollups:
            results["fold"] = await _fold(url, month[1] + timedelta(days=1))
        if not args.people_only and not args.calls_only:
            results |= {
                "month_30m": await _time(url, *month, Granularity.MIN30, args.repeat),
                "month_day": await _time(url, *month, Granularity.DAY, args.repeat),
                "day_15m": await _time(url, *day, Granularity.MIN15, args.repeat),
            }
        if not args.interval_only and not args.calls_only:
            results["month_surveys"] = await _time_daily(url, "surveys", *month, args.repeat)
            results["month_agents"] = await _time_daily(url, "agents", *month, args.repeat)
        if (
            args.rollups and not args.calls_only
        ):  # the last day not folded yet: read raw, the rest from the rollups
            await _set_position(url, month[1] - timedelta(days=1))
            if not args.people_only:
                results["month_30m_last_day_open"] = await _time(
                    url, *month, Granularity.MIN30, args.repeat
                )
            if not args.interval_only:
                for name in ("surveys", "agents"):
                    results[f"month_{name}_last_day_open"] = await _time_daily(
                        url, name, *month, args.repeat
                    )
    finally:
        if not args.keep and not args.reuse and not args.fill_only:
            await _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    report = {
        "benchmark": "reports.interval",
        "database": "postgresql",
        "filled": {**filled, "fill_s": fill_s, "days": args.days},
        "results": results,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load": os.getloadavg(),
        },
    }
    print(json.dumps(report, indent=None if args.json else 2))


if __name__ == "__main__":
    asyncio.run(main())
