"""The same data ranks the same on SQLite and PostgreSQL: every development query, every score."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from hotline.db.session import create_engine, create_sessionmaker
from hotline.knowledge.search import search
from knowledge.analysis import default_analyzer
from tests.hotline.kb.helpers import QUERIES, import_sample, seed_topics

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres]


async def _results(url: str) -> list[list[tuple[str, float]]]:
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    try:
        await seed_topics(sessionmaker)
        await import_sample(sessionmaker)
        queries = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))["queries"]
        # Pinyin initials of titles (个人所得税, 个税, 专项附加扣除, 发票) rank the same too.
        queries += [
            {"query": q, "date": "2026-03-01", "region": "hangzhou"}
            for q in ("grsds", "gs", "zxfjkc", "fp")
        ]
        out = []
        async with sessionmaker() as session:
            for q in queries:
                hits = await search(
                    session,
                    default_analyzer(),
                    q["query"],
                    day=date.fromisoformat(q["date"]),
                    region=q["region"],
                )
                out.append([(h.version.key, h.score) for h in hits])
        return out
    finally:
        await engine.dispose()


async def test_every_query_ranks_identically(
    sqlite_template: Path, postgres_database: str, tmp_path: Path
) -> None:
    from tests.fixtures.database import _truncate_postgres

    copy = tmp_path / "kb.db"
    shutil.copy(sqlite_template, copy)
    await _truncate_postgres(postgres_database)
    on_sqlite = await _results(f"sqlite+aiosqlite:///{copy}")
    try:
        on_postgres = await _results(postgres_database)
    finally:
        await _truncate_postgres(postgres_database)  # the next test expects an empty schema
    assert sum(1 for r in on_sqlite if r) >= 30
    assert on_sqlite == on_postgres
