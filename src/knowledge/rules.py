"""Region and effective-date rules, and the checks a version must pass before it is kept.

Dates are the period in which a version is *the answer to give*: inclusive on both ends, an open
``effective_to`` meaning until further notice. A version for the whole province applies to every
city in it; a city version applies to that city only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date

from knowledge.errors import InvalidArticleError, OverlappingVersionsError
from knowledge.model import ArticleHead, VersionContent

# The province the centre serves: a version for it applies in every city. One constant, because
# a provincial centre serves one province (the corpus is Zhejiang's).
PROVINCE = "zhejiang"
_REGION = re.compile(r"^[a-z][a-z0-9_-]{1,31}$")
_ARTICLE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,63}$")


def in_force(effective_from: date, effective_to: date | None, day: date) -> bool:
    """True when a version with this period is the answer on ``day``."""
    return effective_from <= day and (effective_to is None or day <= effective_to)


def applies_to(regions: Iterable[str], region: str | None) -> bool:
    """True when a version for ``regions`` answers a caller from ``region`` (None: any caller)."""
    regions = set(regions)
    return region is None or PROVINCE in regions or region in regions


def periods_overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    """True when two inclusive periods (open end = None) share at least one day."""
    return (b_to is None or a_from <= b_to) and (a_to is None or b_from <= a_to)


def regions_overlap(a: Iterable[str], b: Iterable[str]) -> bool:
    """True when some caller is covered by both region lists (the province covers every city)."""
    a, b = set(a), set(b)
    return bool(a & b) or (PROVINCE in a and bool(b)) or (PROVINCE in b and bool(a))


def check_no_overlap(
    content: VersionContent, published: Sequence[tuple[str, VersionContent]]
) -> None:
    """Refuse a version that would be in force together with a published one for one region."""
    for label, other in published:
        if periods_overlap(
            content.effective_from, content.effective_to, other.effective_from, other.effective_to
        ) and regions_overlap(content.regions, other.regions):
            raise OverlappingVersionsError(
                f"version {label} is already in force from {other.effective_from} to "
                f"{other.effective_to or 'open end'} for {', '.join(other.regions)}",
                field="effective_from",
                code="overlapping" if other.effective_to else "overlapping_open",
                params={
                    "label": str(label),
                    "start": str(other.effective_from),
                    "end": str(other.effective_to or ""),
                    "regions": ", ".join(other.regions),
                },
            )


def check_head(head: ArticleHead) -> None:
    """An article needs an id, an owning department and a named owner."""
    if not _ARTICLE_ID.match(head.id):
        raise InvalidArticleError(
            f"'{head.id}' is not an article id (lowercase letters, digits, '-')",
            field="id",
            code="not_an_id",
            params={"id": head.id},
        )
    if not head.department.strip():
        raise InvalidArticleError(
            "an article needs an owning department", field="department", code="no_department"
        )
    if not head.owner.strip():
        raise InvalidArticleError("an article needs an owner", field="owner", code="no_owner")


def check_content(content: VersionContent, known_topics: set[str] | None = None) -> None:
    """Refuse a version with an empty required field, a bad period or region, or unknown topic."""
    for name in ("title", "question", "answer"):
        if not getattr(content, name).strip():
            raise InvalidArticleError(
                f"{name} must not be empty", field=name, code="empty", params={"name": name}
            )
    if not content.regions:
        raise InvalidArticleError("name at least one region", field="regions", code="no_region")
    for region in content.regions:
        if not _REGION.match(region):
            raise InvalidArticleError(
                f"'{region}' is not a region code",
                field="regions",
                code="bad_region",
                params={"region": region},
            )
    if content.effective_to is not None and content.effective_to < content.effective_from:
        raise InvalidArticleError(
            f"effective_to {content.effective_to} is before effective_from "
            f"{content.effective_from}",
            field="effective_to",
            code="ends_before_start",
            params={"end": str(content.effective_to), "start": str(content.effective_from)},
        )
    if known_topics is not None:
        for code in content.topic_codes:
            if code not in known_topics:
                raise InvalidArticleError(
                    f"unknown topic code '{code}'",
                    field="topics",
                    code="unknown_topic",
                    params={"topic": code},
                )
