"""Call summaries (电话小结) and the two-level topic taxonomy they are filed under.

A ``topic`` is either a business area (``parent_code`` NULL, e.g. ``IIT``) or a subject inside one
(``IIT.DEDUCT``); a summary names a subject. Topics are never deleted, only retired
(``active`` false), so old summaries keep a valid reference. One ``call_summary`` per call and
agent: a transferred call gets one from each agent who talked with the caller.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hotline.clock import utc_now
from hotline.db.base import Base, BigIntPK

SummaryResult = Literal["answered", "work_order", "transferred", "callback_promised"]
SUMMARY_RESULTS: tuple[str, ...] = get_args(SummaryResult)


class Topic(Base):
    __tablename__ = "topic"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("topic.code", ondelete="RESTRICT"), index=True
    )
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class CallSummaryRow(Base):
    __tablename__ = "call_summary"
    __table_args__ = (
        UniqueConstraint("call_id", "agent_id"),
        CheckConstraint(
            "result IN (" + ", ".join(f"'{r}'" for r in SUMMARY_RESULTS) + ")",
            name="result_known",
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id", ondelete="RESTRICT"), index=True)
    topic_code: Mapped[str] = mapped_column(
        ForeignKey("topic.code", ondelete="RESTRICT"), index=True
    )
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")
    kb_articles: Mapped[list[Any]] = mapped_column(JSON, default=list)
    result: Mapped[str] = mapped_column(String(20))
    # The taxpayer's identity as the agent learnt it on the call (name, taxpayer id); optional.
    taxpayer: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)
