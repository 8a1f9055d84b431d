"""The work-order console at scale on PostgreSQL: the inbox page and the search API, p50/p99.

Creates its own database (migrated), fills ``work_order`` with ``--rows`` orders (1,000,000 by
default) by ``COPY`` (asyncpg's ``copy_records_to_table``, not the API: building a million
orders through the use cases would take hours and measure the wrong thing), shaped like a
centre's two years: 20 bureaus, about 3 % of orders still open (the last weeks'), some of them
overdue, every taxpayer with a few orders, then ``VACUUM ANALYZE`` (the state autovacuum keeps).
Then it times requests through the whole service
in process (``httpx.ASGITransport``: routing, session, the queries, masking, audit, templates)
with a specialist's, a liaison's and a supervisor's sign-in:

* ``inbox_*``: ``GET /workorders`` pages (the default open-orders inbox, a filter, overdue, the
  next page by cursor);
* ``search_*``: ``GET /api/v1/workorders`` by reference, phone, taxpayer id, name and words in
  the subject, and ``GET /api/v1/workorders/by-reference/{ref}``;
* ``sql_only``: the inbox's two statements (the page, the capped total) by themselves, to tell
  the database's share from the service's Python on a shared CPU.

Each scenario runs ``--requests`` times after a warm-up; the JSON gives p50 and p99 in ms, and
the CPU per request of the service (``cpu_ms``) and of the database's backends (``db_cpu_ms``):
on a shared machine the tails measure the CPU queue, the CPU time does not.

    ./dev python benchmarks/workorder_console.py --json
    ./dev python benchmarks/workorder_console.py --rows 100000 --requests 100 --json

The database is dropped at the end unless ``--keep``. The fill takes 4-20 minutes; ``--reuse NAME``
measures a kept one again (migrating it first, so a new index is built on it), and ``--only``
picks scenarios:

    ./dev python benchmarks/workorder_console.py --keep --requests 5 --json
    ./dev python benchmarks/workorder_console.py --reuse hotline_console_bench_1234abcd \
        --only inbox_supervisor,search_name,sql_text_all --json
"""

# ruff: noqa: E402  (the imports follow the sys.path fix below on purpose)
from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path: benchmarks/workorders.py would
# shadow the package of the same name.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from hotline.api.paging import capped_total, page_query
from hotline.api.workorders import ORDER_SORTS
from hotline.auth.principal import SESSION_COOKIE
from hotline.config import Settings
from hotline.db import migrate
from hotline.db.models import Department
from hotline.db.session import create_engine, create_sessionmaker, transaction
from hotline.main import create_app
from hotline.roles import Role
from hotline.schemas.users import UserCreate
from hotline.services import users as user_service
from hotline.workorders import queries
from hotline.workorders.rules import ensure_default_policy, seed_year
from workorders.model import OPEN_STATUSES, Actor, Category, Priority
from workorders.model import Role as DomainRole

DEFAULT_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
PASSWORD = "console-bench-password"
DEPARTMENTS = 20
OPEN_SHARE = 0.03
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"
SUBJECTS = (
    "小规模纳税人免征增值税如何申报",
    "个人所得税汇算清缴退税进度查询",
    "发票开具被拒绝要求说明理由",
    "企业所得税研发费用加计扣除口径",
    "社保费缴费基数咨询",
    "电子税务局登录失败",
    "建议延长办税服务厅周末开放时间",
    "举报某餐馆不开发票",
    "数电发票红冲流程",
    "房产税城镇土地使用税减免申请",
)
CATEGORIES = ("enquiry", "enquiry", "enquiry", "help", "complaint", "suggestion", "report")
OPEN = ("dispatched", "acknowledged", "in_progress", "new", "returned", "resolved")
COLUMNS = (
    "id", "reference", "category", "priority", "status", "subject", "description",
    "taxpayer_name", "taxpayer_phone", "taxpayer_number", "taxpayer_organisation",
    "created_by", "created_at", "policy_version", "department_id", "handler_user_id",
    "dispatcher_user_id", "dispatched_at", "acknowledged_at", "resolution_started_at",
    "resolved_at", "closed_at", "deadline_version", "ack_due_at", "resolve_due_at",
    "granted_extensions", "paused_intervals", "supervised", "overdue", "escalations_done",
    "history_length", "revision",
)  # fmt: skip


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def _records(rows: int, now: datetime, people: dict[str, int], departments: list[int]) -> Any:
    """The orders, oldest first: two years back to now, the newest ``OPEN_SHARE`` still open."""
    rng = random.Random(12366)
    span = timedelta(days=730)
    open_from = int(rows * (1 - OPEN_SHARE))
    per_day: dict[str, int] = {}
    for n in range(rows):
        created = now - span + span * (n / rows)
        day = f"{created:%Y%m%d}"
        per_day[day] = per_day.get(day, 0) + 1
        department = departments[n % len(departments)]
        person = n % (rows // 3 + 1)  # a taxpayer has about three orders
        is_open = n >= open_from
        status = rng.choice(OPEN) if is_open else "closed"
        resolve_due = created + timedelta(days=rng.choice((1, 5, 7, 15)))
        handled = status not in ("new", "dispatched", "returned")
        yield (
            str(uuid.UUID(int=rng.getrandbits(128))),
            f"12366-{day}-{per_day[day]:04d}",
            rng.choice(CATEGORIES),
            "urgent" if rng.random() < 0.06 else "normal",
            status,
            f"{rng.choice(SUBJECTS)}（{n}）",
            "",
            SURNAMES[person % 20] + GIVEN[(person // 20) % len(GIVEN)] + GIVEN[person % 7],
            f"139{person:08d}",
            f"9133{person:014d}",
            "",
            people["sup"],
            created,
            1,
            department if status not in ("new", "returned") else None,
            people["spec"] if handled and department == departments[0] else None,
            people["sup"],
            created,
            created if handled else None,
            created,
            None if is_open and status != "resolved" else created + timedelta(days=1),
            None if is_open else created + timedelta(days=2),
            1,
            None,
            resolve_due,
            "[]",
            "[]",
            False,
            is_open and resolve_due < now,
            "[]",
            3,
            3,
        )


async def prepare(url: str, rows: int, now: datetime) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        maker = create_sessionmaker(engine)
        departments = []
        async with transaction(maker) as session:
            for year in (now.year - 2, now.year - 1, now.year):
                await seed_year(session, year, now, overwrite=False)
            await ensure_default_policy(session)
            for n in range(DEPARTMENTS):
                name = f"第{n + 1}税务分局"
                department = Department(code=f"D{n:02d}", name=name, kind="branch_bureau")
                session.add(department)
                await session.flush()
                departments.append(department.id)
        people = {}
        for username, role, department in (
            ("spec", Role.SPECIALIST, "D00"),
            ("liaison", Role.LIAISON, "D01"),
            ("sup", Role.SUPERVISOR, None),
        ):
            async with transaction(maker) as session:
                user = await user_service.create_user(
                    session,
                    UserCreate(
                        username=username,
                        full_name=username,
                        password=SecretStr(PASSWORD),
                        roles=[role],
                        department=department,
                    ),
                )
                people[username] = user.id
        started = time.perf_counter()
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            records = _records(rows, now, people, departments)
            batch: list[tuple[Any, ...]] = []
            for record in records:
                batch.append(record)
                if len(batch) == 50_000:
                    await driver.copy_records_to_table("work_order", records=batch, columns=COLUMNS)
                    batch = []
            if batch:
                await driver.copy_records_to_table("work_order", records=batch, columns=COLUMNS)
            await connection.commit()
        # The steady state autovacuum keeps: statistics, and the visibility map that lets the
        # counts be index-only scans (right after a bulk COPY every row needs a heap visit).
        await _admin(url, "VACUUM ANALYZE work_order")
        return {"fill_s": round(time.perf_counter() - started, 1), "people": people}
    finally:
        await engine.dispose()


async def catch_up(url: str) -> dict[str, Any]:
    """A kept database brought to the code's schema: the migrations written since it was filled
    (a new index is built on the million rows), then fresh statistics for the planner."""
    engine = create_engine(url)
    try:
        before = await migrate.current_revision(engine)
        await migrate.upgrade(engine)
        after = await migrate.current_revision(engine)
    finally:
        await engine.dispose()
    if before != after:
        log(f"migrated {before} -> {after}; analysing")
        await _admin(url, "VACUUM ANALYZE work_order")
    return {"migrated_from": before if before != after else None}


async def _samples(url: str, now: datetime) -> dict[str, str]:
    """Real values to search for: an open order's reference, a taxpayer's phone, id, name."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    text(
                        "SELECT reference, taxpayer_phone, taxpayer_number, taxpayer_name "
                        "FROM work_order WHERE status <> 'closed' ORDER BY created_at LIMIT 1"
                    )
                )
            ).one()
        return {"reference": row[0], "phone": row[1], "taxpayer_number": row[2], "name": row[3]}
    finally:
        await engine.dispose()


_TICK_S = 1 / os.sysconf("SC_CLK_TCK")


async def _database_cpu_s(url: str) -> float:
    """CPU seconds (user + system) spent so far by the PostgreSQL backends connected to the
    benchmark's database (``/proc/PID/stat``: the server runs on this machine). On a shared,
    saturated machine the latency tails measure the CPU queue; CPU time per request does not."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            pids = (
                await connection.execute(
                    text(
                        "SELECT pid FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
            ).scalars()
            total = 0.0
            for pid in pids:
                with contextlib.suppress(OSError):
                    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
                    total += (int(fields[11]) + int(fields[12])) * _TICK_S
            return total
    finally:
        await engine.dispose()


def _percentiles(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return {"p50_ms": round(statistics.median(times), 1), "p99_ms": round(p99, 1)}


async def measure(url: str, requests: int, only: set[str]) -> dict[str, Any]:
    now = datetime.now(UTC)
    sample = await _samples(url, now)
    app = create_app(Settings(database_url=url))
    results: dict[str, Any] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            tokens = {}
            for username in ("spec", "liaison", "sup"):
                answer = await http.post(
                    "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
                )
                answer.raise_for_status()
                tokens[username] = answer.json()["access_token"]
            first = await http.get(
                "/workorders", cookies={SESSION_COOKIE: tokens["sup"]}, params={"state": "open"}
            )
            more = first.text.split('id="wo-next" href="', 1)[-1].split('"', 1)[0]
            more = more.replace("&amp;", "&")
            scenarios: dict[str, tuple[str, str, dict[str, str], bool]] = {
                "inbox_specialist": ("spec", "/workorders", {}, True),
                "inbox_liaison": ("liaison", "/workorders", {}, True),
                "inbox_supervisor": ("sup", "/workorders", {}, True),
                "inbox_supervisor_complaints": (
                    "sup", "/workorders", {"category": "complaint", "priority": "urgent"}, True,
                ),
                "inbox_supervisor_overdue": ("sup", "/workorders", {"overdue": "1"}, True),
                "inbox_supervisor_all_states": ("sup", "/workorders", {"state": "all"}, True),
                "inbox_next_page": ("sup", more, {}, True),
                "inbox_search_phone": ("sup", "/workorders", {"q": sample["phone"]}, True),
                "search_reference": (
                    "sup", "/api/v1/workorders", {"reference": sample["reference"]}, False,
                ),
                "search_by_reference_endpoint": (
                    "sup", f"/api/v1/workorders/by-reference/{sample['reference']}", {}, False,
                ),
                "search_phone": ("sup", "/api/v1/workorders", {"phone": sample["phone"]}, False),
                "search_taxpayer_number": (
                    "sup", "/api/v1/workorders",
                    {"taxpayer_number": sample["taxpayer_number"]}, False,
                ),
                "search_name": (
                    "sup", "/api/v1/workorders", {"taxpayer_name": sample["name"]}, False,
                ),
                "search_text_open": (
                    "sup", "/api/v1/workorders",
                    {"text": "汇算清缴", "status": "dispatched"}, False,
                ),
                "search_text_all": ("sup", "/api/v1/workorders", {"text": "红冲流程"}, False),
                "search_specialist_phone": (
                    "spec", "/api/v1/workorders", {"phone": sample["phone"]}, False,
                ),
            }  # fmt: skip
            for name, (who, path, params, page) in scenarios.items():
                if only and name not in only:
                    continue
                auth: dict[str, Any] = (
                    {"cookies": {SESSION_COOKIE: tokens[who]}}
                    if page
                    else {"headers": {"Authorization": f"Bearer {tokens[who]}"}}
                )
                http.cookies.clear()
                warm = await http.get(path, params=params, **auth)
                assert warm.status_code == 200, (name, warm.status_code, warm.text[:300])
                times = []
                database_cpu = await _database_cpu_s(url)
                service_cpu = time.process_time()
                for _ in range(requests):
                    started = time.perf_counter()
                    response = await http.get(path, params=params, **auth)
                    times.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (name, response.status_code)
                service_cpu = time.process_time() - service_cpu
                database_cpu = await _database_cpu_s(url) - database_cpu
                results[name] = {
                    **_percentiles(times),
                    # CPU per request: the service's process, and the database's backends
                    # (the pool's connections; the probe's own is left out).
                    "cpu_ms": round(service_cpu * 1000 / requests, 1),
                    "db_cpu_ms": round(database_cpu * 1000 / requests, 1),
                }
                log(f"{name}: {results[name]}")
    return results


async def measure_sql(url: str, requests: int, only: set[str]) -> dict[str, Any]:
    """The inbox's two statements alone (the page and its capped total), without the service:
    what the database spends, apart from Python and a busy CPU."""
    engine = create_engine(url)
    maker = create_sessionmaker(engine)
    now = datetime.now(UTC)
    results: dict[str, Any] = {}
    try:
        async with maker() as session:
            rows = (await session.execute(text('SELECT username, id FROM "user"'))).all()
            people = {username: user_id for username, user_id in rows}
            department = await session.scalar(text("SELECT id FROM department WHERE code='D00'"))
            specialist = Actor(
                str(people["spec"]), frozenset({DomainRole.SPECIALIST}), str(department)
            )
            supervisor = Actor(str(people["sup"]), frozenset({DomainRole.SUPERVISOR}))
            open_ = tuple(sorted(OPEN_STATUSES))
            cases = {
                "specialist_open": (specialist, queries.OrderFilter(statuses=open_)),
                "supervisor_open": (supervisor, queries.OrderFilter(statuses=open_)),
                "supervisor_overdue": (
                    supervisor, queries.OrderFilter(statuses=open_, overdue=True),
                ),
                "supervisor_complaints_urgent": (
                    supervisor,
                    queries.OrderFilter(
                        statuses=open_,
                        categories=(Category.COMPLAINT,),
                        priorities=(Priority.URGENT,),
                    ),
                ),
                "text_open": (supervisor, queries.OrderFilter(statuses=open_, text="汇算清缴")),
                "text_all": (supervisor, queries.OrderFilter(text="红冲流程")),
                "text_rare": (supervisor, queries.OrderFilter(text="没有这句话")),
            }  # fmt: skip
            for name, (actor, wanted) in cases.items():
                if only and f"sql_{name}" not in only:
                    continue
                listed = queries.listed(actor, wanted, now)
                await capped_total(session, listed)
                times = []
                for _ in range(requests):
                    started = time.perf_counter()
                    await capped_total(session, listed)
                    await session.execute(page_query(listed, ORDER_SORTS[0], None, 25))
                    times.append((time.perf_counter() - started) * 1000)
                results[name] = _percentiles(times)
                log(f"sql {name}: {results[name]}")
    finally:
        await engine.dispose()
    return results


async def main(args: argparse.Namespace) -> dict[str, Any]:
    admin_url = os.environ.get("HOTLINE_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)
    name = args.reuse or f"hotline_console_bench_{uuid.uuid4().hex[:8]}"
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    filled: dict[str, Any] = {}
    if not args.reuse:
        await _admin(admin_url, f'CREATE DATABASE "{name}"')
    try:
        if not args.reuse:
            log(f"filling {args.rows} work orders into {name}")
            filled = await prepare(url, args.rows, datetime.now(UTC))
            log(f"filled in {filled['fill_s']} s")
        else:
            filled = await catch_up(url)
        only = set(filter(None, args.only.split(",")))
        sql = await measure_sql(url, args.requests, only)
        results = await measure(url, args.requests, only)
    finally:
        if not args.keep and not args.reuse:
            await _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return {
        "benchmark": "workorder_console",
        "rows": args.rows,
        "requests_per_scenario": args.requests,
        "fill_s": filled.get("fill_s"),
        "migrated_from": filled.get("migrated_from"),
        "database": name if args.keep or args.reuse else None,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average": os.getloadavg(),
        "results": results,
        "sql_only": sql,
        "goal_p99_ms": 200,
        "slowest_p99_ms": max((r["p99_ms"] for r in results.values()), default=None),
    }


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", help="measure an existing (kept) database by name")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated scenario names to run (sql_NAME for the SQL-only ones); all if empty",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    # The service logs every request to stdout; the figures alone go there.
    with contextlib.redirect_stdout(sys.stderr):
        result = asyncio.run(main(args))
    print(json.dumps(result, ensure_ascii=False, indent=None if args.json else 2))


if __name__ == "__main__":
    cli()
