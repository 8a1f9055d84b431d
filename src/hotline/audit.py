"""Writing the audit trail.

:func:`record` commits an entry in its own transaction, so a refused login still leaves its
trace. :func:`add` puts an entry in the request's own session: it commits with the response it
audits, and the request never takes a second connection from the pool for it (holding one while
waiting for another deadlocks the pool under load)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import AuditLog
from hotline.db.session import transaction

LOGIN_SUCCEEDED = "login_succeeded"
LOGIN_FAILED = "login_failed"
LOGIN_THROTTLED = "login_throttled"
ACCOUNT_LOCKED = "account_locked"
LOGGED_OUT = "logged_out"
PASSWORD_CHANGED = "password_changed"
PERSONAL_DATA_READ = "personal_data_read"


def add(
    session: AsyncSession,
    *,
    action: str,
    actor_user_id: int | None = None,
    actor_username: str | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    detail: dict[str, Any] | None = None,
    request_id: str | None = None,
    client_ip: str | None = None,
) -> None:
    """Add an entry to ``session`` (written when the caller's transaction commits)."""
    session.add(
        AuditLog(
            action=action,
            actor_user_id=actor_user_id,
            actor_username=actor_username,
            subject_type=subject_type,
            subject_id=subject_id,
            detail=detail or {},
            request_id=request_id,
            client_ip=client_ip,
        )
    )


async def record(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    action: str,
    actor_user_id: int | None = None,
    actor_username: str | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    detail: dict[str, Any] | None = None,
    request_id: str | None = None,
    client_ip: str | None = None,
) -> None:
    """Write an entry in a transaction of its own (for what must be kept even on failure)."""
    async with transaction(sessionmaker) as session:
        add(
            session,
            action=action,
            actor_user_id=actor_user_id,
            actor_username=actor_username,
            subject_type=subject_type,
            subject_id=subject_id,
            detail=detail,
            request_id=request_id,
            client_ip=client_ip,
        )
