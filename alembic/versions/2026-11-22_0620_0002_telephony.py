"""Calls, call journal, agent sessions and state log, abandonment snapshots, callbacks.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 06:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hotline.db.types
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = hotline.db.types.UTCDateTime(timezone=True)
BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

OUTCOMES = (
    "'answered', 'abandoned_ivr', 'abandoned_queue', 'abandoned_ringing', "
    "'callback_requested', 'diverted', 'failed'"
)


def upgrade() -> None:
    op.create_table(
        "agent_session",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("since", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agent.id"],
            name=op.f("fk_agent_session_agent_id_agent"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_agent_session_site_id_site"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_agent_session")),
    )
    op.create_index(op.f("ix_agent_session_site_id"), "agent_session", ["site_id"])

    # call and callback point at each other: call first, its callback_id key added below.
    op.create_table(
        "call",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("caller_number", sa.String(length=32), nullable=False),
        sa.Column("caller_name", sa.String(length=120), nullable=False),
        sa.Column("dialled", sa.String(length=32), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("business_line", sa.String(length=32), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("ivr_choices", sa.JSON(), nullable=False),
        sa.Column("arrived_at", TS, nullable=False),
        sa.Column("ivr_done_at", TS, nullable=True),
        sa.Column("queued_at", TS, nullable=True),
        sa.Column("first_offered_at", TS, nullable=True),
        sa.Column("answered_at", TS, nullable=True),
        sa.Column("ended_at", TS, nullable=True),
        sa.Column("ivr_s", sa.Float(), nullable=True),
        sa.Column("wait_s", sa.Float(), nullable=True),
        sa.Column("ring_s", sa.Float(), nullable=True),
        sa.Column("talk_s", sa.Float(), nullable=True),
        sa.Column("hold_s", sa.Float(), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("ended_by", sa.String(length=16), nullable=True),
        sa.Column("routing_stage", sa.Integer(), nullable=True),
        sa.Column("routing_level", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("survey_score", sa.SmallInteger(), nullable=True),
        sa.Column("abandon_snapshot", sa.JSON(), nullable=True),
        sa.Column("live_state", sa.JSON(), nullable=True),
        sa.Column("callback_id", BIGINT, nullable=True),
        sa.CheckConstraint("kind IN ('inbound', 'callback')", name=op.f("ck_call_kind_known")),
        sa.CheckConstraint(
            f"outcome IS NULL OR outcome IN ({OUTCOMES})", name=op.f("ck_call_outcome_known")
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agent.id"], name=op.f("fk_call_agent_id_agent"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_call_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call")),
        sa.UniqueConstraint("site_id", "channel_id", name=op.f("uq_call_site_id_channel_id")),
    )
    for column in ("agent_id", "arrived_at", "callback_id", "caller_number", "outcome"):
        op.create_index(op.f(f"ix_call_{column}"), "call", [column])

    op.create_table(
        "call_event",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("call_id", BIGINT, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["call.id"], name=op.f("fk_call_event_call_id_call"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_event")),
        sa.UniqueConstraint("call_id", "seq", name=op.f("uq_call_event_call_id_seq")),
    )

    op.create_table(
        "agent_state_log",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("call_id", BIGINT, nullable=True),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agent.id"],
            name=op.f("fk_agent_state_log_agent_id_agent"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["call.id"],
            name=op.f("fk_agent_state_log_call_id_call"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.id"],
            name=op.f("fk_agent_state_log_site_id_site"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_state_log")),
    )
    op.create_index("ix_agent_state_log_agent_id_at", "agent_state_log", ["agent_id", "at"])
    op.create_index(op.f("ix_agent_state_log_at"), "agent_state_log", ["at"])

    op.create_table(
        "callback",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("origin_call_id", BIGINT, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("business_line", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("arrived_at", TS, nullable=False),
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TS, nullable=True),
        sa.Column("last_outcome", sa.String(length=32), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'dialling', 'done', 'failed', 'cancelled')",
            name=op.f("ck_callback_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agent.id"], name=op.f("fk_callback_agent_id_agent"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["origin_call_id"],
            ["call.id"],
            name=op.f("fk_callback_origin_call_id_call"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["site.id"], name=op.f("fk_callback_site_id_site"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback")),
        sa.UniqueConstraint("origin_call_id", name=op.f("uq_callback_origin_call_id")),
    )
    op.create_index("ix_callback_status_next_attempt_at", "callback", ["status", "next_attempt_at"])
    with op.batch_alter_table("call") as batch_op:
        batch_op.create_foreign_key(
            op.f("fk_call_callback_id_callback"),
            "callback",
            ["callback_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("call") as batch_op:
        batch_op.drop_constraint(op.f("fk_call_callback_id_callback"), type_="foreignkey")
    op.drop_table("callback")
    op.drop_table("agent_state_log")
    op.drop_table("call_event")
    op.drop_table("call")
    op.drop_table("agent_session")
