"""The centre's directory: sites, skills, agents and their skills, departments and liaisons."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db.base import Base, TimestampMixin

if TYPE_CHECKING:
    from hotline.db.models.user import User


class Site(TimestampMixin, Base):
    """One Asterisk server (a city site) and how to reach its ARI."""

    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(64))
    ari_url: Mapped[str] = mapped_column(String(255))
    ari_username: Mapped[str] = mapped_column(String(64))
    # Write-only through the API: never serialised back to a client or a log.
    ari_password: Mapped[str] = mapped_column(String(255))
    app_name: Mapped[str] = mapped_column(String(64), default="hotline")
    enabled: Mapped[bool] = mapped_column(default=True)
    # How a callback dials the taxpayer ({number} is replaced) and the caller id it presents
    # (None: the controller's default); see hotline.schemas.dialling.
    callback_dial: Mapped[str] = mapped_column(
        String(128), default="PJSIP/{number}@trunk", server_default="PJSIP/{number}@trunk"
    )
    callback_caller_id: Mapped[str | None] = mapped_column(String(80))


class Skill(TimestampMixin, Base):
    """A routable skill: business line x language (e.g. national_tax in zh)."""

    __tablename__ = "skill"
    __table_args__ = (UniqueConstraint("business_line", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_line: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(120))

    @property
    def code(self) -> str:
        return f"{self.business_line}.{self.language}"


class Agent(TimestampMixin, Base):
    __tablename__ = "agent"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    overflow: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), unique=True
    )

    skills: Mapped[list[AgentSkill]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="AgentSkill.level"
    )
    endpoints: Mapped[list[AgentEndpoint]] = relationship(
        lazy="raise", cascade="all, delete-orphan"
    )
    user: Mapped[User | None] = relationship(lazy="raise")


class AgentSkill(Base):
    """The agent's level in a skill: 1 = primary (主修), 2 and above = secondary (选修)."""

    __tablename__ = "agent_skill"
    __table_args__ = (CheckConstraint("level >= 1 AND level <= 9", name="level_range"),)

    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agent.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(
        ForeignKey("skill.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    level: Mapped[int] = mapped_column(SmallInteger)

    skill: Mapped[Skill] = relationship(lazy="raise")


class AgentEndpoint(Base):
    """How to ring the agent's softphone on one site (an ARI endpoint, e.g. PJSIP/1001)."""

    __tablename__ = "agent_endpoint"
    __table_args__ = (UniqueConstraint("agent_id", "site_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    dial_string: Mapped[str] = mapped_column(String(128))

    site: Mapped[Site] = relationship(lazy="raise")


DEPARTMENT_KINDS = ("back_office", "branch_bureau")


class Department(TimestampMixin, Base):
    """A back-office team or a branch bureau (分局) that receives work orders."""

    __tablename__ = "department"
    __table_args__ = (
        CheckConstraint("kind IN ('back_office', 'branch_bureau')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(64))
    # use_alter: user.department_id points back here, so this key is added after both tables exist.
    head_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL", use_alter=True)
    )
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    liaisons: Mapped[list[Liaison]] = relationship(lazy="raise", cascade="all, delete-orphan")


class Liaison(Base):
    """A user designated as a department's liaison (联络员) for work orders."""

    __tablename__ = "liaison"

    department_id: Mapped[int] = mapped_column(
        ForeignKey("department.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    phone: Mapped[str | None] = mapped_column(String(32))

    user: Mapped[User] = relationship(lazy="raise")
