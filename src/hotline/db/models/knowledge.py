"""Knowledge-base tables: articles, their versions, the search postings, events and corrections.

Search uses our own inverted index (``kb_posting``: term, version, frequency) on both databases
rather than FTS5 on SQLite and ``tsvector`` on PostgreSQL: the two engines tokenise and score
differently (bm25() vs ts_rank_cd), and the requirement is the same ranking on both. The terms are
jieba-rs segments, so neither engine's own tokeniser would add anything; a B-tree on ``term`` is
the whole index, and BM25 is computed in Python from the integers it returns
(:mod:`knowledge.ranking`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hotline.clock import utc_now
from hotline.db.base import Base, BigIntPK

STATUSES = ("draft", "review", "published", "retired")


class KbArticle(Base):
    """A lineage of versions, owned by one department and changed only by its editors."""

    __tablename__ = "kb_article"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    department: Mapped[str] = mapped_column(String(64), index=True)
    owner: Mapped[str] = mapped_column(String(100))
    editors: Mapped[list[str]] = mapped_column(JSON, default=list)
    review_due: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class KbVersion(Base):
    """One text of an article; never changed once out of draft (a change is a new version)."""

    __tablename__ = "kb_version"
    __table_args__ = (
        UniqueConstraint("article_id", "number"),
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")", name="status_known"
        ),
        Index("ix_kb_version_status_effective_from", "status", "effective_from"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    article_id: Mapped[str] = mapped_column(
        ForeignKey("kb_article.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    # The file id (kb-iit-001, kb-iit-001-v2023): what search results and call summaries name.
    key: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    alt_questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[list[str]] = mapped_column(JSON, default=list)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The regions as "|hangzhou|wenzhou|": one portable LIKE filters them in SQL on both databases.
    region_key: Mapped[str] = mapped_column(String(400), default="")
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    topic_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    supersedes: Mapped[str | None] = mapped_column(String(80))
    author: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    published_at: Mapped[datetime | None] = mapped_column()
    published_by: Mapped[str | None] = mapped_column(String(64))
    retired_at: Mapped[datetime | None] = mapped_column()
    # Number of index terms: BM25's document length.
    length: Mapped[int] = mapped_column(Integer, default=0)

    def content_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "question": self.question,
            "alt_questions": list(self.alt_questions),
            "answer": self.answer,
            "legal_basis": list(self.legal_basis),
            "regions": list(self.regions),
            "effective_from": self.effective_from,
            "effective_to": self.effective_to,
            "tags": list(self.tags),
            "topic_codes": list(self.topic_codes),
        }


class KbPosting(Base):
    """The inverted index: how often a term occurs in a version (every version, any status).

    ``impact`` is the term's weight in the version without its idf (BM25's saturated, length-
    normalised frequency, x1000, an integer computed once at indexing): the index on (term,
    impact, version_id) lets a search walk each term's postings best first, ties by version,
    and stop after the few it needs, without sorting.

    The ``scope_*`` columns copy the version's search scope onto each of its postings (and into
    the walk's index), so that walk skips what the caller may not see (drafts, retired or
    expired versions, other cities) without a join or a row fetch, and a term's best postings
    are its best *in scope*: ``scope_from`` is the version's effective-from day while it is
    published and NULL otherwise (never in scope), ``scope_to`` its effective-to day,
    ``scope_regions`` its ``region_key``. The indexer writes them and
    :func:`hotline.knowledge.indexer.refresh_scope` follows every status or date change.
    """

    __tablename__ = "kb_posting"
    # The search's walk reads only this index: (term, impact, version_id) is its order, and the
    # scope columns after them let it test each entry without fetching the posting's row (an
    # index-only scan on PostgreSQL, a covering index on SQLite). A key, not PostgreSQL's
    # INCLUDE, so that SQLite covers the walk the same way.
    __table_args__ = (
        Index(
            "ix_kb_posting_walk",
            "term",
            "impact",
            "version_id",
            "scope_from",
            "scope_to",
            "scope_regions",
        ),
    )

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("kb_version.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    frequency: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    scope_from: Mapped[date | None] = mapped_column(Date)
    scope_to: Mapped[date | None] = mapped_column(Date)
    scope_regions: Mapped[str] = mapped_column(String(400), default="", server_default="")


class KbTerm(Base):
    """Document frequency per term, kept by the indexer, so a search reads one row per term
    rather than counting postings; the rows ``:documents`` and ``:length`` hold the number of
    indexed versions and the sum of their lengths (BM25's corpus statistics). A term never
    starts with ``:`` (the segmenter splits punctuation off)."""

    __tablename__ = "kb_term"

    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    documents: Mapped[int] = mapped_column(BigInteger, default=0)


class KbEvent(Base):
    """Append-only: who did what to which version, when and why."""

    __tablename__ = "kb_event"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("kb_version.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utc_now)


class KbCorrection(Base):
    """A correction anyone proposes; it waits in the owning editors' inbox until closed."""

    __tablename__ = "kb_correction"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    article_id: Mapped[str] = mapped_column(
        ForeignKey("kb_article.id", ondelete="CASCADE"), index=True
    )
    version_key: Mapped[str | None] = mapped_column(String(80))
    proposed_by: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    resolution: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    closed_at: Mapped[datetime | None] = mapped_column()
    closed_by: Mapped[str | None] = mapped_column(String(64))


class KbSearchMiss(Base):
    """A search that found nothing: what callers ask that the base does not answer."""

    __tablename__ = "kb_search_miss"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    query: Mapped[str] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(32))
    asked_by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utc_now, index=True)
