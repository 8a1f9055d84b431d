"""Configuration versions in the database, and the use cases on them: publish, roll back, diff.

Publishing checks the document twice: on its own (:mod:`hotline.centre.document`) and against
the directory (every line a caller can choose must have an agent who could ever serve it). A
publisher names the version their edit started from (``base_version``): when another admin
published since, the publish is refused (409) instead of silently undoing the other's change.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from hotline.centre.document import AgentSkills, CentreConfig, coverage_problems
from hotline.centre.files import parse_data
from hotline.centre.problems import ConfigInvalid, Problem, ProblemCode
from hotline.db.models import Agent, AgentSkill, ConfigVersion, Skill

_PAST_TOLERANCE = timedelta(minutes=1)  # "--at" a moment ago: a clock skew, not a mistake


class StaleBaseError(Exception):
    """Another version was published since the publisher's base version (HTTP 409)."""

    def __init__(self, base_version: int | None, in_force: int) -> None:
        self.base_version = base_version
        self.in_force = in_force
        super().__init__(
            f"version {in_force} is in force but this edit started from "
            f"{'no version' if base_version is None else f'version {base_version}'}: "
            f"look at `hotline config diff` and publish again with --base {in_force}"
        )


class VersionNotFoundError(LookupError):
    def __init__(self, version: int) -> None:
        self.version = version
        super().__init__(f"no configuration version {version}")


async def in_force(session: AsyncSession, now: datetime) -> ConfigVersion | None:
    """The version the service runs at ``now`` (latest effective time not in the future)."""
    found = await session.scalars(
        select(ConfigVersion)
        .where(ConfigVersion.effective_at <= now)
        .order_by(ConfigVersion.effective_at.desc(), ConfigVersion.id.desc())
        .limit(1)
    )
    return found.first()


async def next_change(session: AsyncSession, now: datetime) -> datetime | None:
    """When the next version published for later takes force (None: none is waiting)."""
    found = await session.scalars(
        select(ConfigVersion.effective_at)
        .where(ConfigVersion.effective_at > now)
        .order_by(ConfigVersion.effective_at)
        .limit(1)
    )
    return found.first()


async def get(session: AsyncSession, version: int) -> ConfigVersion:
    row = await session.get(ConfigVersion, version)
    if row is None:
        raise VersionNotFoundError(version)
    return row


async def history(
    session: AsyncSession, *, limit: int = 50, offset: int = 0
) -> list[ConfigVersion]:
    rows = await session.scalars(
        select(ConfigVersion).order_by(ConfigVersion.id.desc()).limit(limit).offset(offset)
    )
    return list(rows)


async def count(session: AsyncSession) -> int:
    from sqlalchemy import func

    return int(await session.scalar(select(func.count()).select_from(ConfigVersion)) or 0)


def config_of(row: ConfigVersion) -> CentreConfig:
    """A stored version as a validated document (it was valid when published)."""
    return parse_data(row.document, f"version {row.id}")


async def directory(session: AsyncSession) -> list[AgentSkills]:
    """The active agents' skills, as the coverage check needs them."""
    agents = await session.scalars(
        select(Agent)
        .where(Agent.active.is_(True))
        .options(selectinload(Agent.skills).selectinload(AgentSkill.skill))
    )
    return [
        AgentSkills(
            levels={(s.skill.business_line, s.skill.language): s.level for s in agent.skills},
            languages=frozenset(agent.languages),
            overflow=agent.overflow,
        )
        for agent in agents
    ]


async def check_against_directory(session: AsyncSession, config: CentreConfig) -> None:
    skills = {(row.business_line, row.language) for row in await session.scalars(select(Skill))}
    problems = coverage_problems(config, await directory(session), skills)
    if problems:
        raise ConfigInvalid(problems)


@dataclass(frozen=True, slots=True)
class Publication:
    config: CentreConfig
    source: str  # the text as written ("" when published from data)
    reason: str
    by: str
    base_version: int | None
    effective_at: datetime | None = None  # None: now


async def publish(
    session: AsyncSession,
    publication: Publication,
    *,
    now: datetime,
    rollback_of: int | None = None,
) -> ConfigVersion:
    """Store a new version (the caller commits). Raises ``ConfigInvalid`` or ``StaleBaseError``."""
    problems = []
    if not publication.reason.strip():
        problems.append(Problem("reason", ProblemCode.REASON_REQUIRED))
    at = publication.effective_at or now
    if at < now - _PAST_TOLERANCE:
        problems.append(Problem("at", ProblemCode.AT_IN_PAST, {"at": at.isoformat()}))
    if problems:
        raise ConfigInvalid(problems)
    await check_against_directory(session, publication.config)
    # Lock the newest row so that two publishers at once are serialised (PostgreSQL; SQLite
    # serialises writers anyway).
    await session.execute(
        select(ConfigVersion.id).order_by(ConfigVersion.id.desc()).limit(1).with_for_update()
    )
    current = await in_force(session, now)
    base = publication.base_version
    if current is not None and (base is None or base < current.id):
        raise StaleBaseError(base, current.id)
    row = ConfigVersion(
        base_version=publication.base_version,
        document=publication.config.to_data(),
        source=publication.source,
        reason=publication.reason.strip(),
        published_by=publication.by,
        published_at=now,
        effective_at=at,
        rollback_of=rollback_of,
    )
    session.add(row)
    await session.flush()
    return row


async def rollback(
    session: AsyncSession, version: int, *, reason: str, by: str, now: datetime
) -> ConfigVersion:
    """Put an earlier version back in force, as a new version (history is never rewritten)."""
    old = await get(session, version)
    current = await in_force(session, now)
    publication = Publication(
        config=config_of(old),
        source=old.source,
        reason=reason,
        by=by,
        base_version=None if current is None else current.id,
    )
    return await publish(session, publication, now=now, rollback_of=old.id)


# ----------------------------------------------------------------------------------- diff


@dataclass(frozen=True, slots=True)
class Change:
    path: str
    old: Any
    new: Any


def changes(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[Change]:
    """Every leaf that differs, by path (``routing.default.max_wait_s``)."""
    found: list[Change] = []
    _walk("", old or {}, new, found)
    return found


_MISSING = object()


def _walk(path: str, old: Any, new: Any, out: list[Change]) -> None:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in list(old) + [k for k in new if k not in old]:
            where = f"{path}.{key}" if path else str(key)
            _walk(where, old.get(key, _MISSING), new.get(key, _MISSING), out)
        return
    if (
        isinstance(old, Sequence)
        and isinstance(new, Sequence)
        and not isinstance(old, str)
        and not isinstance(new, str)
        and len(old) == len(new)
    ):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            _walk(f"{path}[{i}]", a, b, out)
        return
    if old != new:
        out.append(Change(path, None if old is _MISSING else old, None if new is _MISSING else new))


def unified_diff(
    old: Mapping[str, Any] | None, new: Mapping[str, Any], old_name: str, new_name: str
) -> str:
    """A line diff of the two documents, both written the same way (comments aside)."""
    return "".join(
        difflib.unified_diff(
            _lines(old) if old is not None else [],
            _lines(new),
            fromfile=old_name,
            tofile=new_name,
        )
    )


def yaml_text(data: Mapping[str, Any]) -> str:
    """A document as YAML, fields in the document's order (for versions published as data)."""
    return yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, width=100)


def _lines(data: Mapping[str, Any]) -> list[str]:
    return yaml_text(data).splitlines(keepends=True)
