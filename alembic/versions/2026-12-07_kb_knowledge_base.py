"""Knowledge base: articles, versions, the search postings, workflow events, corrections.

Revision ID: kb
Revises: api_convention
Create Date: 2026-12-07 03:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hotline.db.types
from alembic import op

revision: str = "kb"
down_revision: str | None = "api_convention"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kb_article",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("editors", sa.JSON(), nullable=False),
        sa.Column("review_due", sa.Date(), nullable=True),
        sa.Column("created_at", hotline.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_article")),
    )
    op.create_index(op.f("ix_kb_article_department"), "kb_article", ["department"], unique=False)
    op.create_table(
        "kb_correction",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("article_id", sa.String(length=64), nullable=False),
        sa.Column("version_key", sa.String(length=80), nullable=True),
        sa.Column("proposed_by", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("created_at", hotline.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", hotline.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["kb_article.id"],
            name=op.f("fk_kb_correction_article_id_kb_article"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_correction")),
    )
    op.create_index(
        op.f("ix_kb_correction_article_id"), "kb_correction", ["article_id"], unique=False
    )
    op.create_table(
        "kb_version",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("article_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("alt_questions", sa.JSON(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("region_key", sa.String(length=400), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("topic_codes", sa.JSON(), nullable=False),
        sa.Column("supersedes", sa.String(length=80), nullable=True),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", hotline.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", hotline.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(length=64), nullable=True),
        sa.Column("retired_at", hotline.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'review', 'published', 'retired')",
            name=op.f("ck_kb_version_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["kb_article.id"],
            name=op.f("fk_kb_version_article_id_kb_article"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_version")),
        sa.UniqueConstraint("article_id", "number", name=op.f("uq_kb_version_article_id_number")),
        sa.UniqueConstraint("key", name=op.f("uq_kb_version_key")),
    )
    op.create_index(op.f("ix_kb_version_article_id"), "kb_version", ["article_id"], unique=False)
    op.create_index(
        "ix_kb_version_status_effective_from",
        "kb_version",
        ["status", "effective_from"],
        unique=False,
    )
    op.create_table(
        "kb_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "version_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", hotline.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["kb_version.id"],
            name=op.f("fk_kb_event_version_id_kb_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_event")),
    )
    op.create_index(op.f("ix_kb_event_version_id"), "kb_event", ["version_id"], unique=False)
    op.create_table(
        "kb_posting",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column(
            "version_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["kb_version.id"],
            name=op.f("fk_kb_posting_version_id_kb_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", "version_id", name=op.f("pk_kb_posting")),
    )
    op.create_index(op.f("ix_kb_posting_version_id"), "kb_posting", ["version_id"], unique=False)

    op.create_table(
        "kb_search_miss",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("query", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=True),
        sa.Column("asked_by", sa.String(length=64), nullable=False),
        sa.Column("at", hotline.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_search_miss")),
    )
    op.create_index(op.f("ix_kb_search_miss_at"), "kb_search_miss", ["at"], unique=False)


def downgrade() -> None:
    for table in (
        "kb_search_miss",
        "kb_posting",
        "kb_event",
        "kb_version",
        "kb_correction",
        "kb_article",
    ):
        op.drop_table(table)
