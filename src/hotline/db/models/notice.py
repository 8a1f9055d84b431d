"""Work-order attachments and the outbox of notices that leave the process (e-mail, webhook).

An attachment row describes a file kept in the configured directory under ``storage_key`` (a
random name: nothing the uploader chose reaches the file system). An outbox row is one notice
for one recipient on one channel, written in the order's transaction and delivered later by
``hotline.workorders.delivery``; its ``status`` goes pending -> sent, or failed after the last
attempt.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.clock import utc_now
from hotline.db.base import Base, BigIntPK


class WorkOrderAttachment(Base):
    __tablename__ = "work_order_attachment"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    order_id: Mapped[str] = mapped_column(
        ForeignKey("work_order.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utc_now)


class NoticeOutboxRow(Base):
    __tablename__ = "notice_outbox"
    # The worker's scan: due pending rows in order; the status page counts per channel x status.
    __table_args__ = (
        Index("ix_notice_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_notice_outbox_channel_status", "channel", "status"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient_user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[str | None] = mapped_column(
        ForeignKey("work_order.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    sent_at: Mapped[datetime | None]


class NoticeContact(Base):
    """Where a person receives notices outside the browser (their e-mail, their mobile)."""

    __tablename__ = "notice_contact"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
