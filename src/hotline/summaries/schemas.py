"""Request and response shapes of summaries and topics."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from hotline.db.models.summary import SummaryResult
from hotline.schemas.base import Schema

TopicCode = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{0,15}(\.[A-Z0-9_]{1,15})?$")]
Text = Annotated[str, StringConstraints(max_length=4000)]


class TopicWrite(Schema):
    """A business area (no parent) or a subject inside one (``parent_code`` the area's code)."""

    code: TopicCode
    parent_code: TopicCode | None = None
    name_zh: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    name_en: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    position: int = Field(default=0, ge=0, le=10_000)
    active: bool = True


class TopicRead(TopicWrite):
    children: list[TopicRead] = Field(default_factory=list)


class KbArticleRef(Schema):
    """A knowledge-base article the agent used (its version once the knowledge base exists)."""

    id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    title: Annotated[str, StringConstraints(max_length=200)] = ""
    version: int | None = Field(default=None, ge=1)


class Taxpayer(Schema):
    name: Annotated[str, StringConstraints(max_length=120)] | None = None
    taxpayer_id: Annotated[str, StringConstraints(max_length=32)] | None = Field(
        default=None, description="统一社会信用代码 / 纳税人识别号, as told by the caller"
    )


class SummaryWrite(Schema):
    topic_code: TopicCode = Field(description="a subject of the taxonomy, e.g. IIT.DEDUCT")
    question: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    answer: Text = ""
    kb_articles: list[KbArticleRef] = Field(default_factory=list, max_length=20)
    result: SummaryResult
    taxpayer: Taxpayer = Field(default_factory=Taxpayer)


class SummaryRead(Schema):
    id: int
    call_id: int
    agent_id: int
    topic_code: str
    question: str
    answer: str
    kb_articles: list[dict[str, Any]]
    result: str
    taxpayer: dict[str, Any]
    created_at: datetime
    updated_at: datetime
