"""Work-order attachments, the outbox of e-mail/webhook notices, people's notice contacts, and
calls of kind ``follow_up`` (回访 by phone).

Revision ID: wo_notify
Revises: wo_console
Create Date: 2026-12-07 05:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hotline.db.types
from alembic import op

revision: str = "wo_notify"
down_revision: str | None = "wo_console"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_MOMENT = hotline.db.types.UTCDateTime(timezone=True)


_KINDS_BEFORE = "kind IN ('inbound', 'callback')"
_KINDS_AFTER = "kind IN ('inbound', 'callback', 'follow_up')"


def _call_kinds(condition: str) -> None:
    with op.batch_alter_table("call") as batch_op:
        batch_op.drop_constraint(op.f("ck_call_kind_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_call_kind_known"), condition)


def upgrade() -> None:
    _call_kinds(_KINDS_AFTER)
    op.create_table(
        "work_order_attachment",
        sa.Column("id", _ID, nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=127), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", _MOMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["work_order.id"],
            name=op.f("fk_work_order_attachment_order_id_work_order"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["user.id"],
            name=op.f("fk_work_order_attachment_uploaded_by_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_order_attachment")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_work_order_attachment_storage_key")),
    )
    op.create_index(
        op.f("ix_work_order_attachment_order_id"),
        "work_order_attachment",
        ["order_id"],
        unique=False,
    )
    op.create_table(
        "notice_outbox",
        sa.Column("id", _ID, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient_user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _MOMENT, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", _MOMENT, nullable=False),
        sa.Column("sent_at", _MOMENT, nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["work_order.id"],
            name=op.f("fk_notice_outbox_order_id_work_order"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_user_id"],
            ["user.id"],
            name=op.f("fk_notice_outbox_recipient_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_outbox")),
    )
    op.create_index(
        "ix_notice_outbox_status_next_attempt_at",
        "notice_outbox",
        ["status", "next_attempt_at"],
        unique=False,
    )
    op.create_index(
        "ix_notice_outbox_channel_status", "notice_outbox", ["channel", "status"], unique=False
    )
    op.create_index(op.f("ix_notice_outbox_order_id"), "notice_outbox", ["order_id"], unique=False)
    op.create_table(
        "notice_contact",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_notice_contact_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notice_contact")),
    )


def downgrade() -> None:
    op.execute("DELETE FROM call WHERE kind = 'follow_up'")
    _call_kinds(_KINDS_BEFORE)
    op.drop_table("notice_contact")
    op.drop_index(op.f("ix_notice_outbox_order_id"), table_name="notice_outbox")
    op.drop_index("ix_notice_outbox_channel_status", table_name="notice_outbox")
    op.drop_index("ix_notice_outbox_status_next_attempt_at", table_name="notice_outbox")
    op.drop_table("notice_outbox")
    op.drop_index(op.f("ix_work_order_attachment_order_id"), table_name="work_order_attachment")
    op.drop_table("work_order_attachment")
