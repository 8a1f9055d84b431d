"""Reading the audit trail (administrators and the director)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from hotline.api.access import AuditReader
from hotline.api.paging import (
    DEFAULT_LIMIT,
    CursorParam,
    Key,
    LimitParam,
    Sort,
    capped_total,
    choose_sort,
    next_link,
    page_query,
    sort_param,
)
from hotline.db.models import AuditLog
from hotline.deps import SessionDep
from hotline.schemas.base import Moment, Schema, SearchText
from hotline.schemas.page import Page

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditRead(Schema):
    id: int
    at: datetime
    actor_user_id: int | None
    actor_username: str | None
    action: str
    subject_type: str | None
    subject_id: str | None
    detail: dict[str, Any]
    request_id: str | None
    client_ip: str | None


AuditPage = Page[AuditRead]
AUDIT_SORTS = (
    Sort("-id", (Key(AuditLog.id.expression, True),)),
    Sort("id", (Key(AuditLog.id.expression),)),
)


@router.get("", response_model=AuditPage)
async def list_audit(
    request: Request,
    response: Response,
    session: SessionDep,
    _: AuditReader,
    action: SearchText | None = None,
    actor: Annotated[SearchText | None, Query(description="username")] = None,
    from_: Annotated[Moment | None, Query(alias="from", description="at or after")] = None,
    to: Annotated[Moment | None, Query(description="before")] = None,
    sort: Annotated[str | None, sort_param(AUDIT_SORTS)] = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> AuditPage:
    """The trail, newest first, in keyset pages (docs/api.md): it grows without end, so a
    client walks it page by page (``next``) rather than asking for all of it."""
    chosen = choose_sort(AUDIT_SORTS, sort)
    stmt = select(AuditLog)
    if action:
        stmt = stmt.where(AuditLog.action == action)
    if actor:
        stmt = stmt.where(AuditLog.actor_username == actor)
    if from_ is not None:
        stmt = stmt.where(AuditLog.at >= from_)
    if to is not None:
        stmt = stmt.where(AuditLog.at < to)
    total, capped = await capped_total(session, stmt)
    rows = list(await session.scalars(page_query(stmt, chosen, cursor, limit)))
    link = next_link(request, response, chosen, rows, limit)
    return AuditPage(
        items=[AuditRead.model_validate(row) for row in rows[:limit]],
        limit=limit,
        next=link,
        total=total,
        total_capped=capped,
    )
