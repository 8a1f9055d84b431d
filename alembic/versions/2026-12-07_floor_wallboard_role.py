"""The wallboard role: a hall TV signs in with it and sees the floor's hall mode, nothing else.

Revision ID: floor
Revises: wo_notify
Create Date: 2026-12-07 05:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "floor"
down_revision: str | None = "wo_notify"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLE = sa.table("role", sa.column("name", sa.String), sa.column("description", sa.String))


def upgrade() -> None:
    op.bulk_insert(
        ROLE,
        [
            {
                "name": "wallboard",
                "description": (
                    "Wallboard: a hall screen showing the floor's queues and agents, read-only"
                ),
            }
        ],
    )


def downgrade() -> None:
    # Users holding the role lose it first (user_role refers to role).
    op.execute("DELETE FROM user_role WHERE role = 'wallboard'")
    op.execute(ROLE.delete().where(ROLE.c.name == "wallboard"))
