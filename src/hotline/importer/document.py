"""The import file's shape (version 1), validated with pydantic before anything is written."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from hotline.roles import Role
from hotline.schemas.base import Code, DialString, Language, Name, Slug, Username
from hotline.schemas.dialling import DEFAULT_CALLBACK_DIAL, CallerIdText, DialTemplate
from hotline.schemas.directory import DepartmentKind

SkillKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}(\.[a-z]{2,3})?$")]


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SiteEntry(Entry):
    code: Code
    name: Name
    region: str | None = None
    ari_url: str
    ari_username: str = Field(min_length=1)
    ari_password: str | None = Field(default=None, min_length=1)
    ari_password_env: str | None = Field(default=None, description="read the password from env")
    app_name: Slug = "hotline"
    enabled: bool = True
    callback_dial: DialTemplate = Field(
        default=DEFAULT_CALLBACK_DIAL, description="how a callback dials the taxpayer"
    )
    callback_caller_id: CallerIdText | None = Field(
        default=None, description="caller id shown to the taxpayer on a callback"
    )


class SkillEntry(Entry):
    business_line: Slug
    language: Language
    name: Name


class UserEntry(Entry):
    username: Username
    full_name: Name
    roles: list[Role] = Field(min_length=1)
    department: Code | None = None
    password: str | None = Field(default=None, min_length=8)
    password_env: str | None = None
    is_active: bool = True


class LiaisonEntry(Entry):
    username: Username
    phone: str | None = None


class DepartmentEntry(Entry):
    code: Code
    name: Name
    kind: DepartmentKind
    region: str | None = None
    head: Username | None = None
    liaisons: list[LiaisonEntry] = Field(default_factory=list)


class AgentEntry(Entry):
    code: Code
    name: Name
    languages: list[Language] = Field(min_length=1)
    overflow: bool = False
    active: bool = True
    username: Username | None = None
    skills: dict[SkillKey, Annotated[int, Field(ge=1, le=9)]] = Field(
        default_factory=dict,
        description="business line (all the agent's languages) or line.language -> level",
    )
    endpoints: dict[Code, DialString] = Field(
        default_factory=dict, description="site code -> ARI endpoint"
    )

    @field_validator("languages")
    @classmethod
    def _unique_languages(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("languages must not repeat")
        return value


class SlaPolicyEntry(Entry):
    """One version of the SLA policy: ``category/priority`` -> working durations."""

    version: int = Field(ge=1)
    note: str = ""
    targets: dict[str, dict[str, str]]


class TopicChildEntry(Entry):
    code: str
    name_zh: Name
    name_en: Name


class TopicEntry(Entry):
    """A business area of the call-summary taxonomy with its subjects (``AREA.SUBJECT``)."""

    code: str
    name_zh: Name
    name_en: Name
    children: list[TopicChildEntry] = Field(default_factory=list)


class ImportDocument(Entry):
    version: int = Field(ge=1, le=1)
    sites: list[SiteEntry] = Field(default_factory=list)
    skills: list[SkillEntry] = Field(default_factory=list)
    departments: list[DepartmentEntry] = Field(default_factory=list)
    users: list[UserEntry] = Field(default_factory=list)
    agents: list[AgentEntry] = Field(default_factory=list)
    sla_policies: list[SlaPolicyEntry] = Field(default_factory=list)
    topics: list[TopicEntry] = Field(default_factory=list)
