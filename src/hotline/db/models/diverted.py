"""Questions routing gave up on, kept until they are filed as work orders (an outbox).

A voicemail or a ``work_order`` divert writes one row before anything tries to file it; a
failed filing (the database away at that moment, a bug) leaves the row due again later, so the
question is never lost. ``call_id`` is unique: one question per call, one order per question.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.clock import utc_now
from hotline.db.base import Base, BigIntPK


class DivertedQuestionRow(Base):
    __tablename__ = "diverted_question"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    # No foreign key: the question outlives a purged call record.
    call_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    question: Mapped[Any] = mapped_column(JSON)  # hotline.telephony.diverted.DivertedQuestion
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
    filed_at: Mapped[datetime | None]
    reference: Mapped[str | None] = mapped_column(String(32))  # the work order's
    # The voicemail (stored on the site's Asterisk under this name), swept after the retention
    # period like call recordings (settings.recording.retention_days).
    recording: Mapped[str | None] = mapped_column(String(128))
    site: Mapped[str | None] = mapped_column(String(32))  # the site code that recorded it
    recording_purged_at: Mapped[datetime | None]
