"""Users and the roles they hold."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db.base import Base, TimestampMixin

if TYPE_CHECKING:
    from hotline.db.models.directory import Department


class RoleRow(Base):
    """The closed list of roles (seeded by the first migration)."""

    __tablename__ = "role"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    description: Mapped[str] = mapped_column(String(200))


def new_token_stamp() -> str:
    return secrets.token_hex(16)


class User(TimestampMixin, Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Carried in every token and compared on every request: a new stamp (logout, password or
    # role change) revokes all tokens issued before, and a user created later under a reused id
    # has a stamp of their own, so a deleted user's token never signs them in.
    token_stamp: Mapped[str] = mapped_column(String(32), default=new_token_stamp)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("department.id", ondelete="SET NULL"), index=True
    )

    roles: Mapped[list[UserRole]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="UserRole.role"
    )
    department: Mapped[Department | None] = relationship(lazy="raise", foreign_keys=[department_id])

    @property
    def role_names(self) -> list[str]:
        return [r.role for r in self.roles]


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(ForeignKey("role.name"), primary_key=True)
