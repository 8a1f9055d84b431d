"""One watcher of the inbox table per process, so that open notice streams hear of new rows.

Inbox rows are written by whatever changed the order (an API request, the sweeper, another
replica), so no in-process bus message can be relied on to announce them. Instead one task
reads the highest notification id every ``interval_s`` while at least one stream is open, and
wakes the streams when it moved; each stream then reads its own user's new rows. The cost is
one indexed ``max(id)`` per interval, however many browsers are connected.

Rows written by this process need not wait for the next tick: ``attach`` listens to the engine's
statements, notes a connection that inserted into ``notification`` and, when that connection
commits, wakes the streams a moment later (the commit itself is still on its way when the event
fires; if a stream reads too early the next tick finds the rows).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import structlog
from sqlalchemy import event, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hotline.db.models import NotificationRow

log = structlog.get_logger(__name__)

DEFAULT_INTERVAL_S = 1.0
AFTER_COMMIT_S = 0.05  # the commit event fires before the database has the rows
_INSERT = "INSERT INTO notification "
_WRITTEN = "inbox_rows_written"


class InboxWatch:
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], interval_s: float = DEFAULT_INTERVAL_S
    ) -> None:
        self._sessionmaker = sessionmaker
        self._interval_s = interval_s
        self._changed = asyncio.Event()
        self._watchers = 0
        self._task: asyncio.Task[None] | None = None
        self._last: int | None = None

    @contextlib.asynccontextmanager
    async def watching(self) -> AsyncIterator[None]:
        """Keep the watcher running while the caller's stream is open."""
        self._watchers += 1
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="inbox-watch")
        try:
            yield
        finally:
            self._watchers -= 1

    def attach(self, engine: AsyncEngine) -> None:
        """Wake the streams when this process commits inbox rows (see the module docstring)."""
        loop = asyncio.get_running_loop()

        def executed(connection: Connection, _cursor: object, statement: str, *_: object) -> None:
            if _INSERT in statement[:80]:
                connection.info[_WRITTEN] = True

        def committed(connection: Connection) -> None:
            if connection.info.pop(_WRITTEN, False) and self._watchers > 0:
                loop.call_later(AFTER_COMMIT_S, self._signal)

        def rolled_back(connection: Connection) -> None:
            connection.info.pop(_WRITTEN, None)

        event.listen(engine.sync_engine, "after_cursor_execute", executed)
        event.listen(engine.sync_engine, "commit", committed)
        event.listen(engine.sync_engine, "rollback", rolled_back)

    def ticket(self) -> asyncio.Event:
        """Take before reading the rows, then ``wait`` on it: a change that happens in between
        is not missed (the ticket is already set)."""
        return self._changed

    @staticmethod
    async def wait(changed: asyncio.Event, timeout: float) -> bool:
        """Until the inbox may have new rows (True) or ``timeout`` passed (False)."""
        try:
            await asyncio.wait_for(changed.wait(), timeout=timeout)
        except TimeoutError:
            return False
        return True

    def poke(self) -> None:
        """Wake the streams now (a row was just written in this process)."""
        self._signal()

    def _signal(self) -> None:
        # A fresh event per change: every waiter of the old one wakes, later waiters wait anew.
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def _run(self) -> None:
        while self._watchers > 0:
            try:
                async with self._sessionmaker() as session:
                    last = await session.scalar(select(func.max(NotificationRow.id)))
                if last != self._last:
                    self._last = last
                    self._signal()
            except Exception as exc:  # the database away for a moment: try again next tick
                log.warning("inbox_watch_failed", error=str(exc).splitlines()[0][:200])
            await asyncio.sleep(self._interval_s)
