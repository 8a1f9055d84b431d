"""Search: BM25 over the posting index, filtered to a region and a day.

Three steps, so the database reads little, returns few rows, and the scores still agree to the
last bit on SQLite and PostgreSQL:

1. the statistics come from ``kb_term`` (one row per query term, and the corpus totals), kept
   by the indexer, so nothing is counted at query time;
2. one statement picks a shortlist: for each query term the database walks the index on
   ``(term, impact, version_id, scope_from, scope_to, scope_regions)`` from the top and keeps the
   first ``PER_TERM`` postings in scope (the scope is in the index: the walk reads no posting's
   row and stops early whatever the term's frequency), weighs each by ``impact x idf`` in
   integers, sums per version and keeps the best ``SHORTLIST`` versions; the same statement
   returns their lengths and their frequency of every query term (no second round trip);
3. those few are scored exactly with :func:`knowledge.ranking.bm25` from those frequencies, and
   sorted by (score, key); only the best ``limit`` rows are read whole.

A version that is in no term's best ``PER_TERM`` (in scope) is not considered: with a sample-sized
base every version containing a term is, and at 100,000 versions only one with less of every
query term than the ``PER_TERM`` best in scope is left out (impact-ordered retrieval, the usual
trade of exactness for a bounded read). The shortlist's score is an integer sum and every order
ends with the version id, so SQLite and PostgreSQL pick the same versions and return the same
hits and scores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    Select,
    String,
    bindparam,
    func,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hotline.db.models import KbPosting, KbTerm, KbVersion
from hotline.knowledge.indexer import DOCUMENTS, LENGTH
from knowledge.analysis import Analyzer
from knowledge.ranking import CorpusStats, bm25, idf
from knowledge.rules import PROVINCE

MAX_TERMS = 24  # a pasted paragraph is cut to its first terms rather than scanning everything
SHORTLIST = 50  # re-scored exactly from all their postings
PER_TERM = 200  # the best postings in scope read per query term
IDF_SCALE = 1000  # idf as an integer weight: the shortlist's sums are exact on both databases


@dataclass(frozen=True)
class Hit:
    version: KbVersion
    score: float
    title_html: str
    question_html: str


async def _stats(session: AsyncSession, terms: list[str]) -> tuple[CorpusStats, dict[str, int]]:
    # Column reads go through the Core connection: the ORM's per-statement setup is not needed.
    connection = await session.connection()
    result = await connection.execute(
        select(KbTerm.term, KbTerm.documents).where(KbTerm.term.in_([*terms, DOCUMENTS, LENGTH]))
    )
    rows = {term: int(n) for term, n in result}
    stats = CorpusStats(int(rows.pop(DOCUMENTS, 0)), int(rows.pop(LENGTH, 0)))
    return stats, {t: int(n) for t, n in rows.items() if n > 0}


def _like_part(value: str) -> str:
    """``value`` as a literal inside a LIKE pattern escaped with ``/``."""
    return value.replace("/", "//").replace("%", "/%").replace("_", "/_")


@lru_cache(maxsize=2 * MAX_TERMS)
def _shortlist_statement(terms: int, regional: bool) -> Select[Any]:
    """The shortlist for ``terms`` query terms with what its exact scores need, built once per
    shape (parameters: ``t0``.. the terms, ``w0``.. their integer idf weights, ``day``,
    ``province`` and ``region`` patterns, ``size``): a search then pays neither the statement's
    construction nor its compilation.

    For each term the database walks the index on (term, impact, version_id, scope...) from the
    top and keeps the first ``PER_TERM`` postings in scope. Every column the walk reads is in
    that index (an index-only walk: an entry out of scope costs a few bytes of a leaf page read
    in order, not a fetch of its row), and it stops at the LIMIT whatever the term's frequency.
    Each posting is weighed by ``impact x weight``, the sums per version give the best ``size``,
    and the same statement returns those with their length and their frequency of every query
    term (``f0``.., NULL where absent; primary-key probes), in shortlist order.
    """
    day = bindparam("day", type_=Date)
    scope = [
        KbPosting.scope_from <= day,  # NULL (not published) is never true
        or_(KbPosting.scope_to.is_(None), KbPosting.scope_to >= day),
    ]
    if regional:
        scope.append(
            or_(
                KbPosting.scope_regions.like(bindparam("province", type_=String), escape="/"),
                KbPosting.scope_regions.like(bindparam("region", type_=String), escape="/"),
            )
        )
    term_params = [bindparam(f"t{i}", type_=String) for i in range(terms)]
    # Each term's walk is a subquery of its own (a LIMIT inside a UNION ALL needs one on SQLite;
    # on both databases it stays an index walk that stops at the LIMIT).
    walks = [
        select(
            KbPosting.version_id,
            (KbPosting.impact * bindparam(f"w{i}", type_=Integer)).label("points"),
        )
        .where(KbPosting.term == term_params[i], *scope)
        .order_by(KbPosting.impact.desc(), KbPosting.version_id.desc())
        .limit(PER_TERM)
        .subquery()
        for i in range(terms)
    ]
    found = union_all(*(select(w.c.version_id, w.c.points) for w in walks)).subquery()
    total = func.sum(found.c.points).label("total")
    best = (
        select(found.c.version_id, total)
        .group_by(found.c.version_id)
        .order_by(total.desc(), found.c.version_id.desc())
        .limit(bindparam("size", type_=Integer))
        .subquery()
    )
    # Each frequency is a probe of the primary key (term, version_id): a join on the term list
    # let PostgreSQL read all ~200 postings of each version through its version_id index.
    exact = aliased(KbPosting, name="exact")
    frequencies = [
        select(exact.frequency)
        .where(exact.term == term_params[i], exact.version_id == best.c.version_id)
        .scalar_subquery()
        .label(f"f{i}")
        for i in range(terms)
    ]
    return (
        select(best.c.version_id, KbVersion.length, *frequencies)
        .join(KbVersion, KbVersion.id == best.c.version_id)
        .order_by(best.c.total.desc(), best.c.version_id.desc())
    )


async def _shortlist(
    session: AsyncSession, weights: dict[str, int], day: date, region: str | None, size: int
) -> tuple[list[tuple[int, int]], dict[int, dict[str, int]]]:
    """The ``size`` best (version id, length) in scope by the integer sum of ``impact x weight``
    over each term's best ``PER_TERM`` postings in scope, and their frequency of each term."""
    params: dict[str, object] = {"day": day, "size": size}
    for i, (term, weight) in enumerate(weights.items()):
        params[f"t{i}"], params[f"w{i}"] = term, weight
    if region is not None:
        params["province"] = f"%|{_like_part(PROVINCE)}|%"
        params["region"] = f"%|{_like_part(region)}|%"
    statement = _shortlist_statement(len(weights), region is not None)
    # No JIT on PostgreSQL: the engine turns it off for every connection (hotline.db.session);
    # a walk's cost estimate could otherwise buy hundreds of milliseconds of compilation.
    connection = await session.connection()
    terms = list(weights)
    first: list[tuple[int, int]] = []
    frequencies: dict[int, dict[str, int]] = {}
    for version_id, length, *counts in await connection.execute(statement, params):
        first.append((int(version_id), int(length)))
        frequencies[int(version_id)] = {
            t: int(n) for t, n in zip(terms, counts, strict=True) if n is not None
        }
    return first, frequencies


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
    weights = {t: round(idf(stats.documents, df[t]) * IDF_SCALE) for t in present}
    first, frequencies = await _shortlist(session, weights, day, region, max(SHORTLIST, limit))
    if not first:
        return []
    scored = [(bm25(frequencies[v], n, df, stats), v) for v, n in first]
    # The key breaks ties (as the published order always has): read the keys of the tied tail
    # only when a tie reaches past ``limit``, otherwise just the best ``limit`` whole rows.
    scored.sort(key=lambda pair: -pair[0])
    cut = min(limit, len(scored))
    while cut < len(scored) and scored[cut][0] == scored[cut - 1][0]:
        cut += 1
    wanted = [v for _, v in scored[:cut]]
    versions = {
        v.id: v
        for v in (await session.scalars(select(KbVersion).where(KbVersion.id.in_(wanted)))).all()
    }
    ranked = sorted(
        ((s, versions[v]) for s, v in scored[:cut]), key=lambda pair: (-pair[0], pair[1].key)
    )[:limit]
    mark = analyzer.marker(terms)
    return [
        Hit(
            version=version,
            score=round(s, 6),
            title_html=mark(version.title),
            question_html=mark(version.question),
        )
        for s, version in ranked
    ]
