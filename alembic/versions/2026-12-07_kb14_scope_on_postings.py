"""Knowledge-base search at 100,000 articles: the search scope on the postings.

``kb_posting`` gets the version's scope (``scope_from``: effective-from while published, else
NULL; ``scope_to``; ``scope_regions``), filled here from ``kb_version``, so a search walks each
term's postings best first and skips the out-of-scope ones without a join; the (term, impact)
index gains ``version_id`` so that walk is in the search's exact order (no sort).

Revision ID: kb14
Revises: con15
Create Date: 2026-12-07 09:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "kb14"
down_revision: str | None = "con15"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# What a posting carries for its version (see KbPosting): effective-from only while published.
_SCOPE = "CASE WHEN v.status = 'published' THEN v.effective_from END, v.effective_to, v.region_key"


def upgrade() -> None:
    op.add_column("kb_posting", sa.Column("scope_from", sa.Date(), nullable=True))
    op.add_column("kb_posting", sa.Column("scope_to", sa.Date(), nullable=True))
    op.add_column(
        "kb_posting",
        sa.Column("scope_regions", sa.String(length=400), server_default="", nullable=False),
    )
    # A base indexed before this revision becomes searchable as it was, whatever its size. The
    # fill rewrites every posting (20 million at 100,000 articles: minutes; BENCHMARKS.md). The
    # old (term, impact) index goes first (it is replaced anyway).
    op.drop_index("ix_kb_posting_term_impact", table_name="kb_posting")
    if op.get_bind().dialect.name == "postgresql":
        # PostgreSQL writes a new version of every row and inserts it into every index: the
        # version_id index is dropped and built after the fill (one sort, not 20 million
        # inserts), and the fill is a join (hash or merge), not three sub-plans per posting.
        op.drop_index("ix_kb_posting_version_id", table_name="kb_posting")
        op.execute("SET LOCAL maintenance_work_mem = '256MB'")  # index builds sort in memory
        op.execute(
            "UPDATE kb_posting AS p SET (scope_from, scope_to, scope_regions) = "
            f"({_SCOPE}) FROM kb_version AS v WHERE v.id = p.version_id"
        )
        op.create_index("ix_kb_posting_version_id", "kb_posting", ["version_id"], unique=False)
    else:
        # SQLite rewrites the row in place and leaves alone the indexes whose columns did not
        # change (the version_id index stays: rebuilding it cost more than it saved). One
        # primary-key probe of kb_version per posting (a row value, not three subqueries).
        op.execute(
            "UPDATE kb_posting SET (scope_from, scope_to, scope_regions) = "
            f"(SELECT {_SCOPE} FROM kb_version AS v WHERE v.id = kb_posting.version_id)"
        )
    op.create_index(
        "ix_kb_posting_term_impact_version",
        "kb_posting",
        ["term", "impact", "version_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_kb_posting_term_impact_version", table_name="kb_posting")
    op.create_index("ix_kb_posting_term_impact", "kb_posting", ["term", "impact"], unique=False)
    op.drop_column("kb_posting", "scope_regions")
    op.drop_column("kb_posting", "scope_to")
    op.drop_column("kb_posting", "scope_from")
