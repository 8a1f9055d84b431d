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


def upgrade() -> None:
    op.add_column("kb_posting", sa.Column("scope_from", sa.Date(), nullable=True))
    op.add_column("kb_posting", sa.Column("scope_to", sa.Date(), nullable=True))
    op.add_column(
        "kb_posting",
        sa.Column("scope_regions", sa.String(length=400), server_default="", nullable=False),
    )
    # One portable statement (correlated subqueries): a base indexed before this revision
    # becomes searchable as it was, whatever its size.
    op.execute(
        "UPDATE kb_posting SET "
        "scope_from = (SELECT CASE WHEN v.status = 'published' THEN v.effective_from END "
        "FROM kb_version v WHERE v.id = kb_posting.version_id), "
        "scope_to = (SELECT v.effective_to FROM kb_version v WHERE v.id = kb_posting.version_id), "
        "scope_regions = (SELECT v.region_key FROM kb_version v "
        "WHERE v.id = kb_posting.version_id)"
    )
    op.drop_index("ix_kb_posting_term_impact", table_name="kb_posting")
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
