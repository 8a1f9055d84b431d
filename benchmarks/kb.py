"""Knowledge-base benchmark: search latency, indexing throughput, search quality.

* ``quality``: the development queries (``benchmarks/data/kb-queries.yaml``, from the project's
  corpus) against the sample base (``examples/kb``): recall@3 and MRR over the queries that have
  answers, and for those that have none how many return nothing.
* ``sizes``: for each ``--sizes`` N and each database (SQLite file, PostgreSQL database created and
  dropped here), N synthetic articles made from the sample ones (each an own lineage, its title
  and answer mixed with another's so terms spread), imported through the real import path
  (segmentation, postings; ``index_per_s`` = versions per second), then every development query
  searched ``--rounds`` times: p50 / p99 milliseconds per search (whole call: three SQL round
  trips and BM25 in Python).

    ./dev python benchmarks/kb.py --json [--sizes 1000,10000] [--rounds 5] [--reuse-analysis]

``--grow-to 100000``: after measuring a size (say 10,000) the indexed rows are copied inside the
database to 100,000 (new ids and keys, the same postings, ``kb_term`` multiplied) and searched
again: the search cost at that size without an hour of indexing on a shared machine (the copies
repeat the synthetic texts, which repeat anyway: 2,600 distinct texts whatever N).

``--keep``: the databases built are not dropped (each size's result names its ``url``);
``--reuse URL`` (repeatable) then measures such a base again without building it: the database is
upgraded to the current migration head first (``upgrade_s``: what a new migration costs on a base
that size) and searched ``--rounds`` times.

Every latency result also gives CPU per search: ``cpu_p50_ms`` / ``cpu_p99_ms`` for this process
(``time.process_time()``, which includes aiosqlite's thread), and on PostgreSQL
``server_cpu_ms_per_search``, the backend's own CPU (``/proc/<pid>/stat`` of the connection's
server process, same machine) over all searches divided by their number. On a shared, loaded
machine these are the comparable figures; wall-clock tails measure the run queue.

``--reuse-analysis``: the synthetic base repeats its texts (2,600 distinct versions whatever N),
so each distinct text is segmented once and its postings reused; ``index_per_s`` then measures
the database writes, not jieba-rs. Used for 100,000, whose analysis alone would take most of an
hour of a shared 2-core machine; without it the figure is the whole import path.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "kb"
QUERIES = ROOT / "benchmarks" / "data" / "kb-queries.yaml"
ADMIN_URL = os.environ.get(
    "HOTLINE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
NOW = datetime(2026, 3, 2, tzinfo=UTC)
REUSED = [False]  # --reuse-analysis in force


async def _fresh(url: str) -> Any:
    from hotline.db import migrate
    from hotline.db.session import create_engine, create_sessionmaker

    sys.path.insert(0, str(ROOT))  # the taxonomy loader the tests use
    from tests.hotline.kb.helpers import seed_topics

    engine = create_engine(url)
    await migrate.upgrade(engine)
    sessionmaker = create_sessionmaker(engine)
    await seed_topics(sessionmaker)
    return engine, sessionmaker


def _sample_files() -> list[Any]:
    from knowledge.corpus import parse_article

    return [
        parse_article(p.name, p.read_text(encoding="utf-8")) for p in sorted(SAMPLE.glob("*.md"))
    ]


def _synthetic(n: int) -> list[Any]:
    from knowledge.corpus import ArticleFile

    base = _sample_files()
    out = []
    for i in range(n):
        a, b = base[i % len(base)], base[(i * 7 + 3) % len(base)]
        key = f"kb-syn-{i:06d}"
        content = replace(
            a.content,
            title=f"{a.content.title}（{b.content.title[:6]}）",
            answer=a.content.answer + "\n\n" + b.content.answer[: 80 + i % 200],
            alt_questions=a.content.alt_questions + b.content.alt_questions[:1],
        )
        out.append(ArticleFile(key, replace(a.head, id=key), content, None))
    return out


def _queries() -> list[dict[str, Any]]:
    return list(yaml.safe_load(QUERIES.read_text(encoding="utf-8"))["queries"])


async def _index(sessionmaker: Any, files: list[Any], batch: int = 1000) -> float:
    from hotline.knowledge.files import import_files
    from knowledge.analysis import default_analyzer

    start = time.perf_counter()
    for i in range(0, len(files), batch):
        async with sessionmaker() as session:
            await import_files(session, default_analyzer(), files[i : i + batch], now=NOW)
            await session.commit()
    return len(files) / (time.perf_counter() - start)


def _backend_cpu_s(pid: int | None) -> float:
    """User + system CPU seconds of a PostgreSQL backend on this machine (0 if unreadable)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 2)


async def _latency(sessionmaker: Any, rounds: int) -> dict[str, Any]:
    from hotline.knowledge.search import search
    from knowledge.analysis import default_analyzer

    analyzer = default_analyzer()
    times: list[float] = []
    cpu: list[float] = []
    async with sessionmaker() as session:
        connection = await session.connection()
        pid = None
        if connection.dialect.name == "postgresql":
            pid = int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())
        await session.commit()
        server_start = _backend_cpu_s(pid)
        for _ in range(rounds):
            for q in _queries():
                start, cpu_start = time.perf_counter(), time.process_time()
                await search(
                    session,
                    analyzer,
                    q["query"],
                    day=date.fromisoformat(q["date"]),
                    region=q["region"],
                )
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - cpu_start) * 1000)
                # One transaction per search, as a request has (the pool keeps the connection).
                await session.commit()
        server = _backend_cpu_s(pid) - server_start
    result: dict[str, Any] = {
        "searches": len(times),
        "p50_ms": round(statistics.median(times), 2),
        "p99_ms": _p(times, 0.99),
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "cpu_p99_ms": _p(cpu, 0.99),
    }
    if pid is not None:
        result["server_cpu_ms_per_search"] = round(server * 1000 / len(times), 2)
    return result


async def _quality() -> dict[str, Any]:
    from hotline.knowledge.files import import_files
    from hotline.knowledge.search import search
    from knowledge.analysis import default_analyzer

    with tempfile.TemporaryDirectory() as folder:
        engine, sessionmaker = await _fresh(f"sqlite+aiosqlite:///{folder}/q.db")
        try:
            async with sessionmaker() as session:
                await import_files(session, default_analyzer(), _sample_files(), now=NOW)
                await session.commit()
            recalls, reciprocal, misses, empty_total, empty_none = [], [], [], 0, 0
            async with sessionmaker() as session:
                for q in _queries():
                    hits = await search(
                        session,
                        default_analyzer(),
                        q["query"],
                        day=date.fromisoformat(q["date"]),
                        region=q["region"],
                    )
                    keys = [h.version.key for h in hits]
                    relevant = q["relevant"]
                    if not relevant:
                        empty_total += 1
                        empty_none += not keys
                        continue
                    recalls.append(len(set(keys[:3]) & set(relevant)) / len(relevant))
                    rank = next((i + 1 for i, k in enumerate(keys) if k in relevant), None)
                    reciprocal.append(1 / rank if rank else 0.0)
                    if not rank or rank > 3:
                        misses.append({"query": q["query"], "want": relevant, "got": keys[:3]})
        finally:
            await engine.dispose()
    return {
        "queries_with_answers": len(recalls),
        "recall_at_3": round(statistics.fmean(recalls), 3),
        "mrr": round(statistics.fmean(reciprocal), 3),
        "queries_without_answer": empty_total,
        "of_which_returned_nothing": empty_none,
        "misses": misses,
    }


async def _replicate(engine: Any, copies: int) -> None:
    """The indexed base copied ``copies`` times more inside the database (new ids, article ids
    and keys with a ``-cK`` suffix; the same postings with their scope; ``kb_term`` multiplied):
    N articles become N x (copies + 1) without segmenting or sending a row through Python. The
    posting table's secondary indexes are dropped during the copy and built again after (one
    sort instead of millions of B-tree inserts: the copy went from half an hour to minutes)."""
    from hotline.db.models import KbPosting, KbVersion

    columns = [c.name for c in KbVersion.__table__.columns]
    special = {"id": "id + :offset", "article_id": "article_id || :suffix", "key": "key || :suffix"}
    chosen = ", ".join(special.get(c, c) for c in columns)
    posting = [c.name for c in KbPosting.__table__.columns]
    copied = ", ".join("version_id + :offset" if c == "version_id" else c for c in posting)
    indexes = list(KbPosting.__table__.indexes)
    async with engine.begin() as c:
        if engine.dialect.name == "sqlite":
            await c.execute(text("PRAGMA cache_size = -1000000"))  # 1 GB: the PK B-tree in memory
        for index in indexes:
            await c.execute(text(f"DROP INDEX {index.name}"))
        top = int((await c.execute(text("SELECT max(id) FROM kb_version"))).scalar_one())
        for k in range(1, copies + 1):
            values = {"offset": k * top, "suffix": f"-c{k}", "top": top}
            await c.execute(
                text(
                    "INSERT INTO kb_article (id, department, owner, editors, review_due, "
                    "created_at) SELECT id || :suffix, department, owner, editors, review_due, "
                    "created_at FROM kb_article WHERE id NOT LIKE '%-c%'"
                ),
                values,
            )
            await c.execute(
                text(
                    f"INSERT INTO kb_version ({', '.join(columns)}) "
                    f"SELECT {chosen} FROM kb_version WHERE id <= :top"
                ),
                values,
            )
            await c.execute(
                text(
                    f"INSERT INTO kb_posting ({', '.join(posting)}) SELECT {copied} "
                    "FROM kb_posting WHERE version_id <= :top ORDER BY term, version_id"
                ),
                values,
            )
        for index in indexes:
            await c.run_sync(lambda sync, index=index: index.create(sync))
        await c.execute(text("UPDATE kb_term SET documents = documents * :n"), {"n": copies + 1})
        await c.execute(text("ANALYZE"))


async def _vacuum(engine: Any) -> None:
    """PostgreSQL: set the visibility map of the copied tables (what autovacuum does to an
    insert-only table soon after a bulk load), so the search's walks are index-only scans."""
    if engine.dialect.name != "postgresql":
        return
    async with engine.connect() as c:
        await c.execution_options(isolation_level="AUTOCOMMIT")
        await c.execute(text("VACUUM ANALYZE kb_posting"))
        await c.execute(text("VACUUM ANALYZE kb_version"))


async def _reuse(url: str, rounds: int) -> dict[str, Any]:
    """A kept base (``--keep``) upgraded to the current head, then searched."""
    from hotline.db import migrate
    from hotline.db.session import create_engine, create_sessionmaker

    engine = create_engine(url)
    try:
        start = time.perf_counter()
        await migrate.upgrade(engine)
        upgrade_s = round(time.perf_counter() - start, 1)
        async with engine.connect() as c:
            n = int((await c.execute(text("SELECT count(*) FROM kb_version"))).scalar_one())
        result: dict[str, Any] = {
            "database": engine.dialect.name,
            "articles": n,
            "url": url,
            "upgrade_s": upgrade_s,
            "load_at_search": os.getloadavg()[0],
        }
        return result | await _latency(create_sessionmaker(engine), rounds)
    finally:
        await engine.dispose()


async def _one_size(
    kind: str, n: int, rounds: int, grow_to: int = 0, keep: bool = False
) -> list[dict[str, Any]]:
    files = _synthetic(n)
    folder = None
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="kb_bench_")
        url = f"sqlite+aiosqlite:///{folder}/kb.db"
        admin = None
    else:
        name = f"kb_bench_{uuid.uuid4().hex[:8]}"
        admin = create_async_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
        async with admin.connect() as c:
            await c.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine, sessionmaker = await _fresh(url)
    try:
        rate = await _index(sessionmaker, files)
        result = {
            "database": kind,
            "articles": n,
            "index_per_s": round(rate, 1),
            "reuse_analysis": REUSED[0],
            "url": url if keep else None,
            "load_at_search": os.getloadavg()[0],
        }
        result |= await _latency(sessionmaker, rounds)
        results = [result]
        if grow_to > n:
            start = time.perf_counter()
            await _replicate(engine, grow_to // n - 1)
            await _vacuum(engine)
            grown: dict[str, Any] = {
                "database": kind,
                "articles": grow_to,
                "copied_from": n,
                "url": url if keep else None,
                "copy_s": round(time.perf_counter() - start, 1),
                "load_at_search": os.getloadavg()[0],
            }
            grown |= await _latency(sessionmaker, rounds)
            results.append(grown)
        return results
    finally:
        await engine.dispose()
        if folder is not None and not keep:
            shutil.rmtree(folder, ignore_errors=True)
        if admin is not None and keep:
            await admin.dispose()
        elif admin is not None:
            async with admin.connect() as c:
                await c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await admin.dispose()


def _reuse_analysis() -> None:
    """Postings computed once per distinct text (see the module docstring)."""
    from hotline.knowledge import indexer

    original = indexer.postings_of
    memo: dict[Any, Any] = {}

    def postings_of(analyzer: Any, content: Any) -> Any:
        if content not in memo:
            memo[content] = original(analyzer, content)
        return memo[content]

    indexer.postings_of = postings_of
    REUSED[0] = True


async def main(args: argparse.Namespace) -> dict[str, Any]:
    if args.reuse_analysis:
        _reuse_analysis()
    report: dict[str, Any] = {"load_before": os.getloadavg()}
    report["quality"] = await _quality() if not args.no_quality else None
    sizes = []
    if args.reuse:
        for url in args.reuse:
            sizes.append(await _reuse(url, args.rounds))
    else:
        for n in (int(s) for s in args.sizes.split(",")):
            for kind in args.databases.split(","):
                sizes.extend(await _one_size(kind, n, args.rounds, args.grow_to, args.keep))
    report["sizes"] = sizes
    report["load_after"] = os.getloadavg()
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON (the only output)")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reuse-analysis", action="store_true", help="segment each text once")
    parser.add_argument("--no-quality", action="store_true", help="skip the quality run")
    parser.add_argument(
        "--grow-to",
        type=int,
        default=0,
        help="after measuring a size, copy its rows inside the database to this many and measure",
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases built")
    parser.add_argument(
        "--reuse",
        action="append",
        metavar="URL",
        help="measure a kept database (upgraded to head first) instead of building; repeatable",
    )
    result = asyncio.run(main(parser.parse_args()))
    print(json.dumps(result, ensure_ascii=False, indent=2))
