"""The in-app inbox: the signed-in user's work-order notifications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import func, select, update

from hotline.api.access import AnyUser
from hotline.api.params import BigRowId
from hotline.db.models import NotificationRow
from hotline.deps import AppStateDep, SessionDep
from hotline.errors import NotFoundError
from hotline.workorders.schemas import InboxPage, NotificationRead

router = APIRouter(prefix="/inbox", tags=["inbox"])


def _read(row: NotificationRow) -> NotificationRead:
    return NotificationRead(
        id=row.id,
        kind=row.kind,
        order_id=row.order_id,
        message=row.message,
        created_at=row.created_at,
        read_at=row.read_at,
    )


@router.get("", response_model=InboxPage)
async def inbox(
    session: SessionDep,
    principal: AnyUser,
    unread_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> InboxPage:
    """Newest first."""
    mine = NotificationRow.recipient_user_id == principal.user_id
    query = select(NotificationRow).where(mine)
    if unread_only:
        query = query.where(NotificationRow.read_at.is_(None))
    rows = await session.scalars(
        query.order_by(NotificationRow.created_at.desc(), NotificationRow.id.desc()).limit(limit)
    )
    unread = await session.scalar(
        select(func.count()).where(mine, NotificationRow.read_at.is_(None))
    )
    return InboxPage(items=[_read(row) for row in rows], unread=int(unread or 0))


@router.post("/{notification_id}/read", response_model=NotificationRead)
async def mark_read(
    notification_id: BigRowId, state: AppStateDep, session: SessionDep, principal: AnyUser
) -> NotificationRead:
    row = await session.get(NotificationRow, notification_id)
    if row is None or row.recipient_user_id != principal.user_id:
        raise NotFoundError(f"no notification {notification_id} in your inbox")
    if row.read_at is None:
        row.read_at = state.clock.now()
    await session.flush()
    return _read(row)


@router.post("/read-all", response_model=InboxPage)
async def mark_all_read(state: AppStateDep, session: SessionDep, principal: AnyUser) -> InboxPage:
    await session.execute(
        update(NotificationRow)
        .where(
            NotificationRow.recipient_user_id == principal.user_id,
            NotificationRow.read_at.is_(None),
        )
        .values(read_at=state.clock.now())
    )
    return InboxPage(items=[], unread=0)
