"""Reading the audit trail (administrators and the director)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from hotline.api.access import AuditReader
from hotline.db.models import AuditLog
from hotline.deps import SessionDep
from hotline.schemas.base import Schema, SearchText

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


@router.get("", response_model=list[AuditRead])
async def list_audit(
    session: SessionDep,
    _: AuditReader,
    action: SearchText | None = None,
    actor: SearchText | None = Query(default=None, description="username"),
    limit: int = Query(default=100, ge=1, le=1000),
) -> object:
    stmt = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if action:
        stmt = stmt.where(AuditLog.action == action)
    if actor:
        stmt = stmt.where(AuditLog.actor_username == actor)
    return (await session.scalars(stmt)).all()
