"""The bus bridge's event log: one row per published message, its id the cluster-wide resume
position (``hotline.bus_bridge``; used on PostgreSQL only, created on both for one schema).

Revision ID: events18
Revises: config
Create Date: 2026-12-07 09:10:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "events18"
down_revision: str | None = "config"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "bus_event",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
    )
    op.create_index("ix_bus_event_topic_id", "bus_event", ["topic", "id"])
    op.create_index("ix_bus_event_created_at", "bus_event", ["created_at"])


def downgrade() -> None:
    op.drop_table("bus_event")
