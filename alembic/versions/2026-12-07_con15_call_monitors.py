"""Supervisors' monitors kept in the database, and the phone each supervisor gave last; the
console's open-orders index made covering (the inbox's totals read it alone).

Revision ID: con15
Revises: cfg17
Create Date: 2026-12-07 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hotline.db.types
from alembic import op

revision: str = "con15"
down_revision: str | None = "cfg17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = hotline.db.types.UTCDateTime(timezone=True)
CALL_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# The open states, as the console's partial indexes name them (migration wo_console).
OPEN = "status IN ('acknowledged', 'dispatched', 'in_progress', 'new', 'resolved', 'returned')"


def upgrade() -> None:
    op.create_table(
        "call_monitor",
        sa.Column("monitor_id", sa.String(length=80), nullable=False),
        sa.Column("call_id", CALL_ID, nullable=False),
        sa.Column("site", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=128), nullable=False),
        sa.Column("agent_leg", sa.String(length=128), nullable=False),
        sa.Column("supervisor_user_id", sa.Integer(), nullable=True),
        sa.Column("endpoint", sa.String(length=128), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("ended_at", TS, nullable=True),
        sa.Column("end_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"], ["call.id"], name=op.f("fk_call_monitor_call_id_call"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["supervisor_user_id"],
            ["user.id"],
            name=op.f("fk_call_monitor_supervisor_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("monitor_id", name=op.f("pk_call_monitor")),
    )
    op.create_index("ix_call_monitor_running", "call_monitor", ["ended_at", "call_id"])
    op.create_index(op.f("ix_call_monitor_call_id"), "call_monitor", ["call_id"])
    op.create_table(
        "monitor_phone",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.String(length=128), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_monitor_phone_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_monitor_phone")),
    )

    # The console (BENCHMARKS.md): the inbox's totals from the open orders' index alone.
    op.drop_index("ix_work_order_open_resolve_due", table_name="work_order")
    op.create_index(
        "ix_work_order_open_resolve_due",
        "work_order",
        ["resolve_due_at"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
        postgresql_include=["status", "category", "priority", "id", "subject"],
    )


def downgrade() -> None:
    op.drop_index("ix_work_order_open_resolve_due", table_name="work_order")
    op.create_index(
        "ix_work_order_open_resolve_due",
        "work_order",
        ["resolve_due_at"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )
    op.drop_table("monitor_phone")
    op.drop_index(op.f("ix_call_monitor_call_id"), table_name="call_monitor")
    op.drop_index("ix_call_monitor_running", table_name="call_monitor")
    op.drop_table("call_monitor")
