"""The article editor's form: its text fields to and from a version, and errors per field.

An HTML form sends strings; the editor writes lists one item per line (phrasings, legal basis)
or separated by commas (tags, topic codes, editors). The values go through the API's own
schemas (:class:`ContentWrite`, :class:`ArticleCreate`), so the page accepts exactly what the API
accepts; each refusal is turned into a message id shown next to the field it names.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from hotline.db.models import KbArticle, KbVersion
from hotline.knowledge.schemas import ArticleCreate, ContentWrite

REGIONS = ("zhejiang", "hangzhou", "wenzhou")
_SPLIT = re.compile(r"[,，、\s]+")
# Domain errors name the API's fields; the form's inputs are named after the version's columns.
_FIELD_OF = {"topics": "topic_codes"}


@dataclass
class EditorForm:
    """Every input of the editor as the person typed it (so a refused form comes back intact)."""

    title: str = ""
    question: str = ""
    alt_questions: str = ""
    answer: str = ""
    legal_basis: str = ""
    regions: list[str] = field(default_factory=lambda: ["zhejiang"])
    effective_from: str = ""
    effective_to: str = ""
    tags: str = ""
    topic_codes: str = ""
    reason: str = ""
    # Only when the article is new:
    id: str = ""
    department: str = ""
    owner: str = ""
    editors: str = ""
    review_due: str = ""

    @classmethod
    def of_version(cls, v: KbVersion) -> EditorForm:
        return cls(
            title=v.title,
            question=v.question,
            alt_questions="\n".join(v.alt_questions),
            answer=v.answer,
            legal_basis="\n".join(v.legal_basis),
            regions=list(v.regions),
            effective_from=v.effective_from.isoformat(),
            effective_to=v.effective_to.isoformat() if v.effective_to else "",
            tags=", ".join(v.tags),
            topic_codes=", ".join(v.topic_codes),
        )

    @classmethod
    def of_post(cls, data: FormData) -> EditorForm:
        text = {k: str(data.get(k, ""))[:60_000] for k in asdict(cls()) if k != "regions"}
        regions = [str(r) for r in data.getlist("regions")][:20]
        return cls(regions=regions, **text)

    def head_of(self, article: KbArticle) -> None:
        self.id, self.department, self.owner = article.id, article.department, article.owner
        self.editors = ", ".join(article.editors)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _words(text: str) -> list[str]:
    return [word for word in _SPLIT.split(text) if word]


def _content_data(form: EditorForm) -> dict[str, Any]:
    return {
        "title": form.title.strip(),
        "question": form.question.strip(),
        "answer": form.answer.strip(),
        "alt_questions": _lines(form.alt_questions),
        "legal_basis": _lines(form.legal_basis),
        "regions": form.regions,
        "effective_from": form.effective_from.strip() or None,
        "effective_to": form.effective_to.strip() or None,
        "tags": _words(form.tags),
        "topic_codes": _words(form.topic_codes),
    }


def _errors(exc: ValidationError, prefix: tuple[str, ...] = ()) -> dict[str, str]:
    """The first refusal per form field, as the message id ``kbedit.err.<field>``."""
    out: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(part) for part in error["loc"] if not isinstance(part, int)]
        if loc[: len(prefix)] == list(prefix):
            loc = loc[len(prefix) :]
        name = _FIELD_OF.get(loc[0], loc[0]) if loc else "title"
        out.setdefault(name, f"kbedit.err.{name}")
    return out


def parse_content(form: EditorForm) -> tuple[ContentWrite | None, dict[str, str]]:
    """The content, or the message id of what to fix per field."""
    try:
        return ContentWrite.model_validate(_content_data(form)), {}
    except ValidationError as exc:
        return None, _errors(exc)


def parse_new(form: EditorForm) -> tuple[ArticleCreate | None, dict[str, str]]:
    """A new article (head and first version), or the message id of what to fix per field."""
    data = {
        "id": form.id.strip(),
        "department": form.department.strip(),
        "owner": form.owner.strip(),
        "editors": _words(form.editors),
        "content": _content_data(form),
        "reason": form.reason.strip() or "new article",
        "review_due": form.review_due.strip() or None,
    }
    try:
        return ArticleCreate.model_validate(data), {}
    except ValidationError as exc:
        errors = _errors(exc)
        errors.update(_errors(exc, ("content",)))
        errors.pop("content", None)
        return None, errors


def field_of(domain_field: str | None) -> str:
    """The form input a domain error names (``topics`` is the input ``topic_codes``)."""
    name = domain_field or "title"
    return _FIELD_OF.get(name, name)
