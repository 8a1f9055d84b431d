"""Knowledge-base search: the scope columns inside the walk's index (index-only walks).

The search walks each query term's postings best first and tests the caller's scope (published
window, regions) on every entry until it has kept 200. With the scope only on the posting's row,
each entry tested cost a row fetch (a heap page on PostgreSQL, a table B-tree probe on SQLite),
thousands for a term whose best postings are mostly out of scope. The index on (term, impact,
version_id) is replaced by one that carries the scope columns after those three, so the walk
reads nothing but index leaf pages, in order. The key order is unchanged (the three first
columns are unique together), so the walk's order and the results are the same.

Revision ID: kb14walk
Revises: ops_runs
Create Date: 2026-12-07 12:30:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "kb14walk"
down_revision: str | None = "ops_runs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # 20 million postings at 100,000 articles: let the build sort in memory.
        op.execute("SET LOCAL maintenance_work_mem = '256MB'")
    # Built before the old one is dropped: a search keeps an index to walk meanwhile.
    op.create_index(
        "ix_kb_posting_walk",
        "kb_posting",
        ["term", "impact", "version_id", "scope_from", "scope_to", "scope_regions"],
        unique=False,
    )
    op.drop_index("ix_kb_posting_term_impact_version", table_name="kb_posting")


def downgrade() -> None:
    op.create_index(
        "ix_kb_posting_term_impact_version",
        "kb_posting",
        ["term", "impact", "version_id"],
        unique=False,
    )
    op.drop_index("ix_kb_posting_walk", table_name="kb_posting")
