"""An index on work_order.created_at: the work-order list sorts by it (sort=created_at,
-created_at) in keyset pages, which must stay index scans at millions of orders. The column never
changes after the insert, so the sweeper's updates do not pay for it.

Revision ID: api_convention
Revises: loop_auth
Create Date: 2026-12-07 03:50:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "api_convention"
down_revision: str | None = "loop_auth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_work_order_created_at"), "work_order", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_work_order_created_at"), table_name="work_order")
