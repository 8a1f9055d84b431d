"""The console: open orders by status, then nearest deadline (a partial index of the few percent
of orders still open), covering on PostgreSQL.

A list or search narrowed to one state (``status=dispatched``, the inbox's state filter) walked
all the open orders in deadline order and dropped the other states' rows: at 1,000,000 orders
the capped total of "dispatched orders whose subject holds 汇算清缴" read 30,000 index entries
to keep 500. With the status first it reads only that state's entries; the INCLUDE columns let
the totals (category, priority, words in the subject) be answered from the index alone.

Revision ID: t15
Revises: misconf18
Create Date: 2026-12-07 13:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "t15"
down_revision: str | None = "misconf18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The open states, as the console's partial indexes name them (migration wo_console).
OPEN = "status IN ('acknowledged', 'dispatched', 'in_progress', 'new', 'resolved', 'returned')"


def upgrade() -> None:
    op.create_index(
        "ix_work_order_open_status_due",
        "work_order",
        ["status", "resolve_due_at"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
        postgresql_include=["category", "priority", "subject"],
    )


def downgrade() -> None:
    op.drop_index("ix_work_order_open_status_due", table_name="work_order")
