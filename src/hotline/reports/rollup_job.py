"""The fold job beside the API (``hotline serve``): keeps the report rollups up to date.

Off the call path: it reads and writes only the report tables and the raw rows of buckets that
are settled, once a minute, a day of buckets per transaction (so a service that was down for a
week catches up a day at a time, and each step is kept if it stops half-way). Two replicas may
both run it: the position row is locked while a range is folded, so the second finds nothing left.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.exc import DBAPIError

from hotline.deps import AppState
from hotline.reports.rollup_store import fold_pending

log = structlog.get_logger(__name__)


def rollup_component(
    interval_seconds: float = 60.0,
) -> Callable[[AppState], Awaitable[Callable[[], Awaitable[None]]]]:
    """A ``hotline.main.Component`` running the fold until the app stops."""

    async def start(state: AppState) -> Callable[[], Awaitable[None]]:
        stopping = asyncio.Event()
        zone = ZoneInfo(state.settings.timezone)  # the days the headcount rollup counts

        async def loop() -> None:
            while not stopping.is_set():
                try:
                    folded = await fold_pending(
                        state.sessionmaker, state.clock.now(), max_chunks=7, zone=zone
                    )
                    if folded:
                        log.info(
                            "report_rollups_folded",
                            until=folded[-1].end.isoformat(),
                            days=len(folded),
                        )
                except DBAPIError as exc:  # the database away for a moment: try next round
                    log.warning("report_rollups_failed", error=type(exc).__name__)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), interval_seconds)

        task = asyncio.create_task(loop(), name="report-rollups")

        async def stop() -> None:
            stopping.set()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        return stop

    return start
