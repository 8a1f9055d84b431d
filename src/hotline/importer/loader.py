"""Loading an import file: validate everything, then write everything in one transaction.

Natural keys make it idempotent (site and department codes, skill business line + language, agent
codes, usernames): importing the same file twice gives the same state. Any error names the file,
the entry and the field, and nothing is written.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import SecretStr, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import Skill
from hotline.db.session import transaction
from hotline.errors import AppError
from hotline.importer.document import (
    AgentEntry,
    DepartmentEntry,
    ImportDocument,
    SiteEntry,
    UserEntry,
)
from hotline.schemas.directory import (
    AgentCreate,
    AgentEndpointIn,
    AgentSkillIn,
    DepartmentCreate,
    LiaisonIn,
    SiteCreate,
    SkillCreate,
)
from hotline.schemas.users import UserCreate
from hotline.services import directory
from hotline.services import users as user_service
from hotline.summaries import topics
from hotline.summaries.schemas import TopicWrite
from hotline.workorders.rules import import_policy
from workorders.errors import SlaPolicyError

_ENTRY_KEYS = {
    "sites": "code",
    "skills": "business_line",
    "departments": "code",
    "users": "username",
    "agents": "code",
    "sla_policies": "version",
    "topics": "code",
}


class ImportFileError(Exception):
    """The file cannot be imported; ``problems`` lists one line per problem."""

    def __init__(self, path: str, problems: Sequence[str]) -> None:
        self.path = path
        self.problems = list(problems)
        super().__init__("\n".join(f"{path}: {p}" for p in self.problems))


@dataclass
class ImportSummary:
    counts: dict[str, int] = field(default_factory=dict)


def load_document(path: Path) -> ImportDocument:
    name = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ImportFileError(name, ["no such file"]) from None
    except UnicodeDecodeError as exc:
        raise ImportFileError(name, [f"not UTF-8 text ({exc.reason})"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ImportFileError(name, [f"{where}invalid YAML: {problem}"]) from None
    if not isinstance(raw, dict):
        raise ImportFileError(name, ["the top level must be a mapping with 'version: 1'"])
    try:
        return ImportDocument.model_validate(raw)
    except ValidationError as exc:
        raise ImportFileError(name, [_describe(raw, err) for err in exc.errors()]) from None


def _entry_label(raw: Any, section: str, index: int) -> str:
    label = f"{section}[{index}]"
    key = _ENTRY_KEYS.get(section)
    try:
        value = raw[section][index].get(key)
    except (KeyError, IndexError, TypeError, AttributeError):
        value = None
    return f"{label} ({key}={value})" if value is not None else label


def _describe(raw: Any, err: Any) -> str:
    loc = list(err["loc"])
    message = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        message = "unknown field"
    if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
        entry = _entry_label(raw, loc[0], loc[1])
        rest = ".".join(str(p) for p in loc[2:]) or "(entry)"
        return f"{entry}: {rest}: {message}"
    return f"{'.'.join(str(p) for p in loc) or '(document)'}: {message}"


def _secret(entry: SiteEntry | UserEntry, plain: str | None, env: str | None, what: str) -> str:
    if plain is not None and env is not None:
        raise _EntryProblem(f"{what}: give {what} or {what}_env, not both")
    if env is not None:
        value = os.environ.get(env)
        if not value:
            raise _EntryProblem(f"{what}_env: environment variable {env} is not set")
        return value
    if plain is None:
        raise _EntryProblem(f"{what}: required (or {what}_env naming an environment variable)")
    return plain


class _EntryProblem(Exception):
    pass


async def import_file(
    sessionmaker: async_sessionmaker[AsyncSession],
    path: Path,
    *,
    allow_plain_passwords: bool = True,
) -> ImportSummary:
    document = load_document(path)
    name = str(path)
    try:
        async with transaction(sessionmaker) as session:
            return await _apply(session, document, allow_plain_passwords=allow_plain_passwords)
    except _LocatedProblem as problem:
        raise ImportFileError(name, [str(problem)]) from None


class _LocatedProblem(Exception):
    pass


def _locate(section: str, index: int, key_value: str, exc: Exception) -> _LocatedProblem:
    label = f"{section}[{index}] ({_ENTRY_KEYS[section]}={key_value})"
    if isinstance(exc, AppError) and isinstance(exc.detail, list):
        parts = []
        for item in exc.detail:
            loc = [str(p) for p in item.get("loc", []) if p != "body"]
            parts.append(f"{'.'.join(loc) or '(entry)'}: {item.get('msg')}")
        return _LocatedProblem(f"{label}: " + "; ".join(parts))
    if isinstance(exc, AppError):
        return _LocatedProblem(f"{label}: {exc.detail}")
    if isinstance(exc, ValidationError):
        parts = [
            f"{'.'.join(str(p) for p in e['loc']) or '(entry)'}: {e['msg']}" for e in exc.errors()
        ]
        return _LocatedProblem(f"{label}: " + "; ".join(parts))
    return _LocatedProblem(f"{label}: {exc}")


async def _apply(
    session: AsyncSession, doc: ImportDocument, *, allow_plain_passwords: bool
) -> ImportSummary:
    summary = ImportSummary()
    for index, site in enumerate(doc.sites):
        try:
            password = _secret(site, site.ari_password, site.ari_password_env, "ari_password")
            data = SiteCreate(
                **site.model_dump(exclude={"ari_password", "ari_password_env"}),
                ari_password=SecretStr(password),
            )
            await directory.upsert_site(session, data)
        except (AppError, ValidationError, _EntryProblem) as exc:
            raise _locate("sites", index, site.code, exc) from None
    for index, skill in enumerate(doc.skills):
        try:
            await directory.upsert_skill(session, SkillCreate(**skill.model_dump()))
        except (AppError, ValidationError) as exc:
            raise _locate("skills", index, skill.business_line, exc) from None
    # Departments and users refer to each other: departments first without people, then users,
    # then departments again with their head and liaisons.
    for index, department in enumerate(doc.departments):
        try:
            await directory.upsert_department(session, _department(department, people=False))
        except (AppError, ValidationError) as exc:
            raise _locate("departments", index, department.code, exc) from None
    for index, user in enumerate(doc.users):
        try:
            if user.password is not None and not allow_plain_passwords:
                raise _EntryProblem(
                    "password: plain passwords are refused in the production profile; "
                    "use password_env"
                )
            password = _secret(user, user.password, user.password_env, "password")
            await user_service.upsert_user(
                session,
                UserCreate(
                    username=user.username,
                    full_name=user.full_name,
                    roles=user.roles,
                    department=user.department,
                    is_active=user.is_active,
                    password=SecretStr(password),
                ),
            )
        except (AppError, ValidationError, _EntryProblem) as exc:
            raise _locate("users", index, user.username, exc) from None
    for index, department in enumerate(doc.departments):
        try:
            await directory.upsert_department(session, _department(department, people=True))
        except (AppError, ValidationError) as exc:
            raise _locate("departments", index, department.code, exc) from None
    known_skills = {
        (s.business_line, s.language) for s in (await session.scalars(select(Skill))).all()
    }
    for index, agent in enumerate(doc.agents):
        try:
            await directory.upsert_agent(session, _agent(agent, known_skills))
        except (AppError, ValidationError, _EntryProblem) as exc:
            raise _locate("agents", index, agent.code, exc) from None
    for index, policy in enumerate(doc.sla_policies):
        try:
            await import_policy(session, policy.version, policy.targets, policy.note)
        except (SlaPolicyError, _EntryProblem) as exc:
            raise _locate("sla_policies", index, str(policy.version), exc) from None
    await _import_topics(session, doc)
    summary.counts = {
        "sites": len(doc.sites),
        "skills": len(doc.skills),
        "departments": len(doc.departments),
        "users": len(doc.users),
        "agents": len(doc.agents),
        "sla_policies": len(doc.sla_policies),
        "topics": sum(1 + len(t.children) for t in doc.topics),
    }
    return summary


async def _import_topics(session: AsyncSession, doc: ImportDocument) -> None:
    """Areas, then their subjects, in file order (``position``); an upsert, so re-importing
    the same file changes nothing."""
    for index, area in enumerate(doc.topics):
        try:
            await topics.upsert(
                session,
                TopicWrite(code=area.code, name_zh=area.name_zh, name_en=area.name_en,
                           position=index),
            )  # fmt: skip
            for position, child in enumerate(area.children):
                await topics.upsert(
                    session,
                    TopicWrite(
                        code=child.code,
                        parent_code=area.code,
                        name_zh=child.name_zh,
                        name_en=child.name_en,
                        position=position,
                    ),
                )
        except (AppError, ValidationError) as exc:
            raise _locate("topics", index, area.code, exc) from None


def _department(entry: DepartmentEntry, *, people: bool) -> DepartmentCreate:
    data: dict[str, Any] = {
        "code": entry.code,
        "name": entry.name,
        "kind": entry.kind,
        "region": entry.region,
    }
    if people:
        data["head"] = entry.head
        data["liaisons"] = [LiaisonIn(**li.model_dump()) for li in entry.liaisons]
    return DepartmentCreate(**data)


def _agent(entry: AgentEntry, known_skills: set[tuple[str, str]]) -> AgentCreate:
    skills: dict[tuple[str, str], int] = {}
    for key, level in entry.skills.items():
        line, _, language = key.partition(".")
        if language:
            if (line, language) not in known_skills:
                raise _EntryProblem(f"skills.{key}: skill {line}.{language} does not exist")
            skills[(line, language)] = level
            continue
        # A bare business line applies to every language the agent speaks that has that skill.
        matched = [lang for lang in entry.languages if (line, lang) in known_skills]
        if not matched:
            raise _EntryProblem(
                f"skills.{key}: no skill {line} exists in the agent's languages "
                f"{', '.join(entry.languages)}"
            )
        for lang in matched:
            skills.setdefault((line, lang), level)
    return AgentCreate(
        code=entry.code,
        name=entry.name,
        languages=entry.languages,
        overflow=entry.overflow,
        active=entry.active,
        username=entry.username,
        skills=[
            AgentSkillIn(business_line=line, language=lang, level=level)
            for (line, lang), level in sorted(skills.items())
        ],
        endpoints=[
            AgentEndpointIn(site=site, dial_string=dial)
            for site, dial in sorted(entry.endpoints.items())
        ],
    )
