"""Report rollups (15-minute call and agent-state buckets, the fold's position), the
service standards as data and the agents' scheduled shifts.

Revision ID: rep16a
Revises: kb14
Create Date: 2026-12-07 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hotline.db.types
from alembic import op

revision: str = "rep16a"
down_revision: str | None = "kb14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = hotline.db.types.UTCDateTime(timezone=True)
BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CALL_COUNTS = (
    "arrived",
    "callback_calls",
    "abandoned_ivr",
    "offered",
    "answered",
    "abandoned_queue",
    "abandoned_ringing",
    "callbacks",
    "within_10",
    "within_15",
    "within_20",
    "within_30",
    "within_60",
    "within_120",
    "within_180",
    "within_300",
    "short_3",
    "short_5",
    "short_10",
)


def upgrade() -> None:
    op.create_table(
        "report_call_rollup",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("business_line", sa.String(length=32), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in CALL_COUNTS),
        sa.Column("wait_answered_us", sa.BigInteger(), nullable=False),
        sa.Column("handle_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_call_rollup")),
    )
    op.create_index("ix_report_call_rollup_bucket", "report_call_rollup", ["bucket"])
    op.create_table(
        "report_state_rollup",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_state_rollup")),
    )
    op.create_index("ix_report_state_rollup_bucket", "report_state_rollup", ["bucket"])
    op.create_table(
        "report_rollup_position",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("folded_until", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_report_rollup_position")),
    )
    op.create_table(
        "service_standard",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("metric", sa.String(length=32), nullable=False),
        sa.Column("comparison", sa.String(length=2), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("threshold_s", sa.Float(), nullable=True),
        sa.Column("label_zh", sa.String(length=120), nullable=False),
        sa.Column("label_en", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_standard")),
    )

    op.create_table(
        "agent_shift",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("ends_at", TS, nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agent.id"],
            name=op.f("fk_agent_shift_agent_id_agent"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_shift")),
    )
    op.create_index("ix_agent_shift_agent_id_starts_at", "agent_shift", ["agent_id", "starts_at"])


def downgrade() -> None:
    op.drop_index("ix_agent_shift_agent_id_starts_at", table_name="agent_shift")
    op.drop_table("agent_shift")
    op.drop_table("service_standard")
    op.drop_table("report_rollup_position")
    op.drop_index("ix_report_state_rollup_bucket", table_name="report_state_rollup")
    op.drop_table("report_state_rollup")
    op.drop_index("ix_report_call_rollup_bucket", table_name="report_call_rollup")
    op.drop_table("report_call_rollup")
