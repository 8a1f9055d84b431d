"""``EXPLAIN (ANALYZE, BUFFERS)`` of the console's inbox statements on a kept benchmark database.

The companion of ``workorder_console.py``: run that with ``--keep``, then give this the database
name it printed. For each inbox case (the same actors and filters as its ``sql_only`` part) it
prints the page statement's and the capped total's plan with PostgreSQL's own execution time,
which a busy CPU inflates far less than the request timings.

    ./dev python benchmarks/workorder_console.py --keep --json
    ./dev python benchmarks/workorder_console_explain.py hotline_console_bench_1234abcd --json
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
import json
import os
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import make_url, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import func

from hotline.api.paging import encode_cursor, page_query, total_probe
from hotline.api.workorders import ORDER_SORTS
from hotline.db.session import create_engine
from hotline.workorders import queries
from workorders.model import OPEN_STATUSES, Actor, Category, Priority, Status
from workorders.model import Role as DomainRole

DEFAULT_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def _sql(statement: Any) -> str:
    return str(
        statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    )


async def explain(url: str, repeat: int) -> dict[str, Any]:
    engine = create_engine(url)
    results: dict[str, Any] = {}
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(text('SELECT username, id FROM "user"'))).all()
            people = {username: user_id for username, user_id in rows}
            department = await connection.scalar(text("SELECT id FROM department WHERE code='D00'"))
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
            }  # fmt: skip
            # The search API's own statements (one per request: the page of 50 with its capped
            # total riding on each row), as the benchmark's search_* scenarios send them.
            sample = (
                await connection.execute(
                    text(
                        "SELECT taxpayer_name FROM work_order WHERE status <> 'closed' "
                        "ORDER BY created_at LIMIT 1"
                    )
                )
            ).one()
            dispatched = (Status.DISPATCHED,)
            searches = {
                "api_name": queries.OrderFilter(taxpayer_name=sample[0]),
                "api_text_open": queries.OrderFilter(statuses=dispatched, text="汇算清缴"),
                "api_text_all": queries.OrderFilter(text="红冲流程"),
            }
            now = datetime.now(UTC)
            first = queries.listed(supervisor, queries.OrderFilter(statuses=open_), now)
            page_one = list(await connection.execute(page_query(first, ORDER_SORTS[0], None, 25)))
            cursor = encode_cursor(ORDER_SORTS[0], ORDER_SORTS[0].values_of(page_one[24]))
            plans: dict[str, dict[str, Any]] = {}
            for name, (actor, wanted) in cases.items():
                listed = queries.listed(actor, wanted, now)
                total = select(func.count()).select_from(total_probe(listed).subquery())
                plans[name] = {
                    "page": page_query(listed, ORDER_SORTS[0], None, 25),
                    "total": total,
                }
            plans["supervisor_open"]["next_page"] = page_query(first, ORDER_SORTS[0], cursor, 25)
            for name, wanted in searches.items():
                plans[name] = {"page_and_total": api_statement(supervisor, wanted, now)}
            for name, statements in plans.items():
                results[name] = {}
                for part, statement in statements.items():
                    sql = _sql(statement)
                    best: dict[str, Any] | None = None
                    for _ in range(repeat):  # the best of a few: the CPU is shared
                        found = await connection.execute(
                            text(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
                        )
                        document = found.scalar_one()[0]
                        ms = float(document["Execution Time"])
                        if best is None or ms < best["execution_ms"]:
                            top = document["Plan"]
                            best = {
                                "execution_ms": ms,
                                "planning_ms": float(document["Planning Time"]),
                                # Pages touched (8 kB each): found in shared buffers, or read
                                # from the OS (its page cache or the disk).
                                "buffers_hit": top.get("Shared Hit Blocks", 0),
                                "buffers_read": top.get("Shared Read Blocks", 0),
                                "plan": _outline(top),
                            }
                    assert best is not None
                    results[name][part] = best
                    print(
                        f"{name} {part}: {best['execution_ms']:.1f} ms, "
                        f"{best['buffers_hit']} hit + {best['buffers_read']} read",
                        file=sys.stderr,
                    )
    finally:
        await engine.dispose()
    return results


def api_statement(actor: Actor, wanted: queries.OrderFilter, now: datetime) -> Any:
    """The statement ``GET /api/v1/workorders`` sends: a page of 50 and its capped total."""
    listed = queries.listed(actor, wanted, now)
    counted = (
        select(func.count())
        .select_from(total_probe(listed).subquery())
        .correlate(None)
        .scalar_subquery()
    )
    return page_query(listed, ORDER_SORTS[0], None, 50).add_columns(counted.label("page_total"))


def _outline(node: dict[str, Any], depth: int = 0) -> list[str]:
    """One line per plan node: its type, the index or relation, the rows and its time."""
    where = node.get("Index Name") or node.get("Relation Name") or ""
    line = (
        f"{'  ' * depth}{node['Node Type']} {where} rows={node.get('Actual Rows')} "
        f"ms={node.get('Actual Total Time')} buffers={node.get('Shared Hit Blocks', 0)}"
        f"+{node.get('Shared Read Blocks', 0)}"
    )
    lines = [line.rstrip()]
    for child in node.get("Plans", []):
        lines += _outline(child, depth + 1)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", help="the kept benchmark database's name")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    admin_url = os.environ.get("HOTLINE_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)
    url = make_url(admin_url).set(database=args.database).render_as_string(hide_password=False)
    results = asyncio.run(explain(url, args.repeat))
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        for name, parts in results.items():
            for part, found in parts.items():
                print(
                    f"{name} {part}: {found['execution_ms']:.1f} ms, buffers "
                    f"{found['buffers_hit']} hit + {found['buffers_read']} read"
                )
                print("\n".join("    " + line for line in found["plan"]))


if __name__ == "__main__":
    main()
