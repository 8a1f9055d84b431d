"""Joins the heads left by the parallel branches merged into this one (no schema change), so that
``alembic upgrade head`` has one head to go to; the lead's re-chaining at merge time replaces it.

Revision ID: adopt18_heads
Revises: cfg17, con15, events18, kb14, lease18, rep16a
Create Date: 2026-12-07 10:10:00+00:00
"""

from collections.abc import Sequence

revision: str = "adopt18_heads"
down_revision: str | Sequence[str] | None = (
    "cfg17",
    "con15",
    "events18",
    "kb14",
    "lease18",
    "rep16a",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
