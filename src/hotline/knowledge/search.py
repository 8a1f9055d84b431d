"""Search: BM25 over the posting index, filtered to a region and a day.

Three steps, so the database reads little and the scores still agree to the last bit on SQLite
and PostgreSQL:

1. the statistics come from ``kb_term`` (one row per query term, and the corpus totals), kept
   by the indexer, so nothing is counted at query time;
2. for each query term the database returns its best ``PER_TERM`` postings among the candidates
   (published, in force on the day, for the region) in impact order (the index on
   ``(term, impact)``, walked from the top), so a term in half the base costs as little as a rare
   one; these are scored here and the best ``SHORTLIST`` kept;
3. those few are scored again with :func:`knowledge.ranking.bm25` from all their term
   frequencies, and sorted by (score, key).

A version that is in no term's best ``PER_TERM`` is not considered: with a sample-sized base every
version containing a term is, and at 100,000 versions only one with less of every query term than
the ``PER_TERM`` best is left out (impact-ordered retrieval, the usual trade of exactness for a
bounded read). Every step works on integers or on the same rows on both databases, ordered with
the version id as the last key, so SQLite and PostgreSQL return the same hits and scores.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, or_, select, true, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.db.models import KbPosting, KbTerm, KbVersion
from hotline.knowledge.indexer import DOCUMENTS, LENGTH
from knowledge.analysis import Analyzer
from knowledge.ranking import CorpusStats, bm25
from knowledge.rules import PROVINCE

MAX_TERMS = 24  # a pasted paragraph is cut to its first terms rather than scanning everything
SHORTLIST = 50  # re-scored exactly from all their postings
PER_TERM = 200  # the best postings read per query term (those in scope are kept)


@dataclass(frozen=True)
class Hit:
    version: KbVersion
    score: float
    title_html: str
    question_html: str


async def _stats(session: AsyncSession, terms: list[str]) -> tuple[CorpusStats, dict[str, int]]:
    result = await session.execute(
        select(KbTerm.term, KbTerm.documents).where(KbTerm.term.in_([*terms, DOCUMENTS, LENGTH]))
    )
    rows = {term: int(n) for term, n in result}
    stats = CorpusStats(int(rows.pop(DOCUMENTS, 0)), int(rows.pop(LENGTH, 0)))
    return stats, {t: int(n) for t, n in rows.items() if n > 0}


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
    if not present or not stats.documents:
        return []
    in_scope = (
        KbVersion.status == "published",
        KbVersion.effective_from <= day,
        or_(KbVersion.effective_to.is_(None), KbVersion.effective_to >= day),
        _region_filter(region),
    )
    # Each term's best postings first, on their own (a subquery with a LIMIT is not merged into
    # the join, on either database), then the scope: the planners would otherwise start from
    # the versions in scope and probe every one of them for the term.
    best = [
        select(KbPosting.version_id, KbPosting.term, KbPosting.frequency)
        .where(KbPosting.term == term)
        .order_by(KbPosting.impact.desc(), KbPosting.version_id)
        .limit(PER_TERM)
        .subquery()
        for term in present
    ]
    top = [
        select(sub.c.version_id, sub.c.term, sub.c.frequency, KbVersion.length)
        .join(KbVersion, KbVersion.id == sub.c.version_id)
        .where(*in_scope)
        for sub in best
    ]
    candidates = union_all(*top)
    seen: dict[int, dict[str, int]] = defaultdict(dict)
    lengths: dict[int, int] = {}
    for version_id, term, frequency, length in await session.execute(candidates):
        seen[version_id][term] = frequency
        lengths[version_id] = length
    if not seen:
        return []
    first = sorted(seen, key=lambda v: (-bm25(seen[v], lengths[v], df, stats), v))[
        : max(SHORTLIST, limit)
    ]
    frequencies: dict[int, dict[str, int]] = defaultdict(dict)
    for version_id, term, n in await session.execute(
        select(KbPosting.version_id, KbPosting.term, KbPosting.frequency).where(
            KbPosting.version_id.in_(first), KbPosting.term.in_(present)
        )
    ):
        frequencies[version_id][term] = n
    versions = {
        v.id: v
        for v in (await session.scalars(select(KbVersion).where(KbVersion.id.in_(first)))).all()
    }
    ranked = sorted(
        ((bm25(frequencies[v], versions[v].length, df, stats), versions[v]) for v in first),
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
