"""The in-app inbox: the signed-in user's work-order notifications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import func, select, update

from hotline.api.access import AnyUser
from hotline.api.paging import (
    MAX_LIMIT,
    CursorParam,
    Key,
    Sort,
    next_link,
    page_query,
    parse_datetime,
)
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


INBOX_SORTS = (
    Sort(
        "-created_at",
        (
            Key(NotificationRow.created_at.expression, True, parse=parse_datetime),
            Key(NotificationRow.id.expression, True),
        ),
    ),
)


@router.get("", response_model=InboxPage)
async def inbox(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: AnyUser,
    unread_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    cursor: CursorParam = None,
) -> InboxPage:
    """Newest first, in keyset pages (docs/api.md), with the count of unread notifications."""
    mine = NotificationRow.recipient_user_id == principal.user_id
    query = select(NotificationRow).where(mine)
    if unread_only:
        query = query.where(NotificationRow.read_at.is_(None))
    sort = INBOX_SORTS[0]
    rows = list(await session.scalars(page_query(query, sort, cursor, limit)))
    unread = await session.scalar(
        select(func.count()).where(mine, NotificationRow.read_at.is_(None))
    )
    return InboxPage(
        items=[_read(row) for row in rows[:limit]],
        unread=int(unread or 0),
        limit=limit,
        next=next_link(request, response, sort, rows, limit),
    )


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
