"""Search on a real database: region and date filters, synonyms, empty queries, import rules."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import KbVersion
from hotline.knowledge.search import search
from knowledge.analysis import default_analyzer
from knowledge.corpus import ArticleFileError
from tests.hotline.kb.helpers import SAMPLE, import_sample, seed_topics

pytestmark = pytest.mark.asyncio


async def _keys(
    sessionmaker: async_sessionmaker[AsyncSession], q: str, day: str, region: str | None = None
) -> list[str]:
    async with sessionmaker() as session:
        hits = await search(
            session, default_analyzer(), q, day=date.fromisoformat(day), region=region
        )
    return [h.version.key for h in hits]


async def test_abbreviations_find_the_article_in_force_that_day(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await seed_topics(sessionmaker)
    await import_sample(sessionmaker)
    # Before the 2023-09-01 change the old version answers; after it, the new one.
    before = await _keys(sessionmaker, "孩子上幼儿园每个月能扣多少个税", "2023-04-12", "hangzhou")
    after = await _keys(sessionmaker, "孩子上幼儿园每个月能扣多少个税", "2025-04-12", "hangzhou")
    assert before[0] == "kb-iit-001-v2023"
    assert "kb-iit-001" not in before
    assert after[0] == "kb-iit-001"
    assert "kb-iit-001-v2023" not in after
    # 专票 is 增值税专用发票.
    assert any(
        k.startswith("kb-inv") for k in (await _keys(sessionmaker, "专票", "2026-03-01"))[:3]
    )


async def test_a_city_caller_never_sees_the_other_citys_article(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await seed_topics(sessionmaker)
    await import_sample(sessionmaker)
    async with sessionmaker() as session:
        hits = await search(
            session,
            default_analyzer(),
            "办税服务厅 几点 上班",
            day=date(2026, 3, 2),
            region="hangzhou",
        )
    assert hits
    assert all("wenzhou" not in h.version.regions for h in hits)
    assert any("hangzhou" in h.version.regions for h in hits)
    assert all("<mark>" in h.title_html or "<mark>" in h.question_html for h in hits[:1])


async def test_empty_or_punctuation_queries_return_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await seed_topics(sessionmaker)
    await import_sample(sessionmaker)
    for q in ["", "   ", "？？？", "!!!,,,", "的"]:
        assert await _keys(sessionmaker, q, "2026-03-02") == [], q


async def test_import_is_idempotent(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    await seed_topics(sessionmaker)
    first = await import_sample(sessionmaker)
    again = await import_sample(sessionmaker)
    assert first.created == len(list(SAMPLE.glob("*.md")))
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)


async def test_import_is_all_or_nothing_and_names_file_and_field(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await seed_topics(sessionmaker)
    for path in sorted(SAMPLE.glob("kb-iit-00*.md")):
        shutil.copy(path, tmp_path / path.name)
    bad = tmp_path / "kb-iit-005.md"
    bad.write_text(bad.read_text(encoding="utf-8").replace("IIT.", "IIT.NOPE"), encoding="utf-8")
    with pytest.raises(ArticleFileError, match=r"kb-iit-005\.md: topics: unknown topic code"):
        await import_sample(sessionmaker, tmp_path)
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count(KbVersion.id))) == 0


async def test_import_refuses_overlapping_versions(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await seed_topics(sessionmaker)
    for name in ("kb-iit-001.md", "kb-iit-001-v2023.md"):
        shutil.copy(SAMPLE / name, tmp_path / name)
    old = tmp_path / "kb-iit-001-v2023.md"
    old.write_text(
        old.read_text(encoding="utf-8").replace(
            'effective_to: "2023-08-31"', 'effective_to: "2024-01-31"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(
        ArticleFileError, match=r"kb-iit-001\.md: effective_from: .*kb-iit-001-v2023"
    ):
        await import_sample(sessionmaker, tmp_path)


async def test_pinyin_initials_find_titles_by_their_words_and_synonyms(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await seed_topics(sessionmaker)
    await import_sample(sessionmaker)

    async def titles(q: str) -> list[str]:
        async with sessionmaker() as session:
            hits = await search(
                session, default_analyzer(), q, day=date(2026, 3, 1), region="hangzhou", limit=50
            )
        return [h.version.title for h in hits]

    # grsds is 个人所得税, gs is 个税: the same titles whichever form the title uses.
    long_form, short_form = await titles("grsds"), await titles("gs")
    assert len(long_form) >= 8
    assert all("个人所得税" in t or "个税" in t for t in long_form)
    assert set(long_form) == set(short_form)
    assert any("个税" in t for t in long_form)
    assert any("个人所得税" in t for t in long_form)
    # Words of a title: zxfjkc is 专项附加扣除; a typed letter run that no title has finds nothing.
    assert all("专项附加扣除" in t for t in await titles("zxfjkc"))
    assert await titles("zxfjkc")
    assert await titles("qqxqx") == []
    # The match is marked on the title's own words.
    async with sessionmaker() as session:
        hits = await search(session, default_analyzer(), "gs", day=date(2026, 3, 1))
    assert all("<mark>" in h.title_html for h in hits)


async def test_the_kept_document_frequencies_equal_a_count_of_the_postings(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """kb_term is adjusted, never recounted: after an import, a changed re-import and a new
    version it must still equal what counting the postings gives."""
    from hotline.db.models import KbPosting, KbTerm
    from hotline.knowledge.indexer import DOCUMENTS, LENGTH

    await seed_topics(sessionmaker)
    for path in sorted(SAMPLE.glob("kb-iit-00*.md")):
        shutil.copy(path, tmp_path / path.name)
    await import_sample(sessionmaker, tmp_path)
    changed = tmp_path / "kb-iit-005.md"
    changed.write_text(
        changed.read_text(encoding="utf-8").replace("title: ", "title: 个税APP操作说明 ", 1),
        encoding="utf-8",
    )
    summary = await import_sample(sessionmaker, tmp_path)
    assert summary.updated == 1
    async with sessionmaker() as session:
        kept = {t: n for t, n in await session.execute(select(KbTerm.term, KbTerm.documents)) if n}
        grouped = select(KbPosting.term, func.count()).group_by(KbPosting.term)
        counted = {t: n for t, n in await session.execute(grouped)}
        documents = await session.scalar(select(func.count(KbVersion.id)))
        length = await session.scalar(select(func.sum(KbVersion.length)))
    assert kept.pop(DOCUMENTS) == documents
    assert kept.pop(LENGTH) == length
    assert kept == counted
    assert "py:gs" in kept


async def test_the_postings_follow_their_versions_scope_through_the_workflow(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    """The search filters on the scope copied onto the postings: a draft is never found, a
    published version from its first day, the version it closes no longer after, a retired one
    never again; and every posting carries exactly its version's scope."""
    from dataclasses import replace
    from datetime import UTC, datetime

    from hotline.db.models import KbArticle, KbPosting
    from hotline.knowledge import service
    from hotline.knowledge.indexer import scope_of

    await seed_topics(sessionmaker)
    shutil.copy(SAMPLE / "kb-iit-001.md", tmp_path / "kb-iit-001.md")
    await import_sample(sessionmaker, tmp_path)
    now = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    analyzer = default_analyzer()

    async def step(number: int, action: str) -> None:
        async with sessionmaker() as session:
            await service.transition(
                session, "kb-iit-001", number, action, actor="ed", note="test", now=now
            )
            await session.commit()

    async with sessionmaker() as session:
        (await session.get_one(KbArticle, "kb-iit-001")).editors = ["ed"]
        first = await service.get_version(session, "kb-iit-001", 1)
        second = await service.add_version(
            session,
            analyzer,
            "kb-iit-001",
            replace(service.content_of(first), effective_from=date(2026, 6, 1)),
            actor="ed",
            reason="new standard from June",
            now=now,
        )
        await session.commit()
        v1, v2 = first.key, second.key
    assert await _keys(sessionmaker, "子女教育", "2026-07-01") == [v1]  # v2 is a draft
    await step(2, "submit")
    assert await _keys(sessionmaker, "子女教育", "2026-07-01") == [v1]  # in review
    await step(2, "publish")  # closes v1 on 31 May
    assert await _keys(sessionmaker, "子女教育", "2026-07-01") == [v2]
    assert await _keys(sessionmaker, "子女教育", "2026-05-31") == [v1]
    await step(2, "retire")
    assert await _keys(sessionmaker, "子女教育", "2026-07-01") == []
    async with sessionmaker() as session:
        versions = {v.id: v for v in (await session.scalars(select(KbVersion))).all()}
        rows = await session.execute(
            select(
                KbPosting.version_id,
                KbPosting.scope_from,
                KbPosting.scope_to,
                KbPosting.scope_regions,
            )
        )
        for version_id, *scope in rows:
            assert tuple(scope) == scope_of(versions[version_id])
