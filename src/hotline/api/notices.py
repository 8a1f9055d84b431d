"""Notices outside the browser: the admin's delivery status and "retry now", and each person's
own contact details for them (e-mail address, mobile number for the SMS gateway)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, func, select, update

from hotline.api.access import Admin, AnyUser
from hotline.db.models import NoticeContact, NoticeOutboxRow
from hotline.deps import AppStateDep, SessionDep
from hotline.workorders import delivery

router = APIRouter(tags=["notices"])


class ChannelStatus(BaseModel):
    channel: str
    configured: bool = Field(description="the channel's settings are present (new notices go out)")
    pending: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    last_error: str | None = None
    last_error_at: datetime | None = None
    last_sent_at: datetime | None = None


class NoticeStatus(BaseModel):
    channels: list[ChannelStatus]
    retried: int | None = Field(default=None, description="rows made due by 'retry now'")


class ContactRead(BaseModel):
    email: str | None = None
    phone: str | None = None


class ContactWrite(BaseModel):
    # A plain shape check (the mail relay is the judge of deliverability); no extra dependency.
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9]{5,20}$")


async def notice_status(session: SessionDep, state: AppStateDep) -> NoticeStatus:
    configured = set(state.settings.notices.channels())
    table = NoticeOutboxRow
    counts = await session.execute(
        select(table.channel, table.status, func.count()).group_by(table.channel, table.status)
    )
    channels = {
        name: ChannelStatus(channel=name, configured=name in configured)
        for name in delivery.CHANNELS
    }
    for channel, status, count in counts:
        entry = channels.setdefault(channel, ChannelStatus(channel=channel, configured=False))
        if status in delivery.STATUSES:
            setattr(entry, status, int(count))
    for name, entry in channels.items():
        failing = await session.execute(
            select(table.last_error, table.next_attempt_at)
            .where(table.channel == name, table.last_error.is_not(None), table.status != "sent")
            .order_by(table.id.desc())
            .limit(1)
        )
        row = failing.first()
        if row is not None:
            entry.last_error, entry.last_error_at = row[0], row[1]
        entry.last_sent_at = await session.scalar(
            select(func.max(table.sent_at)).where(table.channel == name)
        )
    return NoticeStatus(channels=list(channels.values()))


@router.get("/admin/notifications", response_model=NoticeStatus)
async def status_page_data(session: SessionDep, state: AppStateDep, _: Admin) -> NoticeStatus:
    """Per channel: pending, sent, failed and skipped notices, the last error and last success.

    ``last_error_at`` is when the failing notice is next tried (or, once failed for good, when
    its last attempt's backoff ended)."""
    return await notice_status(session, state)


@router.post("/admin/notifications/retry", response_model=NoticeStatus)
async def retry_now(
    session: SessionDep,
    state: AppStateDep,
    _: Admin,
    channel: Annotated[str | None, Query(pattern="^(email|webhook)$")] = None,
) -> NoticeStatus:
    """Make failed notices, and pending ones waiting out a backoff, due now (one channel or
    all); the delivery worker is woken at once."""
    table = NoticeOutboxRow
    condition: list[ColumnElement[bool]] = [table.status.in_(("failed", "pending"))]
    if channel is not None:
        condition.append(table.channel == channel)
    result = await session.execute(
        update(table)
        .where(*condition)
        .values(status="pending", attempts=0, next_attempt_at=state.clock.now())
    )
    await session.commit()
    delivery.wake(state)
    status = await notice_status(session, state)
    status.retried = int(result.rowcount or 0)  # type: ignore[attr-defined]
    return status


@router.get("/me/notice-contact", response_model=ContactRead)
async def my_contact(session: SessionDep, principal: AnyUser) -> ContactRead:
    """Where your notices go outside the browser (empty: in-app only)."""
    row = await session.get(NoticeContact, principal.user_id)
    return ContactRead(email=row.email, phone=row.phone) if row else ContactRead()


@router.put("/me/notice-contact", response_model=ContactRead)
async def set_my_contact(
    body: ContactWrite, session: SessionDep, principal: AnyUser
) -> ContactRead:
    """Set your e-mail address and mobile number for notices (null removes one)."""
    row = await session.get(NoticeContact, principal.user_id)
    if row is None:
        row = NoticeContact(user_id=principal.user_id)
        session.add(row)
    row.email = body.email
    row.phone = body.phone
    await session.flush()
    return ContactRead(email=row.email, phone=row.phone)
