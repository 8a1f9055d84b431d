"""Logged-in agents per report interval (``report_headcount_rollup``); agent probes on presence.

``report_headcount_rollup``: per site view x report width (15, 30, 60 minutes, a day) x
interval, the distinct agents logged in: the interval report's ``agents_logged_in`` of a month
then reads one row per interval instead of counting the presence rollup's row per agent and
quarter hour. ``ix_report_presence_rollup_site_id_agent_id_bucket``: whether an agent was there
in a period, one index probe per agent (the report's total).

The new table is not filled here: its days are local days in the centre's time zone, which is
a setting the fold knows and a migration does not. As ``h16a`` did, this forgets the fold's
position, so the fold refolds every day from the first raw row and fills it; until it has
caught up, the reports read the raw rows past the position (right, only slower;
``hotline reports fold`` catches up at once).

Revision ID: h16i
Revises: h16b2
Create Date: 2026-12-07 21:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "h16i"
down_revision: str | None = "h16b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "report_headcount_rollup",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("width_s", sa.Integer(), nullable=False),
        sa.Column("start", sa.BigInteger(), nullable=False),
        sa.Column("agents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_headcount_rollup")),
    )
    op.create_index(
        "ix_report_headcount_rollup_width_s_start",
        "report_headcount_rollup",
        ["width_s", "start"],
    )
    op.create_index(
        "ix_report_presence_rollup_site_id_agent_id_bucket",
        "report_presence_rollup",
        ["site_id", "agent_id", "bucket"],
    )
    # The fold starts again from the first raw row and fills the new table as it goes.
    op.execute("DELETE FROM report_rollup_position")


def downgrade() -> None:
    op.drop_index(
        "ix_report_presence_rollup_site_id_agent_id_bucket", table_name="report_presence_rollup"
    )
    op.drop_index("ix_report_headcount_rollup_width_s_start", table_name="report_headcount_rollup")
    op.drop_table("report_headcount_rollup")
