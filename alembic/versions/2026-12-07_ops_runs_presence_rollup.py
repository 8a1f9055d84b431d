"""Ops runs kept across restarts; the report rollup of who was logged in per bucket.

``ops_run``: the simulations and staffing searches started from /ops, with what their pages show.
``report_presence_rollup``: one row per agent and 15-minute bucket (per site view), which the
interval report counts logged-in agents from; filled here from ``report_state_rollup`` so that
no refold is needed after upgrading.

Revision ID: ops_runs
Revises: t15
Create Date: 2026-12-07 12:45:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hotline.db.types
from alembic import op

revision: str = "ops_runs"
down_revision: str | None = "t15"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = hotline.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ops_run",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("replications", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("view", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_ops_run_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ops_run")),
    )
    op.create_index("ix_ops_run_user_id_started_at", "ops_run", ["user_id", "started_at"])
    op.create_table(
        "report_presence_rollup",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_presence_rollup")),
    )
    op.create_index(
        "ix_report_presence_rollup_bucket", "report_presence_rollup", ["bucket"], unique=False
    )
    op.execute(
        "INSERT INTO report_presence_rollup (bucket, site_id, agent_id) "
        "SELECT DISTINCT bucket, site_id, agent_id FROM report_state_rollup"
    )


def downgrade() -> None:
    op.drop_index("ix_report_presence_rollup_bucket", table_name="report_presence_rollup")
    op.drop_table("report_presence_rollup")
    op.drop_index("ix_ops_run_user_id_started_at", table_name="ops_run")
    op.drop_table("ops_run")
