"""The centre's configuration document, versioned: who published what, when, why, on which base.

Revision ID: config
Revises: monitor
Create Date: 2026-12-07 06:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hotline.db.types
from alembic import op

revision: str = "config"
down_revision: str | None = "monitor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "config_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.Column("published_at", hotline.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("effective_at", hotline.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rollback_of", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_config_version")),
    )
    op.create_index(
        op.f("ix_config_version_effective_at"), "config_version", ["effective_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_config_version_effective_at"), table_name="config_version")
    op.drop_table("config_version")
