"""The work-order console's indexes: open orders by nearest deadline (centre-wide and per
department, partial: only the few percent of orders still open), the taxpayer's name, and words
in the subject (a pg_trgm GIN index on PostgreSQL, so ILIKE '%汇算清缴%' is an index scan; the
extension is created if missing, which needs a role allowed to create it).

Revision ID: wo_console
Revises: kb_speed
Create Date: 2026-12-07 05:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "wo_console"
down_revision: str | None = "kb_speed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('acknowledged', 'dispatched', 'in_progress', 'new', 'resolved', 'returned')"


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_index(
        "ix_work_order_open_resolve_due",
        "work_order",
        ["resolve_due_at"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )
    op.create_index(
        "ix_work_order_open_department_due",
        "work_order",
        ["department_id", "resolve_due_at"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )
    op.create_index("ix_work_order_taxpayer_name", "work_order", ["taxpayer_name"])
    if postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "ix_work_order_subject_trgm",
        "work_order",
        ["subject"],
        postgresql_using="gin",
        postgresql_ops={"subject": "gin_trgm_ops"},
    )


def downgrade() -> None:
    for name in (
        "ix_work_order_subject_trgm",
        "ix_work_order_taxpayer_name",
        "ix_work_order_open_department_due",
        "ix_work_order_open_resolve_due",
    ):
        op.drop_index(name, table_name="work_order")
