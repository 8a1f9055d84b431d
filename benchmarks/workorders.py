"""Work-order sweeper benchmark on a real PostgreSQL.

Creates its own database, fills it with ``--orders`` open work orders (1,000,000 by default) whose
next escalation lies in the future, plus, for every measurement, ``--due`` orders past their
acknowledgement limit and half of their resolution limit (two escalation steps each), then
measures:

* ``empty_sweep``: a full sweeper run (rules from the cache, the index probe, nothing due);
* ``sweeps``: escalation steps applied per second by one worker, by ``--workers`` workers in one
  process, and by two processes of ``--workers`` each on the same rows at once (the way two
  service instances would run), each ``--repeat`` times on fresh due orders (best and median);
  with the CPU time per step of the sweeper processes and of their PostgreSQL backends (read
  from ``/proc``, so only when the server runs on this machine);
* ``exactly_once``: every step was applied exactly once (escalation rows = distinct keys = due).

    ./dev python benchmarks/workorders.py --json
    HOTLINE_TEST_POSTGRES_URL=postgresql+asyncpg://user@host/postgres ./dev python ...

The database is dropped at the end unless ``--keep``.
"""

# ruff: noqa: E402  (the imports follow the sys.path fix below on purpose)
from __future__ import annotations

import sys
from pathlib import Path

# This file shares its name with the ``workorders`` package: keep its own directory off the
# import path, or ``import workorders`` would find this script instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, func, make_url, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from hotline.db import migrate
from hotline.db.models import Department, EscalationRow, Liaison, User, UserRole
from hotline.db.session import create_engine, create_sessionmaker, transaction
from hotline.workorders.rules import RulesCache, ensure_default_policy, load_calendar, seed_year
from hotline.workorders.sweeper import sweep_once
from workorders.calendar import SHANGHAI, WorkingDuration

DEFAULT_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"

# The due orders were dispatched on Monday 09:00; the sweep runs on Tuesday 14:00 (Shanghai).
DUE_CREATED = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
SWEEP_AT = datetime(2026, 3, 3, 14, 0, tzinfo=SHANGHAI)
# The bulk was dispatched on Tuesday 13:30: its first step (acknowledgement) is Wednesday 09:30.
BULK_CREATED = datetime(2026, 3, 3, 13, 30, tzinfo=SHANGHAI)


@dataclass
class FixedClock:
    current: datetime

    def now(self) -> datetime:
        return self.current


def _backend_cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) of a local PostgreSQL backend, or None if /proc cannot tell."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # utime and stime are the 14th and 15th fields; 12th and 13th after "pid (comm)".
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


async def _prepare(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        maker = create_sessionmaker(engine)
        async with transaction(maker) as session:
            await seed_year(session, 2026, datetime(2026, 1, 1, tzinfo=UTC), overwrite=False)
            await ensure_default_policy(session)
            department = Department(code="BENCH", name="Bench bureau", kind="branch_bureau")
            session.add(department)
            people = {}
            for name, role in (("bench-supervisor", "supervisor"), ("bench-liaison", "liaison")):
                user = User(username=name, full_name=name, password_hash="!")
                session.add(user)
                await session.flush()
                session.add(UserRole(user_id=user.id, role=role))
                people[role] = user.id
            await session.flush()
            session.add(Liaison(department_id=department.id, user_id=people["liaison"]))
            return {"department": department.id, **people}
    finally:
        await engine.dispose()


def _deadlines(calendar: Any, created: datetime) -> dict[str, datetime]:
    ack = calendar.add_working_time(created, WorkingDuration(hours=4))
    resolve = calendar.add_working_time(created, WorkingDuration(days=3))
    return {"created": created, "ack": ack, "resolve": resolve}


_INSERT = """
INSERT INTO work_order (
    id, reference, category, priority, status, subject, description,
    taxpayer_name, taxpayer_phone, taxpayer_number, taxpayer_organisation,
    created_by, created_at, policy_version, department_id, dispatcher_user_id,
    dispatched_at, resolution_started_at, deadline_version, ack_due_at, resolve_due_at,
    granted_extensions, paused_intervals, supervised, overdue, escalations_done,
    next_escalation_at, history_length, revision)
SELECT
    md5(CAST(:prefix AS text) || n)::uuid::text, CAST(:prefix AS text) || '-' || n,
    'enquiry', 'normal', 'dispatched', 'benchmark order ' || n, '', '', '', '', '',
    CAST(:user AS integer), CAST(:created AS timestamptz), 1, CAST(:department AS integer),
    CAST(:user AS integer), CAST(:created AS timestamptz), CAST(:created AS timestamptz), 1,
    CAST(:ack AS timestamptz), CAST(:resolve AS timestamptz),
    '[]', '[]', false, false, '[]',
    CASE WHEN CAST(:armed AS boolean) THEN CAST(:ack AS timestamptz) END, 1, 1
FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS n
"""


async def _fill(
    url: str, ids: dict[str, int], orders: int, due_groups: list[int]
) -> dict[str, float]:
    engine = create_engine(url)
    try:
        maker = create_sessionmaker(engine)
        async with transaction(maker) as session:
            calendar = await load_calendar(session)
        bulk = _deadlines(calendar, BULK_CREATED)
        early = _deadlines(calendar, DUE_CREATED)
        started = time.perf_counter()
        chunk = 100_000
        # The due groups start unarmed (no next escalation); each measurement arms its own.
        groups = [("bulk", bulk, orders, True)] + [
            (f"due{index}", early, size, False) for index, size in enumerate(due_groups)
        ]
        for prefix, times, count, armed in groups:
            for first in range(1, count + 1, chunk):
                last = min(count, first + chunk - 1)
                async with engine.begin() as connection:
                    await connection.execute(
                        text(_INSERT),
                        {
                            "prefix": prefix,
                            "user": ids["supervisor"],
                            "department": ids["department"],
                            "created": times["created"],
                            "ack": times["ack"],
                            "resolve": times["resolve"],
                            "armed": armed,
                            "first": first,
                            "last": last,
                        },
                    )
                if count >= chunk:
                    log(f"{prefix}: {last:,} / {count:,} orders")
        fill_s = time.perf_counter() - started
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE work_order"))
        return {"fill_seconds": round(fill_s, 1)}
    finally:
        await engine.dispose()


async def _empty_sweeps(url: str, runs: int) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        maker = create_sessionmaker(engine)
        # An hour before the due orders' first step: nothing at all is due.
        clock = FixedClock(DUE_CREATED + timedelta(hours=3))
        cache = RulesCache(maker, ttl_seconds=3600)
        started = time.perf_counter()
        await sweep_once(maker, clock, cache)
        cold_ms = (time.perf_counter() - started) * 1000
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            result = await sweep_once(maker, clock, cache)
            timings.append((time.perf_counter() - started) * 1000)
            assert result.applied == 0
        async with engine.connect() as connection:
            plan = [
                row[0]
                for row in await connection.execute(
                    text(
                        "EXPLAIN SELECT * FROM work_order WHERE next_escalation_at <= :now "
                        "ORDER BY next_escalation_at LIMIT 500 FOR UPDATE SKIP LOCKED"
                    ),
                    {"now": clock.now()},
                )
            ]
        return {
            "runs": runs,
            "median_ms": round(statistics.median(timings), 2),
            "max_ms": round(max(timings), 2),
            "first_run_with_rules_load_ms": round(cold_ms, 2),
            "plan": plan,
        }
    finally:
        await engine.dispose()


def _sweeper_process(url: str, workers: int, barrier: Any, results: Any) -> None:
    async def run() -> None:
        engine = create_engine(url)
        backends: list[int] = []

        @event.listens_for(engine.sync_engine, "connect")
        def _remember_backend(dbapi_connection: Any, _record: Any) -> None:
            backends.append(dbapi_connection.driver_connection.get_server_pid())

        def backend_cpu() -> dict[int, float | None]:
            return {pid: _backend_cpu_seconds(pid) for pid in backends}

        try:
            maker = create_sessionmaker(engine)
            cache = RulesCache(maker, ttl_seconds=3600)
            await cache.get()
            barrier.wait()
            backends_before = backend_cpu()
            started, cpu_started = time.time(), time.process_time()
            result = await sweep_once(
                maker,
                FixedClock(SWEEP_AT),
                cache,
                max_batches=10_000,
                workers=workers,
            )
            ended, cpu = time.time(), time.process_time() - cpu_started
            backends_after = backend_cpu()
            readable = None not in backends_after.values()
            results.append(
                {
                    "started": started,
                    "ended": ended,
                    "applied": result.applied,
                    "failed": len(result.failed),
                    "skipped_locked": result.skipped_locked,
                    "cpu_seconds": cpu,
                    # A backend opened during the run started from (nearly) nothing.
                    "backend_cpu_seconds": sum(
                        (after or 0.0) - (backends_before.get(pid) or 0.0)
                        for pid, after in backends_after.items()
                    )
                    if readable
                    else None,
                }
            )
        finally:
            await engine.dispose()

    asyncio.run(run())


def _sweepers(url: str, processes: int, workers: int) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier = manager.Barrier(processes)
        results = manager.list()
        spawned = [
            context.Process(
                target=_sweeper_process,
                args=(url, workers, barrier, results),
            )
            for _ in range(processes)
        ]
        load_before = os.getloadavg()[0]
        for process in spawned:
            process.start()
        for process in spawned:
            process.join()
        runs = list(results)
    window = max(r["ended"] for r in runs) - min(r["started"] for r in runs)
    applied = sum(r["applied"] for r in runs)
    cpu = sum(r["cpu_seconds"] for r in runs)
    backend = [r["backend_cpu_seconds"] for r in runs]
    backend_cpu = None if None in backend else sum(backend)
    return {
        "steps_applied": applied,
        "seconds": round(window, 2),
        "steps_per_second": round(applied / window, 1),
        "sweeper_cpu_us_per_step": round(cpu / applied * 1e6, 1),
        "postgres_cpu_us_per_step": None
        if backend_cpu is None
        else round(backend_cpu / applied * 1e6, 1),
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "failed": sum(r["failed"] for r in runs),
        "skipped_locked": sum(r["skipped_locked"] for r in runs),
        "per_process_steps": [r["applied"] for r in runs],
    }


def _summary(processes: int, workers: int, runs: list[dict[str, Any]]) -> dict[str, Any]:
    rates = [run["steps_per_second"] for run in runs]
    return {
        "processes": processes,
        "workers_per_process": workers,
        "best_steps_per_second": max(rates),
        "median_steps_per_second": round(statistics.median(rates), 1),
        "median_sweeper_cpu_us_per_step": round(
            statistics.median(run["sweeper_cpu_us_per_step"] for run in runs), 1
        ),
        "median_postgres_cpu_us_per_step": None
        if any(run["postgres_cpu_us_per_step"] is None for run in runs)
        else round(statistics.median(run["postgres_cpu_us_per_step"] for run in runs), 1),
        "runs": runs,
    }


async def _arm(url: str, group: int) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "UPDATE work_order SET next_escalation_at = ack_due_at "
                    "WHERE reference LIKE :pattern"
                ),
                {"pattern": f"due{group}-%"},
            )
    finally:
        await engine.dispose()


async def _escalation_rows(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            total = await session.scalar(select(func.count()).select_from(EscalationRow))
            distinct = await session.scalar(
                select(func.count()).select_from(
                    select(
                        EscalationRow.order_id,
                        EscalationRow.clock,
                        EscalationRow.step,
                        EscalationRow.deadline_version,
                    )
                    .distinct()
                    .subquery()
                )
            )
            return int(total or 0), int(distinct or 0)
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000, help="open orders, none due")
    parser.add_argument("--due", type=int, default=10_000, help="due orders per measurement")
    parser.add_argument("--runs", type=int, default=30, help="empty sweeps to time")
    parser.add_argument("--workers", type=int, default=2, help="sweeper workers per process")
    parser.add_argument("--repeat", type=int, default=3, help="measurements per scenario")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    admin_url = os.environ.get("HOTLINE_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)
    name = f"hotline_bench_{uuid.uuid4().hex[:8]}"
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    # (label, processes, workers per process)
    scenarios = [
        ("one worker", 1, 1),
        (f"{args.workers} workers", 1, args.workers),
        (f"2 instances x {args.workers} workers", 2, args.workers),
    ]
    # One fresh group of due orders per measurement, measured in turn (scenario after scenario,
    # then again), so a quiet or busy minute on the shared machine does not favour one scenario.
    measurements = [scenario for _ in range(args.repeat) for scenario in scenarios]
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        log(f"database {name}: migrating and seeding")
        ids = asyncio.run(_prepare(url))
        fill = asyncio.run(_fill(url, ids, args.orders, [args.due] * len(measurements)))
        log(f"filled in {fill['fill_seconds']} s; timing empty sweeps")
        empty = asyncio.run(_empty_sweeps(url, args.runs))
        measured: dict[str, list[dict[str, Any]]] = {label: [] for label, _, _ in scenarios}
        for group, (label, processes, workers) in enumerate(measurements):
            asyncio.run(_arm(url, group))
            log(f"sweeping: {label}")
            measured[label].append(_sweepers(url, processes, workers))
        total, distinct = asyncio.run(_escalation_rows(url))
    finally:
        if not args.keep:
            asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    expected = 2 * args.due * len(measurements)
    runs = {
        label: _summary(processes, workers, measured[label])
        for label, processes, workers in scenarios
    }
    report = {
        "benchmark": "workorders",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "open_orders": args.orders + args.due * len(measurements),
        "steps_per_due_order": 2,
        "batch_size": 500,
        **fill,
        "empty_sweep": empty,
        "sweeps": runs,
        "escalation_rows": total,
        "exactly_once": total == distinct == expected
        and sum(run["steps_applied"] for r in measured.values() for run in r) == expected,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
