"""Survey and agent rollups for the surveys and agent-performance reports; low-score index.

``report_survey_rollup``: answered calls per 15-minute bucket x site x line x language x agent
(inbound or not) with their hold time and the count of each survey score.
``report_agent_rollup``: per bucket x site view x agent, the calls the agent was on, the offers
they let ring out (RONA) and their transfers. ``ix_call_low_survey_arrived_at``: a partial index
on the calls scored 1 or 2 (the surveys report lists them one by one).

The new tables are not filled here: the fold fills them, and to make it do so this migration
forgets the fold's position. The agent rollup's figures are the fold's own rules on the state
spans (a call over a bucket edge, an offer rung out); writing them again in SQL for two
dialects would be a second copy that could disagree. Until the fold has caught up again (a day
of buckets per transaction, seven a minute on the leader; ``hotline reports fold`` does it at
once), every report reads the raw rows past the position: right, only slower.

Revision ID: h16a
Revises: fence18
Create Date: 2026-12-07 16:15:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "h16a"
down_revision: str | None = "fence18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
LOW = sa.text("survey_score <= 2")


def upgrade() -> None:
    op.create_table(
        "report_survey_rollup",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("business_line", sa.String(length=32), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("inbound", sa.Boolean(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("hold_us", sa.BigInteger(), nullable=False),
        sa.Column("score_1", sa.Integer(), nullable=False),
        sa.Column("score_2", sa.Integer(), nullable=False),
        sa.Column("score_3", sa.Integer(), nullable=False),
        sa.Column("score_4", sa.Integer(), nullable=False),
        sa.Column("score_5", sa.Integer(), nullable=False),
        sa.Column("score_sum", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_survey_rollup")),
    )
    op.create_index("ix_report_survey_rollup_bucket", "report_survey_rollup", ["bucket"])
    op.create_table(
        "report_agent_rollup",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("calls_continued", sa.Integer(), nullable=False),
        sa.Column("rona", sa.Integer(), nullable=False),
        sa.Column("transfers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_agent_rollup")),
    )
    op.create_index("ix_report_agent_rollup_bucket", "report_agent_rollup", ["bucket"])
    op.create_index(
        "ix_call_low_survey_arrived_at",
        "call",
        ["arrived_at"],
        postgresql_where=LOW,
        sqlite_where=LOW,
    )
    # The fold starts again from the first raw row and fills the new tables as it goes.
    op.execute("DELETE FROM report_rollup_position")


def downgrade() -> None:
    op.drop_index("ix_call_low_survey_arrived_at", table_name="call")
    op.drop_index("ix_report_agent_rollup_bucket", table_name="report_agent_rollup")
    op.drop_table("report_agent_rollup")
    op.drop_index("ix_report_survey_rollup_bucket", table_name="report_survey_rollup")
    op.drop_table("report_survey_rollup")
