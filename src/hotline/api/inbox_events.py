"""The signed-in user's notices, live: ``GET /inbox/events`` (server-sent events).

Fed from the inbox rows, not from the bus: each event's ``id`` is the notification's row id, so a
browser that reconnects sends ``Last-Event-ID`` and gets exactly the rows it missed (the
``EventSource`` does this by itself). A first connection without one starts at the live edge:
the page loads the inbox list through ``GET /inbox`` and then listens. Events are named
``notification``; the data is the inbox item as JSON (``kind`` says what happened: ``dispatch``
for a new order in the department, ``return``, ``supervise`` for 督办, escalation steps for
orders soon due or late).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from fastapi.sse import EventSourceResponse, format_sse_event
from sqlalchemy import func, select

from hotline.api.access import AnyUser
from hotline.api.params import MAX_BIG_ROW_ID
from hotline.api.streams import EVENT_STREAM, format_comment, heartbeat_of, require_event_stream
from hotline.db.models import NotificationRow
from hotline.deps import AppState, AppStateDep, SessionDep
from hotline.workorders.inbox_watch import InboxWatch

router = APIRouter(tags=["inbox"])

WATCH_KEY = "inbox_watch"
_PAGE = 200


def inbox_watch(state: AppState) -> InboxWatch:
    watch = state.extras.get(WATCH_KEY)
    if not isinstance(watch, InboxWatch):
        interval = float(state.extras.get("inbox_watch_s", 1.0))  # tests shorten it
        watch = state.extras[WATCH_KEY] = InboxWatch(state.sessionmaker, interval)
        watch.attach(state.engine)
    return watch


def _frame(row: NotificationRow) -> bytes:
    item = {
        "id": row.id,
        "kind": row.kind,
        "order_id": row.order_id,
        "message": row.message,
        "created_at": row.created_at.isoformat(),
        "read_at": row.read_at.isoformat() if row.read_at else None,
    }
    data = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
    return format_sse_event(data_str=data, event="notification", id=str(row.id))


async def _notices(state: AppState, user_id: int, after: int) -> AsyncIterator[bytes]:
    watch = inbox_watch(state)
    heartbeat = heartbeat_of(state)
    yield format_comment("connected")
    async with watch.watching():
        while True:
            ticket = watch.ticket()
            async with state.sessionmaker() as session:
                rows = list(
                    await session.scalars(
                        select(NotificationRow)
                        .where(
                            NotificationRow.recipient_user_id == user_id,
                            NotificationRow.id > after,
                        )
                        .order_by(NotificationRow.id)
                        .limit(_PAGE)
                    )
                )
            for row in rows:
                after = row.id
                yield _frame(row)
            if len(rows) == _PAGE:
                continue  # a backlog after a long absence: send on without waiting
            if not await watch.wait(ticket, heartbeat):
                yield format_comment("heartbeat")


@router.get(
    "/inbox/events",
    # A coroutine that may refuse (406) before it returns the stream; see api/streams.py.
    response_class=StreamingResponse,
    responses={200: {"content": {EVENT_STREAM: {}}, "description": "the user's notices"}},
)
async def inbox_events(
    request: Request,
    session: SessionDep,
    state: AppStateDep,
    principal: AnyUser,
    last_event_id: Annotated[
        str | None, Header(alias="Last-Event-ID", include_in_schema=False)
    ] = None,
    after: Annotated[
        int | None,
        Query(ge=0, le=MAX_BIG_ROW_ID, description="resume after this notification id"),
    ] = None,
) -> EventSourceResponse:
    """Your notices as they are written; resume with ``Last-Event-ID`` (or ``?after=``)."""
    require_event_stream(request)
    resume = after
    if last_event_id is not None and last_event_id.strip().isdigit():
        resume = int(last_event_id.strip())
    if resume is None:  # the live edge: what the user has now was loaded through GET /inbox
        resume = int(
            await session.scalar(
                select(func.coalesce(func.max(NotificationRow.id), 0)).where(
                    NotificationRow.recipient_user_id == principal.user_id
                )
            )
            or 0
        )
    await session.close()  # a stream lasts for hours: give the pooled connection back now
    return EventSourceResponse(
        _notices(state, principal.user_id, resume),
        headers={"Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no"},
    )
