"""The knowledge-base search's shortlist statement explained on a kept base (``kb.py --keep``).

For every development query (``benchmarks/data/kb-queries.yaml``, with its region and day) the
statement the search sends is run under ``EXPLAIN (ANALYZE, BUFFERS)`` on PostgreSQL or shown by
``EXPLAIN QUERY PLAN`` on SQLite, and summed up: on PostgreSQL the execution time, the index
scans by kind, heap fetches, entries removed by the scope filter and the buffers touched; on
SQLite how each table is reached (a covering index or not). ``--show N`` prints the N-th query's
whole plan as well.

    ./dev python benchmarks/kb_explain.py URL [--show 2] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
from datetime import date
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "benchmarks" / "data" / "kb-queries.yaml"


async def _plans(url: str, show: int | None) -> dict[str, Any]:
    from hotline.db.session import create_engine, create_sessionmaker
    from hotline.knowledge import search as kb
    from knowledge.analysis import default_analyzer
    from knowledge.ranking import idf

    analyzer = default_analyzer()
    engine = create_engine(url)
    postgres = engine.dialect.name == "postgresql"
    queries = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))["queries"]
    summary: dict[str, Any] = {"database": engine.dialect.name, "queries": len(queries)}
    executions: list[float] = []
    counters = {"index_only_scans": 0, "index_scans": 0, "heap_fetches": 0, "removed": 0}
    buffers = 0
    sqlite_access: dict[str, int] = {}
    try:
        async with create_sessionmaker(engine)() as session:
            for number, q in enumerate(queries):
                terms = analyzer.query_terms(q["query"])[: kb.MAX_TERMS]
                stats, df = await kb._stats(session, terms)
                weights = {
                    t: round(idf(stats.documents, df[t]) * kb.IDF_SCALE) for t in terms if df.get(t)
                }
                if not weights:
                    continue
                statement = kb._shortlist_statement(len(weights), q["region"] is not None)
                params: dict[str, Any] = {
                    "day": date.fromisoformat(q["date"]),
                    "size": kb.SHORTLIST,
                }
                for i, (term, weight) in enumerate(weights.items()):
                    params[f"t{i}"], params[f"w{i}"] = term, weight
                if q["region"] is not None:
                    params["province"] = f"%|{kb._like_part(kb.PROVINCE)}|%"
                    params["region"] = f"%|{kb._like_part(q['region'])}|%"
                connection = await session.connection()
                compiled = statement.compile(dialect=connection.dialect)
                sql = str(compiled)
                # Every bound value, the LIMITs' included, in the placeholders' order.
                bound = compiled.construct_params(params)
                values = tuple(
                    v.isoformat() if isinstance(v, date) and not postgres else v
                    for v in (bound[name] for name in compiled.positiontup or [])
                )
                if postgres:
                    plan = [
                        row[0]
                        for row in await connection.exec_driver_sql(
                            "EXPLAIN (ANALYZE, BUFFERS) " + sql, values
                        )
                    ]
                    for line in plan:
                        if m := re.search(r"Execution Time: ([\d.]+)", line):
                            executions.append(float(m.group(1)))
                        counters["index_only_scans"] += "Index Only Scan" in line
                        counters["index_scans"] += bool(re.search(r"-> +Index Scan", line))
                        if m := re.search(r"Heap Fetches: (\d+)", line):
                            counters["heap_fetches"] += int(m.group(1))
                        if m := re.search(r"Rows Removed by Filter: (\d+)", line):
                            counters["removed"] += int(m.group(1))
                    top = next((line for line in plan if "Buffers:" in line), "")
                    buffers += sum(int(n) for n in re.findall(r"=(\d+)", top))
                else:
                    plan = [
                        str(row[-1])
                        for row in await connection.exec_driver_sql(
                            "EXPLAIN QUERY PLAN " + sql, values
                        )
                    ]
                    for line in plan:
                        if "kb_posting" in line or "exact" in line:
                            sqlite_access[line.strip()] = sqlite_access.get(line.strip(), 0) + 1
                if show is not None and number == show:
                    print(f"-- {q['query']} ({q['region']}, {q['date']})", file=sys.stderr)
                    print("\n".join(plan), file=sys.stderr)
                await session.rollback()
    finally:
        await engine.dispose()
    if postgres:
        executions.sort()
        summary |= {
            "execution_ms_p50": round(statistics.median(executions), 2),
            "execution_ms_max": round(executions[-1], 2),
            "buffers_per_statement": round(buffers / len(executions), 1),
        } | counters
    else:
        summary["posting_access"] = sqlite_access
    return summary


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--show", type=int, help="print this query's whole plan (stderr)")
    parser.add_argument("--json", action="store_true", help="print JSON (the only output)")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(_plans(args.url, args.show)), ensure_ascii=False, indent=2))
