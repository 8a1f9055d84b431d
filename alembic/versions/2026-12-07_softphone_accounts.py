"""Softphone accounts: the SIP auth of an agent endpoint, for the browser softphone.

Revision ID: softphone
Revises: prompts_dial
Create Date: 2026-12-07 02:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hotline.db.types
from alembic import op

revision: str = "softphone"
down_revision: str | None = "prompts_dial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = hotline.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "softphone_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_endpoint_id", sa.Integer(), nullable=False),
        sa.Column("sip_user", sa.String(length=64), nullable=False),
        sa.Column("sip_password", sa.String(length=255), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_endpoint_id"],
            ["agent_endpoint.id"],
            name=op.f("fk_softphone_account_agent_endpoint_id_agent_endpoint"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_softphone_account")),
        sa.UniqueConstraint(
            "agent_endpoint_id", name=op.f("uq_softphone_account_agent_endpoint_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("softphone_account")
