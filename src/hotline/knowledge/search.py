"""Search: BM25 over the posting index, filtered to a region and a day.

Two steps, so the database does the heavy part and the scores still agree to the last bit on
SQLite and PostgreSQL:

1. the database scores every candidate (published, in force on the day, for the region) with the
   BM25 formula in SQL, given the query's idf values, and returns the best ``SHORTLIST``;
2. those few are scored again here with :func:`knowledge.ranking.bm25` from their integer term
   frequencies, and sorted by (score, key). Floating-point sums in SQL may differ in the last bit
   between the two engines; this second pass makes the published scores and order identical.

Statistics (version count, total length, document frequencies) are over every indexed version,
whatever its status or period: they come from the index alone (no join), and a score does not
depend on the caller's city or the day asked.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Float, case, cast, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.db.models import KbPosting, KbVersion
from knowledge.analysis import Analyzer
from knowledge.ranking import K1, B, CorpusStats, bm25, idf
from knowledge.rules import PROVINCE

MAX_TERMS = 24  # a pasted paragraph is cut to its first terms rather than scanning everything
SHORTLIST = 50  # re-scored exactly in Python; the SQL order only has to get these right
# Terms in more than this share of versions (个人所得税 in an income-tax base) do not pick the
# shortlist (they would make the database read most of the index), but they still count in the
# exact score of the versions on it.
COMMON_SHARE = 0.15


@dataclass(frozen=True)
class Hit:
    version: KbVersion
    score: float
    title_html: str
    question_html: str


async def _stats(session: AsyncSession, terms: list[str]) -> tuple[CorpusStats, dict[str, int]]:
    count, total = (
        await session.execute(
            select(func.count(KbVersion.id), func.coalesce(func.sum(KbVersion.length), 0))
        )
    ).one()
    df_rows = await session.execute(
        select(KbPosting.term, func.count())
        .where(KbPosting.term.in_(terms))
        .group_by(KbPosting.term)
    )
    return CorpusStats(int(count), int(total)), {t: int(n) for t, n in df_rows}


def _region_filter(region: str | None) -> ColumnElement[bool]:
    if region is None:
        return true()
    return or_(
        KbVersion.region_key.contains(f"|{PROVINCE}|", autoescape=True),
        KbVersion.region_key.contains(f"|{region}|", autoescape=True),
    )


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
    present = [t for t in terms if df.get(t)]
    if not present:
        return []
    limit_df = max(1, int(stats.documents * COMMON_SHARE))
    selective = [t for t in present if df[t] <= limit_df] or sorted(
        present, key=lambda t: (df[t], t)
    )[:2]
    weights = {t: idf(stats.documents, df[t]) for t in selective}
    avg = stats.average_length or 1.0
    frequency = cast(KbPosting.frequency, Float)
    length = cast(KbVersion.length, Float)
    score = func.sum(
        case(weights, value=KbPosting.term, else_=0.0)
        * frequency
        * (K1 + 1.0)
        / (frequency + K1 * (1.0 - B) + (K1 * B / avg) * length)
    ).label("score")
    shortlist = (
        (
            await session.execute(
                select(KbPosting.version_id)
                .join(KbVersion, KbVersion.id == KbPosting.version_id)
                .where(
                    KbPosting.term.in_(selective),
                    KbVersion.status == "published",
                    KbVersion.effective_from <= day,
                    or_(KbVersion.effective_to.is_(None), KbVersion.effective_to >= day),
                    _region_filter(region),
                )
                .group_by(KbPosting.version_id)
                .order_by(score.desc(), KbPosting.version_id)
                .limit(max(SHORTLIST, limit))
            )
        )
        .scalars()
        .all()
    )
    if not shortlist:
        return []
    frequencies: dict[int, dict[str, int]] = defaultdict(dict)
    for version_id, term, n in await session.execute(
        select(KbPosting.version_id, KbPosting.term, KbPosting.frequency).where(
            KbPosting.version_id.in_(shortlist), KbPosting.term.in_(present)
        )
    ):
        frequencies[version_id][term] = n
    versions = {
        v.id: v
        for v in (await session.scalars(select(KbVersion).where(KbVersion.id.in_(shortlist)))).all()
    }
    ranked = sorted(
        ((bm25(frequencies[v], versions[v].length, df, stats), versions[v]) for v in shortlist),
        key=lambda pair: (-pair[0], pair[1].key),
    )[:limit]
    return [
        Hit(
            version=version,
            score=round(s, 6),
            title_html=analyzer.highlight(version.title, terms),
            question_html=analyzer.highlight(version.question, terms),
        )
        for s, version in ranked
    ]
