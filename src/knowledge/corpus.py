"""Articles as Markdown files with YAML front matter (the import and export format).

One file per version, named ``<key>.md``: ``kb-iit-001.md`` is the version in force now, an older
one carries its last year (``kb-iit-001-v2023.md``) and the newer one names it in ``supersedes``.
Every error names the file and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

from knowledge.errors import InvalidArticleError
from knowledge.model import ArticleHead, VersionContent
from knowledge.rules import check_content, check_head

_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n?(.*)\Z", re.DOTALL)
_OLD_VERSION = re.compile(r"^(.*)-v\d{4}$")


class _Loader(yaml.SafeLoader):
    """YAML without implicit dates: a date is read as text and checked here, naming the field."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

REQUIRED = ("id", "title", "question", "department", "owner", "regions", "effective_from")


@dataclass(frozen=True)
class ArticleFile:
    key: str  # the file's id: the lineage id, or lineage + -vYYYY for an older version
    head: ArticleHead
    content: VersionContent
    supersedes: str | None


class ArticleFileError(InvalidArticleError):
    """A file that cannot be imported: names the file and the field."""

    def __init__(self, name: str, message: str, field: str | None = None) -> None:
        where = f"{name}: {field}: " if field else f"{name}: "
        super().__init__(where + message, field=field)
        self.file = name


def lineage_of(key: str) -> str:
    """``kb-iit-001-v2023`` -> ``kb-iit-001``: the article an older version belongs to."""
    match = _OLD_VERSION.match(key)
    return match.group(1) if match else key


def _date(name: str, data: dict[str, Any], field: str) -> date | None:
    value = data.get(field)
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ArticleFileError(name, f"'{value}' is not a date (YYYY-MM-DD)", field) from None


def _strings(name: str, data: dict[str, Any], field: str) -> tuple[str, ...]:
    value = data.get(field) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise ArticleFileError(name, "must be a list of strings", field)
    return tuple(str(v) for v in value)


def parse_article(name: str, text: str, known_topics: set[str] | None = None) -> ArticleFile:
    """One article file, validated; ``name`` is the file name used in errors."""
    match = _FRONT.match(text.lstrip("\ufeff"))
    if not match:
        raise ArticleFileError(name, "no YAML front matter between '---' lines")
    try:
        data = yaml.load(match.group(1), Loader=_Loader)
    except yaml.YAMLError as exc:
        raise ArticleFileError(name, f"front matter is not YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ArticleFileError(name, "front matter must be a mapping")
    for field in REQUIRED:
        if data.get(field) in (None, "", []):
            raise ArticleFileError(name, "is missing", field)
    key = str(data["id"])
    stem = name.rsplit("/", 1)[-1].removesuffix(".md")
    if key != stem:
        raise ArticleFileError(name, f"'{key}' differs from the file name '{stem}'", "id")
    start = _date(name, data, "effective_from")
    assert start is not None  # required above
    content = VersionContent(
        title=str(data["title"]).strip(),
        question=str(data["question"]).strip(),
        answer=match.group(2).strip(),
        effective_from=start,
        effective_to=_date(name, data, "effective_to"),
        regions=_strings(name, data, "regions"),
        alt_questions=_strings(name, data, "alt_questions"),
        legal_basis=_strings(name, data, "legal_basis"),
        tags=_strings(name, data, "tags"),
        topic_codes=_strings(name, data, "topics"),
    )
    head = ArticleHead(
        id=lineage_of(key),
        department=str(data["department"]),
        owner=str(data["owner"]),
        editors=_strings(name, data, "editors"),
    )
    try:
        check_head(head)
        check_content(content, known_topics)
    except InvalidArticleError as exc:
        named = "body" if exc.field == "answer" else exc.field
        raise ArticleFileError(name, exc.message, named) from None
    supersedes = data.get("supersedes")
    return ArticleFile(key, head, content, str(supersedes) if supersedes else None)


def render_article(article: ArticleFile) -> str:
    """The file text for one version (the inverse of :func:`parse_article`)."""
    c, h = article.content, article.head
    front: dict[str, Any] = {
        "id": article.key,
        "title": c.title,
        "question": c.question,
        "alt_questions": list(c.alt_questions),
        "legal_basis": list(c.legal_basis),
        "department": h.department,
        "regions": list(c.regions),
        "effective_from": c.effective_from.isoformat(),
        "effective_to": c.effective_to.isoformat() if c.effective_to else None,
    }
    if article.supersedes:
        front["supersedes"] = article.supersedes
    front |= {"tags": list(c.tags), "topics": list(c.topic_codes), "owner": h.owner}
    if h.editors:
        front["editors"] = list(h.editors)
    body = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
    return f"---\n{body}---\n{c.answer}\n"


def index_text(content: VersionContent) -> str:
    """The text a version is found by: title and questions count more than the answer body."""
    lead = [content.title] * 3 + [content.question] * 2 + list(content.alt_questions) * 2
    return "\n".join([*lead, *content.tags, *content.tags, content.answer])
