"""The user's token stamp (revocation) and an index on call.queued_at (today's counters).

Revision ID: loop_auth
Revises: desk
Create Date: 2026-12-07 02:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "loop_auth"  # alembic refuses "-" in ids: the branch name with "_"
down_revision: str | None = "desk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_call_queued_at"), "call", ["queued_at"])
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("token_stamp", sa.String(length=32), nullable=True))
    # Every existing user gets a random stamp of their own: the tokens issued before this
    # migration carry none and stop working (everyone signs in once more).
    if op.get_bind().dialect.name == "sqlite":
        op.execute('UPDATE "user" SET token_stamp = lower(hex(randomblob(16)))')
    else:
        op.execute(
            """UPDATE "user" SET token_stamp = """
            """substr(md5(random()::text || clock_timestamp()::text || id::text), 1, 32)"""
        )
    with op.batch_alter_table("user") as batch:
        batch.alter_column("token_stamp", existing_type=sa.String(length=32), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("token_stamp")
    op.drop_index(op.f("ix_call_queued_at"), table_name="call")
