"""The service standards kept as data (``service_standard``): read, and changed with who/when.

Until a director first edits one, the table is empty and the built-in set
(``standards.DEFAULT_STANDARDS``) applies; the first edit writes the whole set so that what the
table holds is what the report measures. Every change bumps the standard's version and leaves an
audit entry with the values before and after (``service_standard_changed``).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hotline import audit
from hotline.db.models import ServiceStandardRow
from hotline.reports.standards import DEFAULT_STANDARDS, Standard


def _standard(row: ServiceStandardRow) -> Standard:
    return Standard(
        row.id,
        row.metric,
        row.comparison,  # type: ignore[arg-type]  # checked on the way in
        row.target,
        row.threshold_s,
        row.label_zh,
        row.label_en,
    )


async def stored(session: AsyncSession) -> list[ServiceStandardRow]:
    query = select(ServiceStandardRow).order_by(ServiceStandardRow.position, ServiceStandardRow.id)
    return list(await session.scalars(query))


async def active(session: AsyncSession) -> tuple[Standard, ...]:
    """The standards the report measures: the stored active ones, or the built-in set."""
    rows = await stored(session)
    if not rows:
        return DEFAULT_STANDARDS
    return tuple(_standard(row) for row in rows if row.active)


def describe(row: ServiceStandardRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "metric": row.metric,
        "comparison": row.comparison,
        "target": row.target,
        "threshold_s": row.threshold_s,
        "label_zh": row.label_zh,
        "label_en": row.label_en,
        "active": row.active,
        "position": row.position,
        "version": row.version,
        "updated_by": row.updated_by,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
    }


async def listing(session: AsyncSession) -> list[dict[str, Any]]:
    """Every standard, active or not; the built-in set (version 0) before any edit."""
    rows = await stored(session)
    if rows:
        return [describe(row) for row in rows]
    return [
        {**asdict(s), "active": True, "position": n, "version": 0, "updated_by": None,
         "updated_at": None}
        for n, s in enumerate(DEFAULT_STANDARDS)
    ]  # fmt: skip


async def _seed(session: AsyncSession, now: datetime) -> None:
    if await session.scalar(select(func.count()).select_from(ServiceStandardRow)):
        return
    for n, s in enumerate(DEFAULT_STANDARDS):
        session.add(
            ServiceStandardRow(
                **asdict(s), position=n, active=True, version=1, updated_by="", updated_at=now
            )
        )
    await session.flush()


async def save(
    session: AsyncSession,
    standard: Standard,
    *,
    active: bool,
    actor: str,
    actor_user_id: int | None,
    now: datetime,
) -> dict[str, Any]:
    """Create or change one standard (the caller commits); returns it as stored."""
    await _seed(session, now)
    row = await session.get(ServiceStandardRow, standard.id, with_for_update=True)
    before = describe(row) if row is not None else None
    if row is None:
        last = await session.scalar(select(func.max(ServiceStandardRow.position)))
        row = ServiceStandardRow(id=standard.id, position=(last or 0) + 1, version=0)
        session.add(row)
    row.metric = standard.metric
    row.comparison = standard.comparison
    row.target = standard.target
    row.threshold_s = standard.threshold_s
    row.label_zh = standard.label_zh
    row.label_en = standard.label_en
    row.active = active
    row.version = (row.version or 0) + 1
    row.updated_by = actor
    row.updated_at = now
    await session.flush()
    after = describe(row)
    audit.add(
        session,
        action="service_standard_changed",
        actor_user_id=actor_user_id,
        actor_username=actor,
        subject_type="service_standard",
        subject_id=standard.id,
        detail={"before": before, "after": after},
    )
    return after
