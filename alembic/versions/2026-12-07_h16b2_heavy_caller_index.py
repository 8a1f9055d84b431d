"""An index for the reports that count a period's inbound calls per caller number.

``ix_call_inbound_caller_arrived`` on ``call (caller_number, arrived_at, answered_at, id)``,
inbound calls only. The heavy-callers report groups the period's inbound calls by number
(calls, answered, first and last arrival, last call): on a large centre's month (1,071,895
calls, 822,659 numbers) PostgreSQL hashed the groups and spilled 81 batches to disk. This index
holds every column that query reads, in number order: an index-only scan feeds a streaming
group aggregate, no hash and no sort. A short period still reads ``ix_call_arrived_at`` and
sorts its few rows (the planner weighs both); the heavy callers' topic counts and the caller
origin report (calls per number) group the same way.

Revision ID: h16b2
Revises: h16a
Create Date: 2026-12-07 21:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "h16b2"
down_revision: str | None = "h16a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INBOUND = sa.text("kind = 'inbound'")


def upgrade() -> None:
    op.create_index(
        "ix_call_inbound_caller_arrived",
        "call",
        ["caller_number", "arrived_at", "answered_at", "id"],
        postgresql_where=INBOUND,
        sqlite_where=INBOUND,
    )


def downgrade() -> None:
    op.drop_index("ix_call_inbound_caller_arrived", table_name="call")
