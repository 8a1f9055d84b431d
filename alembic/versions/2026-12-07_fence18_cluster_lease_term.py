"""The lease's (name, token) unique: a takeover waits for the old term's fenced write batches.

Revision ID: fence18
Revises: kb14walk
Create Date: 2026-12-07 12:40:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "fence18"
down_revision: str | None = "kb14walk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Makes token a key column for row locks (see hotline.db.fence); one row per lease name,
    # so the index is tiny.
    with op.batch_alter_table("cluster_lease") as batch:  # SQLite rebuilds the table
        batch.create_unique_constraint(op.f("uq_cluster_lease_name_token"), ["name", "token"])


def downgrade() -> None:
    with op.batch_alter_table("cluster_lease") as batch:
        batch.drop_constraint(op.f("uq_cluster_lease_name_token"), type_="unique")
