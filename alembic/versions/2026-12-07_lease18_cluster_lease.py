"""The cluster lease: which instance runs the call engine (instance, URL, fencing token, times).

Revision ID: lease18
Revises: events18
Create Date: 2026-12-07 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hotline.db.types
from alembic import op

revision: str = "lease18"
down_revision: str | None = "events18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cluster_lease",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("advertise_url", sa.String(length=500), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.Column("acquired_at", hotline.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("renewed_at", hotline.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", hotline.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_cluster_lease")),
    )


def downgrade() -> None:
    op.drop_table("cluster_lease")
