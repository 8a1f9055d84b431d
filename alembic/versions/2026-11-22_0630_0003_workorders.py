"""Work orders, history, SLA policies, working-day calendar, escalations, notifications.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 06:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hotline.db.types
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = hotline.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "calendar_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint(
            "kind IN ('working', 'holiday', 'adjusted_working', 'weekend_rest')",
            name=op.f("ck_calendar_day_kind_known"),
        ),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_day")),
    )
    op.create_table(
        "calendar_setting",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_calendar_setting")),
    )
    op.create_table(
        "sla_policy",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_sla_policy")),
    )
    op.create_table(
        "work_order_serial",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_work_order_serial")),
    )
    op.create_table(
        "work_order",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("taxpayer_name", sa.String(length=120), nullable=False),
        sa.Column("taxpayer_phone", sa.String(length=32), nullable=False),
        sa.Column("taxpayer_number", sa.String(length=32), nullable=False),
        sa.Column("taxpayer_organisation", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.BigInteger(), nullable=True),
        sa.Column("call_summary_id", sa.String(length=64), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("handler_user_id", sa.Integer(), nullable=True),
        sa.Column("dispatcher_user_id", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("satisfaction", sa.SmallInteger(), nullable=True),
        sa.Column("dispatched_at", TS, nullable=True),
        sa.Column("acknowledged_at", TS, nullable=True),
        sa.Column("resolution_started_at", TS, nullable=True),
        sa.Column("resolved_at", TS, nullable=True),
        sa.Column("followed_up_at", TS, nullable=True),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("deadline_version", sa.Integer(), nullable=False),
        sa.Column("ack_due_at", TS, nullable=True),
        sa.Column("resolve_due_at", TS, nullable=True),
        sa.Column("follow_up_due_at", TS, nullable=True),
        sa.Column("granted_extensions", sa.JSON(), nullable=False),
        sa.Column("paused_intervals", sa.JSON(), nullable=False),
        sa.Column("paused_since", TS, nullable=True),
        sa.Column("extension_request", sa.JSON(), nullable=True),
        sa.Column("supervised", sa.Boolean(), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("merged_into", sa.String(length=36), nullable=True),
        sa.Column("escalations_done", sa.JSON(), nullable=False),
        sa.Column("next_escalation_at", TS, nullable=True),
        sa.Column("history_length", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["call.id"], name=op.f("fk_work_order_call_id_call"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user.id"], name=op.f("fk_work_order_created_by_user")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_work_order_department_id_department"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dispatcher_user_id"], ["user.id"], name=op.f("fk_work_order_dispatcher_user_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["handler_user_id"], ["user.id"], name=op.f("fk_work_order_handler_user_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["merged_into"], ["work_order.id"], name=op.f("fk_work_order_merged_into_work_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order")),
        sa.UniqueConstraint("reference", name=op.f("uq_work_order_reference")),
    )
    with op.batch_alter_table("work_order") as batch_op:
        batch_op.create_index(batch_op.f("ix_work_order_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_order_created_by"), ["created_by"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_work_order_handler_user_id"), ["handler_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_work_order_next_escalation_at"), ["next_escalation_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_work_order_resolve_due_at"), ["resolve_due_at"], unique=False
        )
        batch_op.create_index(
            "ix_work_order_department_id_status", ["department_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_work_order_taxpayer_number"), ["taxpayer_number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_work_order_taxpayer_phone"), ["taxpayer_phone"], unique=False
        )

    op.create_table(
        "escalation",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("clock", sa.String(length=16), nullable=False),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("deadline_version", sa.Integer(), nullable=False),
        sa.Column("applied_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["work_order.id"],
            name=op.f("fk_escalation_order_id_work_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation")),
        sa.UniqueConstraint(
            "order_id",
            "clock",
            "step",
            "deadline_version",
            name=op.f("uq_escalation_order_id_clock_step_deadline_version"),
        ),
    )
    op.create_table(
        "notification",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("recipient_user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("read_at", TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["work_order.id"],
            name=op.f("fk_notification_order_id_work_order"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_user_id"],
            ["user.id"],
            name=op.f("fk_notification_recipient_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    with op.batch_alter_table("notification") as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            "ix_notification_recipient_user_id_read_at",
            ["recipient_user_id", "read_at"],
            unique=False,
        )

    op.create_table(
        "work_order_event",
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["work_order.id"],
            name=op.f("fk_work_order_event_order_id_work_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_id", "seq", name=op.f("pk_work_order_event")),
    )
    with op.batch_alter_table("work_order_event") as batch_op:
        batch_op.create_index(batch_op.f("ix_work_order_event_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_order_event_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_order_event") as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_order_event_at"))
        batch_op.drop_index(batch_op.f("ix_work_order_event_action"))

    op.drop_table("work_order_event")
    with op.batch_alter_table("notification") as batch_op:
        batch_op.drop_index("ix_notification_recipient_user_id_read_at")
        batch_op.drop_index(batch_op.f("ix_notification_order_id"))

    op.drop_table("notification")
    op.drop_table("escalation")
    with op.batch_alter_table("work_order") as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_order_taxpayer_phone"))
        batch_op.drop_index(batch_op.f("ix_work_order_taxpayer_number"))
        batch_op.drop_index("ix_work_order_department_id_status")
        batch_op.drop_index(batch_op.f("ix_work_order_resolve_due_at"))
        batch_op.drop_index(batch_op.f("ix_work_order_next_escalation_at"))
        batch_op.drop_index(batch_op.f("ix_work_order_handler_user_id"))
        batch_op.drop_index(batch_op.f("ix_work_order_created_by"))
        batch_op.drop_index(batch_op.f("ix_work_order_call_id"))

    op.drop_table("work_order")
    op.drop_table("work_order_serial")
    op.drop_table("sla_policy")
    op.drop_table("calendar_setting")
    op.drop_table("calendar_day")
