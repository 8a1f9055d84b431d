"""Search: candidates from the posting index, BM25 in Python, filters for region and date.

Statistics (document count, total length, document frequencies) are over all published versions,
so a version's score does not depend on the caller's city or the day asked; candidates are then
the published versions in force on that day that apply to the caller's region.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.db.models import KbPosting, KbVersion
from knowledge.analysis import Analyzer
from knowledge.ranking import CorpusStats, bm25
from knowledge.rules import applies_to

MAX_TERMS = 24  # a pasted paragraph is cut to its first terms rather than scanning everything


@dataclass(frozen=True)
class Hit:
    version: KbVersion
    score: float
    title_html: str
    question_html: str


async def _stats(session: AsyncSession, terms: list[str]) -> tuple[CorpusStats, dict[str, int]]:
    published = KbVersion.status == "published"
    row = (
        await session.execute(
            select(func.count(KbVersion.id), func.coalesce(func.sum(KbVersion.length), 0)).where(
                published
            )
        )
    ).one()
    df_rows = await session.execute(
        select(KbPosting.term, func.count())
        .join(KbVersion, KbVersion.id == KbPosting.version_id)
        .where(published, KbPosting.term.in_(terms))
        .group_by(KbPosting.term)
    )
    return CorpusStats(int(row[0]), int(row[1])), {t: int(n) for t, n in df_rows}


async def search(
    session: AsyncSession,
    analyzer: Analyzer,
    query: str,
    *,
    day: date,
    region: str | None = None,
    limit: int = 10,
) -> list[Hit]:
    """The published versions in force on ``day`` for ``region`` best matching ``query``."""
    terms = analyzer.query_terms(query)[:MAX_TERMS]
    if not terms:
        return []
    stats, df = await _stats(session, terms)
    rows = await session.execute(
        select(
            KbPosting.version_id,
            KbPosting.term,
            KbPosting.frequency,
            KbVersion.length,
            KbVersion.regions,
            KbVersion.key,
        )
        .join(KbVersion, KbVersion.id == KbPosting.version_id)
        .where(
            KbPosting.term.in_(terms),
            KbVersion.status == "published",
            KbVersion.effective_from <= day,
            or_(KbVersion.effective_to.is_(None), KbVersion.effective_to >= day),
        )
    )
    frequencies: dict[int, dict[str, int]] = defaultdict(dict)
    lengths: dict[int, int] = {}
    keys: dict[int, str] = {}
    for version_id, term, frequency, length, regions, key in rows:
        if not applies_to(regions, region):
            continue
        frequencies[version_id][term] = frequency
        lengths[version_id] = length
        keys[version_id] = key
    scored = sorted(
        ((bm25(f, lengths[v], df, stats), v) for v, f in frequencies.items()),
        key=lambda pair: (-pair[0], keys[pair[1]]),  # ties: by key, on every database
    )[:limit]
    if not scored:
        return []
    ids = [v for _, v in scored]
    versions = {
        v.id: v
        for v in (await session.scalars(select(KbVersion).where(KbVersion.id.in_(ids)))).all()
    }
    return [
        Hit(
            version=versions[v],
            score=round(score, 6),
            title_html=analyzer.highlight(versions[v].title, terms),
            question_html=analyzer.highlight(versions[v].question, terms),
        )
        for score, v in scored
    ]
