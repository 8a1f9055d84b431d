"""The heavy-caller alert: supervisors hear, through the live notices, when one number has called
``threshold`` times within the last ``days`` days; once per number per period.

A periodic check rather than a hook in the call path: counting a number's calls on every arrival
would put a query on the path that answers the phone, and a minute's delay is nothing for an alert
about weeks of calls. The alert is an inbox row per supervisor (``hotline.api.inbox_events``
streams it to their open pages); its kind carries a digest of the number, so the next check sees
that this number was already reported in the period without storing the number again. The
message shows the number masked: the full number is in the caller's history, read under audit.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.fence import term_sessionmaker
from hotline.db.models import Call, NotificationRow, User, UserRole
from hotline.db.session import transaction
from hotline.deps import AppState
from hotline.masking import mask_phone
from hotline.roles import Role

log = structlog.get_logger(__name__)
KIND_PREFIX = "heavy_caller:"


@dataclass(frozen=True, slots=True)
class HeavyCaller:
    number: str
    calls: int


def alert_kind(number: str) -> str:
    """The notice kind for one number: a digest, so the inbox never holds the number itself."""
    return KIND_PREFIX + hashlib.sha256(number.encode("utf-8")).hexdigest()[:24]


def alert_message(caller: HeavyCaller, threshold: int, days: int) -> str:
    return (
        f"频繁来电：{mask_phone(caller.number)} 近 {days} 天来电 {caller.calls} 次"
        f"（阈值 {threshold} 次），请在“统计报表 › 频繁来电”查看其来电记录。"
    )


async def heavy_callers(
    session: AsyncSession,
    now: datetime,
    threshold: int,
    days: int,
    since: datetime | None = None,
) -> list[HeavyCaller]:
    """Numbers with ``threshold`` inbound calls in the period; with ``since``, only numbers that
    called since then (only they can have crossed it since the last check), which keeps each
    check to a handful of numbers instead of a month of calls."""
    count = func.count(Call.id)
    query = select(Call.caller_number, count).where(
        Call.kind == "inbound", Call.arrived_at >= now - timedelta(days=days)
    )
    if since is not None:
        recent = select(Call.caller_number).where(Call.kind == "inbound", Call.arrived_at >= since)
        query = query.where(Call.caller_number.in_(recent))
    rows = await session.execute(
        query.group_by(Call.caller_number)
        .having(count >= threshold)
        .order_by(count.desc(), Call.caller_number)
    )
    return [HeavyCaller(str(number), int(calls)) for number, calls in rows.all() if number]


async def alert_heavy_callers(
    sessionmaker: async_sessionmaker[AsyncSession],
    now: datetime,
    threshold: int,
    days: int,
    since: datetime | None = None,
) -> list[HeavyCaller]:
    """Notify every active supervisor of each number newly over the threshold; returns those.
    ``since``: the previous check's time (None: look at every number of the period)."""
    if threshold <= 0:
        return []  # switched off
    async with transaction(sessionmaker) as session:
        callers = await heavy_callers(session, now, threshold, days, since)
        if not callers:
            return []
        kinds = {alert_kind(c.number): c for c in callers}
        told = set(
            await session.scalars(
                select(NotificationRow.kind).where(
                    NotificationRow.kind.in_(list(kinds)),
                    NotificationRow.created_at >= now - timedelta(days=days),
                )
            )
        )
        fresh = [caller for kind, caller in kinds.items() if kind not in told]
        if not fresh:
            return []
        supervisors = list(
            await session.scalars(
                select(User.id)
                .join(UserRole, UserRole.user_id == User.id)
                .where(UserRole.role == Role.SUPERVISOR.value, User.is_active.is_(True))
                .order_by(User.id)
            )
        )
        session.add_all(
            NotificationRow(
                recipient_user_id=user_id,
                kind=alert_kind(caller.number),
                order_id=None,
                message=alert_message(caller, threshold, days),
                created_at=now,
            )
            for caller in fresh
            for user_id in supervisors
        )
    return fresh


def heavy_caller_component(
    interval_seconds: float = 60.0,
) -> Callable[[AppState], Awaitable[Callable[[], Awaitable[None]]]]:
    """A ``hotline.main.Component`` checking every ``interval_seconds`` until the app stops."""

    async def start(state: AppState) -> Callable[[], Awaitable[None]]:
        stopping = asyncio.Event()
        floor = state.settings.floor
        # The leader's term fences the alerts: two terms checking at once would both find a
        # number not yet reported and tell the supervisors twice.
        sessionmaker = term_sessionmaker(state.extras, state.engine, state.sessionmaker)

        async def loop() -> None:
            since: datetime | None = None  # the first check after a start looks at everyone
            while not stopping.is_set():
                try:
                    now = state.clock.now()
                    # A call recorded a little after it arrived is still seen: overlap a minute.
                    fresh = await alert_heavy_callers(
                        sessionmaker,
                        now,
                        floor.heavy_caller_calls,
                        floor.heavy_caller_days,
                        None if since is None else since - timedelta(minutes=1),
                    )
                    since = now
                    if fresh:
                        log.info("heavy_callers_alerted", numbers=len(fresh))
                except Exception:
                    log.exception("heavy_caller_check_crashed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), timeout=interval_seconds)

        task = asyncio.create_task(loop(), name="heavy-caller-alert")

        async def stop() -> None:
            stopping.set()
            try:
                await asyncio.wait_for(task, timeout=10)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

        return stop

    return start
