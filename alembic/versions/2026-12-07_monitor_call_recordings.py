"""Call recordings: the stored recording of each recorded call and its purge.

Revision ID: monitor
Revises: floor
Create Date: 2026-12-07 05:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hotline.db.types
from alembic import op

revision: str = "monitor"
down_revision: str | None = "floor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = hotline.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("call") as batch:
        batch.add_column(sa.Column("recording_name", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("recording_started_at", TS, nullable=True))
        batch.add_column(sa.Column("recording_duration_s", sa.Float(), nullable=True))
        batch.add_column(sa.Column("recording_purged_at", TS, nullable=True))
    op.create_index(
        op.f("ix_call_recording_started_at"), "call", ["recording_started_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_call_recording_started_at"), table_name="call")
    with op.batch_alter_table("call") as batch:
        batch.drop_column("recording_purged_at")
        batch.drop_column("recording_duration_s")
        batch.drop_column("recording_started_at")
        batch.drop_column("recording_name")
