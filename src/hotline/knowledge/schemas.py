"""Request and response bodies of the knowledge-base API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from hotline.schemas.base import Schema
from knowledge.model import ArticleHead, VersionContent

Region = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{1,31}$")]
Line = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class KbHit(Schema):
    """One search result; ``id`` is the version's key, what a call summary records."""

    id: str
    article_id: str
    title: str
    question: str
    answer: str
    topic_codes: list[str]
    version: int
    score: float
    regions: list[str]
    effective_from: date
    effective_to: date | None
    title_html: str = Field(description="the title, HTML-escaped, matches in <mark>")
    question_html: str = Field(description="the question, HTML-escaped, matches in <mark>")
    demo: bool = False


class ContentWrite(Schema):
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    question: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    answer: Annotated[str, StringConstraints(min_length=1, max_length=50_000)]
    alt_questions: list[Line] = Field(default_factory=list, max_length=20)
    legal_basis: list[Line] = Field(default_factory=list, max_length=20)
    regions: list[Region] = Field(min_length=1, max_length=20)
    effective_from: date
    effective_to: date | None = None
    tags: list[Annotated[str, StringConstraints(min_length=1, max_length=40)]] = Field(
        default_factory=list, max_length=30
    )
    topic_codes: list[Annotated[str, StringConstraints(min_length=1, max_length=32)]] = Field(
        default_factory=list, max_length=10
    )

    def content(self) -> VersionContent:
        return VersionContent(
            title=self.title,
            question=self.question,
            answer=self.answer,
            effective_from=self.effective_from,
            effective_to=self.effective_to,
            regions=tuple(self.regions),
            alt_questions=tuple(self.alt_questions),
            legal_basis=tuple(self.legal_basis),
            tags=tuple(self.tags),
            topic_codes=tuple(self.topic_codes),
        )


class ArticleCreate(Schema):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{2,63}$")]
    department: Annotated[str, StringConstraints(max_length=64)]
    owner: Annotated[str, StringConstraints(max_length=100)]
    editors: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=50
    )
    content: ContentWrite
    reason: Annotated[str, StringConstraints(max_length=2000)] = "new article"
    review_due: date | None = Field(
        default=None, description="the owner re-checks the article by this day"
    )

    def head(self) -> ArticleHead:
        return ArticleHead(self.id, self.department, self.owner, tuple(self.editors))


class VersionWrite(Schema):
    content: ContentWrite
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class StepWrite(Schema):
    note: Annotated[str, StringConstraints(max_length=2000)] = ""


class VersionRead(Schema):
    id: str = Field(description="the version's key")
    article_id: str
    number: int
    status: str
    title: str
    question: str
    alt_questions: list[str]
    answer: str
    answer_html: str = Field(description="the answer rendered, raw HTML shown as text")
    legal_basis: list[str]
    regions: list[str]
    effective_from: date
    effective_to: date | None
    tags: list[str]
    topic_codes: list[str]
    supersedes: str | None
    author: str
    reason: str
    created_at: datetime
    published_at: datetime | None
    published_by: str | None


class ArticleRead(Schema):
    id: str
    department: str
    owner: str
    editors: list[str]
    review_due: date | None
    version: VersionRead


class EventRead(Schema):
    version: int
    action: str
    actor: str
    note: str
    at: datetime


class HistoryRead(Schema):
    id: str
    versions: list[VersionRead]
    events: list[EventRead]


class CorrectionWrite(Schema):
    text: Annotated[str, StringConstraints(min_length=1, max_length=5000)]
    version_key: Annotated[str, StringConstraints(max_length=80)] | None = None


class CorrectionClose(Schema):
    resolution: Annotated[str, StringConstraints(max_length=2000)] = ""


class CorrectionRead(Schema):
    id: int
    article_id: str
    version_key: str | None
    proposed_by: str
    text: str
    status: str
    resolution: str
    created_at: datetime
    closed_at: datetime | None
    closed_by: str | None


class ReviewDueRead(Schema):
    id: str
    department: str
    owner: str
    review_due: date


class UnansweredRead(Schema):
    query: str
    searches: int
    last_at: datetime


class UsedRead(Schema):
    id: str = Field(description="the version key recorded in call summaries")
    title: str
    calls: int


class UsageRead(Schema):
    since: datetime
    unanswered: list[UnansweredRead]
    most_used: list[UsedRead]
