"""Diverted questions kept until filed as work orders (outbox), and their voicemails' lifetime.

Revision ID: cfg17
Revises: lease18
Create Date: 2026-12-07 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hotline.db.types
from alembic import op

revision: str = "cfg17"
down_revision: str | None = "lease18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "diverted_question",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("call_id", sa.BigInteger(), nullable=False),
        sa.Column("question", sa.JSON(), nullable=False),
        sa.Column("created_at", hotline.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", hotline.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("filed_at", hotline.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reference", sa.String(length=32), nullable=True),
        sa.Column("recording", sa.String(length=128), nullable=True),
        sa.Column("site", sa.String(length=32), nullable=True),
        sa.Column(
            "recording_purged_at", hotline.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diverted_question")),
        sa.UniqueConstraint("call_id", name=op.f("uq_diverted_question_call_id")),
    )
    op.create_index(
        op.f("ix_diverted_question_next_attempt_at"),
        "diverted_question",
        ["next_attempt_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_diverted_question_next_attempt_at"), table_name="diverted_question")
    op.drop_table("diverted_question")
