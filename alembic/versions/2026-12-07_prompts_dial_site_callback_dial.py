"""Per-site callback dial template and presented caller id.

Revision ID: prompts_dial
Revises: 0003
Create Date: 2026-12-07 02:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "prompts_dial"  # the branch name; Alembic refuses "-" in ids
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing sites keep dialling as before (the controller's old fixed template).
    with op.batch_alter_table("site") as batch:
        batch.add_column(
            sa.Column(
                "callback_dial",
                sa.String(length=128),
                server_default="PJSIP/{number}@trunk",
                nullable=False,
            )
        )
        batch.add_column(sa.Column("callback_caller_id", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("site") as batch:
        batch.drop_column("callback_caller_id")
        batch.drop_column("callback_dial")
