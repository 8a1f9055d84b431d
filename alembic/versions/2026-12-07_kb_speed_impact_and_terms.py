"""Knowledge-base search at 100,000 articles: posting impacts and kept document frequencies.

``kb_posting.impact`` (indexed with the term) lets a search read the best postings of each
term only; ``kb_term`` keeps each term's document frequency and the corpus totals, so a search
no longer counts postings or scans every version. Both are filled here from the existing index
(the same integers the indexer writes); ``hotline kb reindex`` rebuilds the index from the text
(adding the pinyin title terms to a base indexed before them).

Revision ID: kb_speed
Revises: kb
Create Date: 2026-12-07 05:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "kb_speed"
down_revision: str | None = "kb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same formula as knowledge.ranking.impact (copied: a migration must not change with the code).
K1, B, REFERENCE_LENGTH = 1.2, 0.75, 200.0


def _impact(frequency: int, length: int) -> int:
    norm = frequency + K1 * (1.0 - B + B * length / REFERENCE_LENGTH)
    return int(1000.0 * frequency * (K1 + 1.0) / norm + 0.5)


def upgrade() -> None:
    op.add_column(
        "kb_posting", sa.Column("impact", sa.Integer(), server_default="0", nullable=False)
    )
    op.create_index("ix_kb_posting_term_impact", "kb_posting", ["term", "impact"], unique=False)
    op.create_table(
        "kb_term",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("documents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_kb_term")),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT p.term, p.version_id, p.frequency, v.length FROM kb_posting p "
            "JOIN kb_version v ON v.id = p.version_id"
        )
    ).all()
    if rows:
        bind.execute(
            sa.text(
                "UPDATE kb_posting SET impact = :impact WHERE term = :term AND version_id = :v"
            ),
            [{"impact": _impact(f, n), "term": t, "v": v} for t, v, f, n in rows],
        )
    bind.execute(
        sa.text(
            "INSERT INTO kb_term (term, documents) "
            "SELECT term, count(*) FROM kb_posting GROUP BY term"
        )
    )
    bind.execute(
        sa.text(
            "INSERT INTO kb_term (term, documents) "
            "SELECT '\\:documents', count(*) FROM kb_version WHERE id IN "
            "(SELECT version_id FROM kb_posting)"
        )
    )
    bind.execute(
        sa.text(
            "INSERT INTO kb_term (term, documents) "
            "SELECT '\\:length', coalesce(sum(length), 0) FROM kb_version WHERE id IN "
            "(SELECT version_id FROM kb_posting)"
        )
    )


def downgrade() -> None:
    op.drop_table("kb_term")
    op.drop_index("ix_kb_posting_term_impact", table_name="kb_posting")
    op.drop_column("kb_posting", "impact")
