"""Call summaries (电话小结) and the two-level topic taxonomy.

Revision ID: desk
Revises: softphone
Create Date: 2026-12-07 02:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hotline.db.types
from alembic import op

revision: str = "desk"
down_revision: str | None = "softphone"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = hotline.db.types.UTCDateTime(timezone=True)
BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "topic",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("parent_code", sa.String(length=32), nullable=True),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["topic.code"],
            name=op.f("fk_topic_parent_code_topic"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_topic")),
    )
    op.create_index(op.f("ix_topic_parent_code"), "topic", ["parent_code"], unique=False)
    op.create_table(
        "call_summary",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("call_id", BIGINT, nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("topic_code", sa.String(length=32), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("kb_articles", sa.JSON(), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("taxpayer", sa.JSON(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint(
            "result IN ('answered', 'work_order', 'transferred', 'callback_promised')",
            name=op.f("ck_call_summary_result_known"),
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agent.id"],
            name=op.f("fk_call_summary_agent_id_agent"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["call.id"], name=op.f("fk_call_summary_call_id_call"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["topic_code"],
            ["topic.code"],
            name=op.f("fk_call_summary_topic_code_topic"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_summary")),
        sa.UniqueConstraint("call_id", "agent_id", name=op.f("uq_call_summary_call_id_agent_id")),
    )
    op.create_index(op.f("ix_call_summary_agent_id"), "call_summary", ["agent_id"], unique=False)
    op.create_index(op.f("ix_call_summary_call_id"), "call_summary", ["call_id"], unique=False)
    op.create_index(
        op.f("ix_call_summary_topic_code"), "call_summary", ["topic_code"], unique=False
    )


def downgrade() -> None:
    op.drop_table("call_summary")
    op.drop_table("topic")
