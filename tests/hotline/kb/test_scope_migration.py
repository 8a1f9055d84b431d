"""The kb14 migration gives a base indexed before it the scope its search filters on."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Integer, String, column, select, table
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.db import migrate
from hotline.db.models import KbArticle, KbPosting, KbVersion

pytestmark = pytest.mark.asyncio

# kb_posting as it was before kb14: no scope columns yet.
_OLD_POSTING = table(
    "kb_posting",
    column("term", String),
    column("version_id", Integer),
    column("frequency", Integer),
    column("impact", Integer),
)


def _version(
    id_: int, status: str, start: date, end: date | None, regions: str
) -> dict[str, object]:
    return {
        "id": id_,
        "article_id": "kb-t-001",
        "number": id_,
        "key": f"kb-t-001-r{id_}",
        "status": status,
        "title": "标题",
        "question": "问题",
        "answer": "答案",
        "region_key": regions,
        "effective_from": start,
        "effective_to": end,
        "author": "kb.editor",
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
    }


async def test_kb14_copies_each_versions_scope_onto_its_postings(engine: AsyncEngine) -> None:
    await migrate.downgrade(engine, "con15")  # kb14's parent: postings without a scope
    try:
        async with engine.begin() as c:
            await c.execute(
                KbArticle.__table__.insert(),
                {"id": "kb-t-001", "department": "national", "owner": "kb.editor"},
            )
            await c.execute(
                KbVersion.__table__.insert(),
                [
                    _version(1, "published", date(2024, 1, 1), date(2025, 12, 31), "|hangzhou|"),
                    _version(2, "draft", date(2026, 1, 1), None, "|zhejiang|"),
                    _version(3, "retired", date(2020, 1, 1), date(2023, 12, 31), "|wenzhou|"),
                ],
            )
            await c.execute(
                _OLD_POSTING.insert(),
                [
                    {"term": t, "version_id": v, "frequency": 1, "impact": 500}
                    for v in (1, 2, 3)
                    for t in ("个人所得税", "扣除")
                ],
            )
    finally:
        await migrate.upgrade(engine, "head")
    async with engine.connect() as c:
        rows = await c.execute(
            select(
                KbPosting.version_id,
                KbPosting.term,
                KbPosting.scope_from,
                KbPosting.scope_to,
                KbPosting.scope_regions,
            ).order_by(KbPosting.version_id, KbPosting.term)
        )
        scopes = {(v, t): (start, end, regions) for v, t, start, end, regions in rows}
    published = (date(2024, 1, 1), date(2025, 12, 31), "|hangzhou|")
    assert scopes == {
        (1, "个人所得税"): published,
        (1, "扣除"): published,
        # Only a published version is ever in scope: the others carry no start day.
        (2, "个人所得税"): (None, None, "|zhejiang|"),
        (2, "扣除"): (None, None, "|zhejiang|"),
        (3, "个人所得税"): (None, date(2023, 12, 31), "|wenzhou|"),
        (3, "扣除"): (None, date(2023, 12, 31), "|wenzhou|"),
    }
