"""The supervisors' monitors in the database: written as they start, switch and end, read back
by the floor (who listens to which call now) and by the next process after a restart.

The writes go through the engine's write queue, in the order the events happen: a monitor that
ends a moment after it started has its row before its end, whatever the API's transaction does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cti.calls.ports import CallKey, MonitorMode, RunningMonitor
from hotline.db.models import CallMonitorRow, MonitorPhone, User
from hotline.db.write_queue import WriteQueue

_MODES: tuple[MonitorMode, ...] = ("listen", "whisper", "barge")


@dataclass(frozen=True)
class MonitorView:
    """A running monitor as the floor shows it."""

    monitor_id: str
    call_id: int
    mode: str
    endpoint: str
    supervisor_user_id: int | None
    supervisor: str | None
    started_at: datetime


async def started(
    writes: WriteQueue,
    monitor: RunningMonitor,
    *,
    call_id: int,
    user_id: int | None,
    at: datetime,
) -> None:
    values = {
        "monitor_id": monitor.monitor_id,
        "call_id": call_id,
        "site": monitor.key.site,
        "channel_id": monitor.key.call_id,
        "agent_leg": monitor.agent_leg,
        "supervisor_user_id": user_id,
        "endpoint": monitor.endpoint,
        "mode": monitor.mode,
        "started_at": at,
    }

    async def write(session: AsyncSession) -> None:
        await session.execute(insert(CallMonitorRow).values(**values))

    await writes.put("monitor", write)


async def switched(writes: WriteQueue, monitor_id: str, mode: str) -> None:
    async def write(session: AsyncSession) -> None:
        await session.execute(
            update(CallMonitorRow).where(CallMonitorRow.monitor_id == monitor_id).values(mode=mode)
        )

    await writes.put("monitor", write)


async def ended(writes: WriteQueue, monitor_id: str, reason: str, at: datetime) -> None:
    async def write(session: AsyncSession) -> None:
        await session.execute(
            update(CallMonitorRow)
            .where(CallMonitorRow.monitor_id == monitor_id, CallMonitorRow.ended_at.is_(None))
            .values(ended_at=at, end_reason=reason[:200])
        )

    await writes.put("monitor", write)


async def running(session: AsyncSession) -> list[RunningMonitor]:
    """Every monitor without an end, as the sites take them over after a restart."""
    rows = await session.scalars(select(CallMonitorRow).where(CallMonitorRow.ended_at.is_(None)))
    return [
        RunningMonitor(
            row.monitor_id,
            CallKey(row.site, row.channel_id),
            mode_of(row.mode),
            row.agent_leg,
            row.endpoint,
        )
        for row in rows
    ]


async def running_views(session: AsyncSession) -> list[MonitorView]:
    """The monitors running now with the supervisor's name, oldest first (the floor's panel)."""
    rows = await session.execute(
        select(CallMonitorRow, User.full_name)
        .outerjoin(User, User.id == CallMonitorRow.supervisor_user_id)
        .where(CallMonitorRow.ended_at.is_(None))
        .order_by(CallMonitorRow.started_at, CallMonitorRow.monitor_id)
    )
    return [
        MonitorView(
            row.monitor_id,
            row.call_id,
            row.mode,
            row.endpoint,
            row.supervisor_user_id,
            name,
            row.started_at,
        )
        for row, name in rows
    ]


async def remembered_phone(session: AsyncSession, user_id: int) -> str | None:
    return await session.scalar(
        select(MonitorPhone.endpoint).where(MonitorPhone.user_id == user_id)
    )


async def remember_phone(session: AsyncSession, user_id: int, endpoint: str) -> None:
    """Keep ``endpoint`` as the user's monitoring phone (the caller commits)."""
    row = await session.get(MonitorPhone, user_id)
    if row is None:
        session.add(MonitorPhone(user_id=user_id, endpoint=endpoint))
    elif row.endpoint != endpoint:
        row.endpoint = endpoint


def mode_of(value: str) -> MonitorMode:
    for mode in _MODES:
        if mode == value:
            return mode
    return "listen"


__all__ = [
    "MonitorView",
    "ended",
    "mode_of",
    "remember_phone",
    "remembered_phone",
    "running",
    "running_views",
    "started",
    "switched",
]
