"""Directory, users and roles, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 06:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hotline.db.types
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = hotline.db.types.UTCDateTime(timezone=True)

ROLES = [
    ("agent", "Hotline agent: answers calls, files call summaries and work orders"),
    ("specialist", "Back-office specialist: handles work orders of their department"),
    ("liaison", "Branch bureau liaison: receives and answers work orders for the bureau"),
    ("supervisor", "Supervisor: watches queues, dispatches work orders, reads configuration"),
    ("director", "Director: reads every report and on-time statistics"),
    ("ops", "Operations: runs traffic simulations and staffing plans"),
    ("admin", "Administrator: manages sites, skills, agents, departments and users"),
]


def _timestamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_username", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=64), nullable=True),
        sa.Column("subject_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("client_ip", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_action"), "audit_log", ["action"])
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])

    role = op.create_table(
        "role",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_role")),
    )
    op.bulk_insert(role, [{"name": n, "description": d} for n, d in ROLES])

    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=True),
        sa.Column("ari_url", sa.String(length=255), nullable=False),
        sa.Column("ari_username", sa.String(length=64), nullable=False),
        sa.Column("ari_password", sa.String(length=255), nullable=False),
        sa.Column("app_name", sa.String(length=64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
        sa.UniqueConstraint("code", name=op.f("uq_site_code")),
    )
    op.create_table(
        "skill",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_line", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill")),
        sa.UniqueConstraint(
            "business_line", "language", name=op.f("uq_skill_business_line_language")
        ),
    )
    # department and user point at each other: department first, its head_user_id key added below.
    op.create_table(
        "department",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=True),
        sa.Column("head_user_id", sa.Integer(), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "kind IN ('back_office', 'branch_bureau')", name=op.f("ck_department_kind_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department")),
        sa.UniqueConstraint("code", name=op.f("uq_department_code")),
    )
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_user_department_id_department"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("username", name=op.f("uq_user_username")),
    )
    op.create_index(op.f("ix_user_department_id"), "user", ["department_id"])
    with op.batch_alter_table("department") as batch_op:
        batch_op.create_foreign_key(
            op.f("fk_department_head_user_id_user"),
            "user",
            ["head_user_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_table(
        "user_role",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["role"], ["role.name"], name=op.f("fk_user_role_role_role")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_user_role_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_role")),
    )
    op.create_table(
        "agent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("overflow", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_agent_user_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent")),
        sa.UniqueConstraint("code", name=op.f("uq_agent_code")),
        sa.UniqueConstraint("user_id", name=op.f("uq_agent_user_id")),
    )
    op.create_table(
        "liaison",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["department.id"],
            name=op.f("fk_liaison_department_id_department"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_liaison_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("department_id", "user_id", name=op.f("pk_liaison")),
    )
    op.create_index(op.f("ix_liaison_user_id"), "liaison", ["user_id"])
    op.create_table(
        "agent_endpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("dial_string", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agent.id"],
            name=op.f("fk_agent_endpoint_agent_id_agent"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["site.id"],
            name=op.f("fk_agent_endpoint_site_id_site"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_endpoint")),
        sa.UniqueConstraint("agent_id", "site_id", name=op.f("uq_agent_endpoint_agent_id_site_id")),
    )
    op.create_index(op.f("ix_agent_endpoint_site_id"), "agent_endpoint", ["site_id"])
    op.create_table(
        "agent_skill",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint("level >= 1 AND level <= 9", name=op.f("ck_agent_skill_level_range")),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agent.id"],
            name=op.f("fk_agent_skill_agent_id_agent"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skill.id"],
            name=op.f("fk_agent_skill_skill_id_skill"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agent_id", "skill_id", name=op.f("pk_agent_skill")),
    )
    op.create_index(op.f("ix_agent_skill_skill_id"), "agent_skill", ["skill_id"])


def downgrade() -> None:
    op.drop_table("agent_skill")
    op.drop_table("agent_endpoint")
    op.drop_table("liaison")
    op.drop_table("agent")
    op.drop_table("user_role")
    with op.batch_alter_table("department") as batch_op:
        batch_op.drop_constraint(op.f("fk_department_head_user_id_user"), type_="foreignkey")
    op.drop_table("user")
    op.drop_table("department")
    op.drop_table("skill")
    op.drop_table("site")
    op.drop_table("role")
    op.drop_table("audit_log")
