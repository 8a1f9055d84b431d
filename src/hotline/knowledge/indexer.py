"""Writing the search index: postings with their impacts, and the document frequencies.

One function, :func:`index_versions`, used by every path that writes a version (the API, the
pages, ``hotline kb import`` and ``reindex``), so the index is the same whichever wrote it. It is
a bulk writer: a batch of versions costs a handful of statements whatever its size (COPY on
PostgreSQL, executemany on SQLite), and ``kb_term`` is adjusted by the difference between what the
index held for these versions and what it holds now, so it always equals a count of the postings.

Each posting also carries its version's search scope (:func:`scope_of`); a change of status or
dates that does not touch the text rewrites only that (:func:`refresh_scope`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.db.models import KbPosting, KbVersion
from knowledge.analysis import Analyzer
from knowledge.corpus import index_text
from knowledge.model import VersionContent
from knowledge.ranking import impact, term_frequencies

MAX_TERM = 64  # the posting column's width; a longer token is an artefact (a URL, a number run)
DOCUMENTS, LENGTH = ":documents", ":length"  # kb_term rows with the corpus totals
CHUNK = 5_000  # ids per IN list: below every driver's parameter limit
# The same statement on SQLite (3.24+) and PostgreSQL: add to a term's count, or start it.
_ADD = text(
    "INSERT INTO kb_term (term, documents) VALUES (:term, :n) "
    "ON CONFLICT (term) DO UPDATE SET documents = kb_term.documents + excluded.documents"
)
_COLUMNS = ("term", "version_id", "frequency", "impact", "scope_from", "scope_to", "scope_regions")
_INSERT = (
    f"INSERT INTO kb_posting ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
)
Scope = tuple[date | None, date | None, str]
Record = tuple[str, int, int, int, date | None, date | None, str]


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def postings_of(
    analyzer: Analyzer, content: VersionContent
) -> tuple[int, list[tuple[str, int, int]]]:
    """A version's length and its (term, frequency, impact) rows: its words, then the pinyin
    initials of its title (frequency 1, left out of the length so word scores do not change)."""
    terms = [t[:MAX_TERM] for t in analyzer.terms(index_text(content))]
    length = len(terms)
    rows = [(t, n, impact(n, length)) for t, n in term_frequencies(terms).items()]
    words = {t for t, _, _ in rows}
    rows += [
        (p[:MAX_TERM], 1, impact(1, length))
        for p in analyzer.title_pinyin(content.title)
        if p[:MAX_TERM] not in words
    ]
    return length, rows


def scope_of(version: KbVersion) -> Scope:
    """What a posting of ``version`` carries for the search's filter: its effective-from day
    only while it is published (NULL: never in scope), its effective-to day, its regions."""
    start = version.effective_from if version.status == "published" else None
    return start, version.effective_to, version.region_key


async def refresh_scope(session: AsyncSession, versions: Iterable[KbVersion]) -> None:
    """Copy each version's scope onto its postings (after a status or date change)."""
    await session.flush()
    for version in versions:
        start, end, regions = scope_of(version)
        await session.execute(
            update(KbPosting)
            .where(KbPosting.version_id == version.id)
            .values(scope_from=start, scope_to=end, scope_regions=regions)
            .execution_options(synchronize_session=False)
        )


async def _copy(session: AsyncSession, records: list[Record]) -> None:
    """PostgreSQL's COPY through asyncpg, in the session's own transaction (the fastest path:
    no statement per row and no parameter limit)."""
    connection = await session.connection()
    raw: Any = await connection.get_raw_connection()
    await raw.driver_connection.copy_records_to_table(
        KbPosting.__tablename__, records=records, columns=list(_COLUMNS)
    )


async def index_versions(
    session: AsyncSession,
    analyzer: Analyzer,
    versions: list[KbVersion],
    contents: Sequence[VersionContent],
) -> None:
    """(Re)write the postings of ``versions`` from ``contents`` (their text, in the same order)."""
    if not versions:
        return
    await session.flush()
    ids = [v.id for v in versions]
    old_df: Counter[str] = Counter()
    indexed: set[int] = set()
    for chunk in _chunks(ids):
        for version_id, term in await session.execute(
            select(KbPosting.version_id, KbPosting.term).where(KbPosting.version_id.in_(chunk))
        ):
            old_df[term] += 1
            indexed.add(version_id)
    old_length = sum(v.length or 0 for v in versions if v.id in indexed)
    for chunk in _chunks(sorted(indexed)):
        await session.execute(delete(KbPosting).where(KbPosting.version_id.in_(chunk)))
    new_df: Counter[str] = Counter()
    records: list[Record] = []
    for version, content in zip(versions, contents, strict=True):
        version.length, rows = postings_of(analyzer, content)
        scope = scope_of(version)
        for term, frequency, weight in rows:
            records.append((term, version.id, frequency, weight, *scope))
            new_df[term] += 1
    if records:
        if session.get_bind().dialect.name == "postgresql":
            await _copy(session, records)
        else:
            # The driver's executemany over plain tuples: the ORM's bulk insert of dicts costs
            # several times more per posting, and a batch has ~200 per version.
            connection = await session.connection()
            await connection.exec_driver_sql(_INSERT, records)
    changes = {t: new_df[t] - old_df[t] for t in new_df.keys() | old_df.keys()}
    changes[DOCUMENTS] = len(versions) - len(indexed)
    changes[LENGTH] = sum(v.length for v in versions) - old_length
    deltas = [{"term": t, "n": n} for t, n in sorted(changes.items()) if n]
    if deltas:
        await session.execute(_ADD, deltas)
