"""Cluster members and their configuration fingerprints; the database's identity.

Revision ID: misconf18
Revises: rep16c
Create Date: 2026-12-07 10:50:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hotline.db.types
from alembic import op

revision: str = "misconf18"
down_revision: str | None = "rep16c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cluster_member",
        sa.Column("instance_id", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("started_at", hotline.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_at", hotline.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("instance_id", name=op.f("pk_cluster_member")),
    )
    op.create_table(
        "cluster_identity",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("identity", sa.String(length=36), nullable=False),
        sa.Column("created_at", hotline.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_cluster_identity")),
    )


def downgrade() -> None:
    op.drop_table("cluster_identity")
    op.drop_table("cluster_member")
