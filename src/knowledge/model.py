"""The article and its versions, as plain values.

An *article* is a lineage (``kb-iit-001``) owned by one department and changed only by its editors;
a *version* is one text of it with the period and regions it is the answer for. Versions are never
edited once they leave ``draft``: a change is a new version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    REVIEW = "review"
    PUBLISHED = "published"
    RETIRED = "retired"


@dataclass(frozen=True)
class VersionContent:
    """What an editor writes: every field of one version of an article."""

    title: str
    question: str
    answer: str
    effective_from: date
    regions: tuple[str, ...]
    alt_questions: tuple[str, ...] = ()
    legal_basis: tuple[str, ...] = ()
    effective_to: date | None = None
    tags: tuple[str, ...] = ()
    topic_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArticleHead:
    """Who owns an article: the department, the named owner, the editors (user names)."""

    id: str
    department: str
    owner: str
    editors: tuple[str, ...] = field(default_factory=tuple)
