"""Users and authentication payloads."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, SecretStr

from hotline.roles import Role
from hotline.schemas.base import Code, Name, Patch, Schema, Username


class UserCreate(Schema):
    username: Username
    full_name: Name
    password: SecretStr = Field(min_length=8, max_length=128)
    roles: list[Role] = Field(min_length=1)
    department: Code | None = Field(default=None, description="department code")
    is_active: bool = True


class UserUpdate(Patch):
    clearable = frozenset({"department"})

    full_name: Name | None = None
    password: SecretStr | None = Field(default=None, min_length=8, max_length=128)
    roles: list[Role] | None = Field(default=None, min_length=1)
    department: Code | None = None
    is_active: bool | None = None


class UserRead(Schema):
    id: int
    username: str
    full_name: str
    roles: list[Role]
    department: str | None
    is_active: bool
    created_at: datetime
    updated_at: datetime


class TokenRead(Schema):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime


class MeRead(Schema):
    id: int
    username: str
    roles: list[Role]
    department_id: int | None


class PasswordChange(Schema):
    current_password: SecretStr = Field(min_length=1, max_length=128)
    new_password: SecretStr = Field(min_length=1, max_length=128)
