"""The agent-state rollup without the agent column (the unfiltered interval report's read).

Revision ID: rep16c
Revises: rep16a
Create Date: 2026-12-07 10:15:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "rep16c"
down_revision: str | None = "rep16a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "report_state_total_rollup",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_state_total_rollup")),
    )
    op.create_index("ix_report_state_total_rollup_bucket", "report_state_total_rollup", ["bucket"])
    # Folded already (the per-agent rollup holds every settled bucket): fill it from that, so
    # the reports need no refold after the upgrade.
    op.execute(
        "INSERT INTO report_state_total_rollup (bucket, site_id, status, reason, us)"
        " SELECT bucket, site_id, status, reason, SUM(us) FROM report_state_rollup"
        " GROUP BY bucket, site_id, status, reason"
    )


def downgrade() -> None:
    op.drop_index("ix_report_state_total_rollup_bucket", table_name="report_state_total_rollup")
    op.drop_table("report_state_total_rollup")
