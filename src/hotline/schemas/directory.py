"""Sites, skills, agents and departments."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AnyUrl, Field, SecretStr, field_validator

from hotline.schemas.base import Code, DialString, Language, Name, Patch, Schema, Slug, Username
from hotline.schemas.dialling import DEFAULT_CALLBACK_DIAL, CallerIdText, DialTemplate

DepartmentKind = Literal["back_office", "branch_bureau"]


def _ari_url(value: str) -> str:
    url = AnyUrl(value)
    if url.scheme not in {"http", "https"}:
        raise ValueError("must be an http:// or https:// URL (the ARI base, e.g. http://pbx:8088)")
    if url.username or url.password:
        raise ValueError("must not carry credentials: set ari_username and ari_password")
    return value.rstrip("/")


class SiteCreate(Schema):
    code: Code
    name: Name
    region: str | None = Field(default=None, max_length=64)
    ari_url: str
    ari_username: str = Field(min_length=1, max_length=64)
    ari_password: SecretStr = Field(min_length=1, max_length=255)
    app_name: Slug = "hotline"
    enabled: bool = True
    callback_dial: DialTemplate = Field(
        default=DEFAULT_CALLBACK_DIAL,
        description="how a callback dials the taxpayer, e.g. Local/{number}@callbacks",
    )
    callback_caller_id: CallerIdText | None = Field(
        default=None, description='caller id shown to the taxpayer, e.g. "12366" <12366>'
    )

    _check_url = field_validator("ari_url")(_ari_url)


class SiteUpdate(Patch):
    clearable = frozenset({"region", "callback_caller_id"})

    name: Name | None = None
    region: str | None = Field(default=None, max_length=64)
    ari_url: str | None = None
    ari_username: str | None = Field(default=None, min_length=1, max_length=64)
    ari_password: SecretStr | None = Field(default=None, min_length=1, max_length=255)
    app_name: Slug | None = None
    enabled: bool | None = None
    callback_dial: DialTemplate | None = None
    callback_caller_id: CallerIdText | None = None  # null: back to the offers' caller id

    @field_validator("callback_dial")
    @classmethod
    def _dial_kept(cls, value: str | None) -> str:
        # Only an explicit null reaches here: a site always dials through some template.
        if value is None:
            raise ValueError("must be a template, e.g. PJSIP/{number}@trunk, not null")
        return value

    @field_validator("ari_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        return None if value is None else _ari_url(value)


class SiteRead(Schema):
    id: int
    code: str
    name: str
    region: str | None
    ari_url: str
    ari_username: str
    app_name: str
    enabled: bool
    callback_dial: str
    callback_caller_id: str | None
    created_at: datetime
    updated_at: datetime


class SkillCreate(Schema):
    business_line: Slug
    language: Language
    name: Name


class SkillUpdate(Schema):
    name: Name


class SkillRead(Schema):
    id: int
    business_line: str
    language: str
    name: str
    code: str


class AgentSkillIn(Schema):
    business_line: Slug
    language: Language
    level: int = Field(ge=1, le=9, description="1 = primary (主修), 2 and above = secondary (选修)")


class AgentSkillRead(Schema):
    business_line: str
    language: str
    level: int


class AgentEndpointIn(Schema):
    site: Code = Field(description="site code")
    dial_string: DialString = Field(description="ARI endpoint, e.g. PJSIP/1001")


class AgentEndpointRead(Schema):
    site: str
    dial_string: str


class AgentCreate(Schema):
    code: Code
    name: Name
    languages: list[Language] = Field(min_length=1)
    overflow: bool = False
    active: bool = True
    username: Username | None = Field(
        default=None, description="the user who logs in as this agent"
    )
    skills: list[AgentSkillIn] = Field(default_factory=list)
    endpoints: list[AgentEndpointIn] = Field(default_factory=list)


class AgentUpdate(Patch):
    clearable = frozenset({"username"})

    name: Name | None = None
    languages: list[Language] | None = Field(default=None, min_length=1)
    overflow: bool | None = None
    active: bool | None = None
    username: Username | None = None
    skills: list[AgentSkillIn] | None = None
    endpoints: list[AgentEndpointIn] | None = None


class AgentRead(Schema):
    id: int
    code: str
    name: str
    languages: list[str]
    overflow: bool
    active: bool
    username: str | None
    skills: list[AgentSkillRead]
    endpoints: list[AgentEndpointRead]
    created_at: datetime
    updated_at: datetime


class LiaisonIn(Schema):
    username: Username
    phone: str | None = Field(default=None, max_length=32)


class LiaisonRead(Schema):
    username: str
    full_name: str
    phone: str | None


class DepartmentCreate(Schema):
    code: Code
    name: Name
    kind: DepartmentKind
    region: str | None = Field(default=None, max_length=64)
    head: Username | None = Field(default=None, description="username of the department head")
    liaisons: list[LiaisonIn] = Field(default_factory=list)


class DepartmentUpdate(Patch):
    clearable = frozenset({"region", "head"})

    name: Name | None = None
    kind: DepartmentKind | None = None
    region: str | None = Field(default=None, max_length=64)
    head: Username | None = None
    liaisons: list[LiaisonIn] | None = None


class DepartmentRead(Schema):
    id: int
    code: str
    name: str
    kind: str
    region: str | None
    head: str | None
    liaisons: list[LiaisonRead]
    created_at: datetime
    updated_at: datetime
