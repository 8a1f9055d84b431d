"""How long the ``kb14`` migration's fill of the posting scope takes on a kept base.

A kept base (``kb.py --keep``, any size) already has the scope columns; this puts its posting
indexes back as they were before ``kb14`` (the (term, impact) index and the version_id index) and
times the fill as ``kb14`` runs it, in one of two forms:

* ``old``: the first ``kb14`` (three correlated subqueries per posting, every index maintained
  row by row, the (term, impact, version_id) index built after);
* ``new``: the current ``kb14``: on PostgreSQL the indexes dropped first, one join, both indexes
  built after; on SQLite (which leaves unchanged indexes alone) one row-value subquery per
  posting and the new index built after.

Nothing is kept: PostgreSQL runs it all in a transaction that is rolled back; SQLite works on a
copy of the file (``--copy-to``), which is deleted. The setup (the old index built) is timed
apart and not counted. On PostgreSQL ``--timeout-s`` bounds the fill (the figure is then
"more than").

    ./dev python benchmarks/kb_scope_fill.py URL --variant new [--copy-to DIR] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

SCOPE = "CASE WHEN v.status = 'published' THEN v.effective_from END, v.effective_to, v.region_key"
OLD_FILL = (
    "UPDATE kb_posting SET "
    "scope_from = (SELECT CASE WHEN v.status = 'published' THEN v.effective_from END "
    "FROM kb_version v WHERE v.id = kb_posting.version_id), "
    "scope_to = (SELECT v.effective_to FROM kb_version v WHERE v.id = kb_posting.version_id), "
    "scope_regions = (SELECT v.region_key FROM kb_version v "
    "WHERE v.id = kb_posting.version_id)"
)
SETUP = [
    "DROP INDEX IF EXISTS ix_kb_posting_walk",
    "DROP INDEX IF EXISTS ix_kb_posting_term_impact_version",
    "CREATE INDEX ix_kb_posting_term_impact ON kb_posting (term, impact)",
]
OLD = [
    OLD_FILL,
    "DROP INDEX ix_kb_posting_term_impact",
    "CREATE INDEX ix_kb_posting_term_impact_version ON kb_posting (term, impact, version_id)",
]
AFTER = [
    "CREATE INDEX ix_kb_posting_version_id ON kb_posting (version_id)",
    "CREATE INDEX ix_kb_posting_term_impact_version ON kb_posting (term, impact, version_id)",
]
NEW_POSTGRES = [
    "DROP INDEX ix_kb_posting_term_impact",
    "DROP INDEX ix_kb_posting_version_id",
    "SET LOCAL maintenance_work_mem = '256MB'",
    "UPDATE kb_posting AS p SET (scope_from, scope_to, scope_regions) = "
    f"({SCOPE}) FROM kb_version AS v WHERE v.id = p.version_id",
    *AFTER,
]
NEW_SQLITE = [
    "DROP INDEX ix_kb_posting_term_impact",
    "UPDATE kb_posting SET (scope_from, scope_to, scope_regions) = "
    f"(SELECT {SCOPE} FROM kb_version AS v WHERE v.id = kb_posting.version_id)",
    AFTER[1],
]


def _steps(variant: str, postgres: bool) -> list[str]:
    if variant == "old":
        return OLD
    return NEW_POSTGRES if postgres else NEW_SQLITE


def _sqlite(path: str, variant: str, copy_to: str | None) -> dict[str, Any]:
    folder = tempfile.mkdtemp(dir=copy_to)
    copy = Path(folder) / "kb.db"
    try:
        shutil.copy(path, copy)
        connection = sqlite3.connect(copy, isolation_level=None)
        postings = connection.execute("SELECT count(*) FROM kb_posting").fetchone()[0]
        start = time.perf_counter()
        for statement in SETUP:
            connection.execute(statement)
        setup_s = time.perf_counter() - start
        timings = []
        start = time.perf_counter()
        connection.execute("BEGIN")
        for statement in _steps(variant, postgres=False):
            step = time.perf_counter()
            connection.execute(statement)
            timings.append(round(time.perf_counter() - step, 1))
        connection.execute("COMMIT")
        total = time.perf_counter() - start
        connection.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"postings": postings, "setup_s": round(setup_s, 1), "steps_s": timings} | {
        "fill_s": round(total, 1)
    }


async def _postgres(url: str, variant: str, timeout_s: int) -> dict[str, Any]:
    from sqlalchemy import text

    from hotline.db.session import create_engine

    engine = create_engine(url)
    try:
        async with engine.connect() as c:
            postings = int((await c.execute(text("SELECT count(*) FROM kb_posting"))).scalar_one())
            start = time.perf_counter()
            for statement in SETUP:
                await c.execute(text(statement))
            setup_s = time.perf_counter() - start
            await c.execute(text(f"SET LOCAL statement_timeout = '{timeout_s}s'"))
            timings: list[float | str] = []
            start = time.perf_counter()
            try:
                for statement in _steps(variant, postgres=True):
                    step = time.perf_counter()
                    await c.execute(text(statement))
                    timings.append(round(time.perf_counter() - step, 1))
            except Exception as error:  # the timeout: report how far it got
                timings.append(f"stopped after {time.perf_counter() - step:.0f} s: {error!s:.60}")
            total = time.perf_counter() - start
            await c.rollback()
    finally:
        await engine.dispose()
    return {
        "postings": postings,
        "setup_s": round(setup_s, 1),
        "steps_s": timings,
        "fill_s": round(total, 1),
    }


def main(args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {"variant": args.variant, "load_before": os.getloadavg()}
    if args.url.startswith("sqlite"):
        path = args.url.split("///", 1)[1]
        report |= {"database": "sqlite"} | _sqlite(path, args.variant, args.copy_to)
    else:
        report |= {"database": "postgresql"} | asyncio.run(
            _postgres(args.url, args.variant, args.timeout_s)
        )
    report["load_after"] = os.getloadavg()
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--variant", choices=("old", "new"), default="new")
    parser.add_argument("--copy-to", help="SQLite: where the working copy goes (default: /tmp)")
    parser.add_argument("--timeout-s", type=int, default=1800, help="PostgreSQL: bound the fill")
    parser.add_argument("--json", action="store_true", help="print JSON (the only output)")
    print(json.dumps(main(parser.parse_args()), ensure_ascii=False, indent=2))
