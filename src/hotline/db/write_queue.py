"""An ordered, bounded queue of database writes, applied in the background by one writer task.

Why: the CTI engine must answer Asterisk at once, whatever the database is doing. Its bookkeeping
(call rows, the call journal, the agent state log, callbacks) is therefore handed to this queue
and written afterwards, in the order it was handed over, on a connection pool of its own, so
neither a slow database nor a busy API can hold a call's next ARI command behind a write.

Guarantees:

* **Order.** One writer applies the writes first-in first-out; a write may rely on every write
  queued before it (a journal entry on its call's row).
* **Nothing lost while the database is away.** A write that fails because the database is
  unreachable, locked or restarting is retried, with the ones behind it still waiting, with a
  backoff capped at ``retry_max_s``, until it succeeds. Only a write the database *refuses* (a
  constraint, a bug) is set aside, logged with its label and counted, so that one bad row cannot
  block every later one.
* **Bounded memory; a full queue applies back-pressure, it never drops.** ``put`` waits for room
  when ``max_items`` writes are waiting. Dropping would lose records silently, and an unbounded
  queue would turn a long outage into an out-of-memory crash that loses all of them; waiting
  slows the producer only after the database has been away for a long time (at the default
  50,000 writes, many minutes of a large centre's traffic), long after the lag alarm went off.
* **Visible lag.** ``lag_s`` is the age of the oldest write not yet committed; past
  ``alarm_lag_s`` the queue logs ``write_lag_alarm`` once (and ``write_lag_cleared`` when back)
  and :meth:`health` reports it, for ``/readyz`` and the Prometheus gauges from
  :meth:`register_metrics`.

Writes are batched: everything waiting (up to ``batch_max``) is applied in one transaction, and
the session is flushed after each write so a later write in the batch sees an earlier one.

Under a leader lease each batch carries the term's fencing token (``fence``): a batch whose term
is over is refused by the database, counted as ``fenced`` and set aside, never retried
(:mod:`hotline.db.fence` says why and how).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Gauge
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Table, insert
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.fence import FencedOut, WriteFence

log = structlog.get_logger(__name__)

Write = Callable[[AsyncSession], Awaitable[None]]

# SQLSTATE classes of a database that is away rather than refusing the write: connection
# exceptions (08), operator intervention such as a shutdown or a restart (57), insufficient
# resources (53), and a serialisation failure or deadlock (40) that succeeds when retried.
_TRANSIENT_SQLSTATE_CLASSES = ("08", "57", "53", "40")


def is_transient(error: BaseException) -> bool:
    """True when retrying the same write later can succeed (the database was away or busy)."""
    if isinstance(error, (OSError, TimeoutError, sa_exc.TimeoutError)):
        return True
    if isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError)):
        return True  # SQLite "database is locked", a dropped connection
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:
            return True
        state = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
        return isinstance(state, str) and state.startswith(_TRANSIENT_SQLSTATE_CLASSES)
    return False


@dataclass(slots=True)
class _Item:
    label: str
    write: Write | None
    queued_at: float  # time.monotonic()
    append: tuple[Table, dict[str, Any]] | None = None


@dataclass
class WriteQueueStats:
    written: int = 0
    failed: int = 0  # refused by the database and set aside (logged)
    retries: int = 0  # attempts that met an unreachable or busy database
    full_waits: int = 0  # puts that had to wait for room
    batches: int = 0
    fenced: int = 0  # refused because their lease term had ended (set aside, never retried)


@dataclass
class WriteQueue:
    """Start with :meth:`start`, hand writes over with :meth:`put`, drain with :meth:`stop`."""

    sessionmaker: async_sessionmaker[AsyncSession]
    name: str = "cti"
    max_items: int = 50_000
    batch_max: int = 200
    alarm_lag_s: float = 5.0
    retry_min_s: float = 0.05
    retry_max_s: float = 2.0
    # The lease term the writes belong to (None: no lease, e.g. SQLite, where one process leads).
    fence: WriteFence | None = None
    stats: WriteQueueStats = field(default_factory=WriteQueueStats)

    def __post_init__(self) -> None:
        if self.max_items < 1 or self.batch_max < 1:
            raise ValueError("max_items and batch_max must be at least 1")
        self._items: deque[_Item] = deque()
        self._wake = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._advanced = asyncio.Event()
        self._submitted = 0
        self._done = 0  # written or set aside
        self._worker: asyncio.Task[None] | None = None
        self._watch: asyncio.Task[None] | None = None
        self._alarmed = False
        self._unreachable_since: float | None = None
        self._last_error: str | None = None
        # Set once the database refused this queue's term: tokens only grow, so every later
        # batch is refused without asking again.
        self._term_over: FencedOut | None = None

    # ----------------------------------------------------------------- producing

    async def put(self, label: str, write: Write) -> None:
        """Queue ``write`` (applied after every write queued before it). Returns at once unless
        the queue is full; then it waits for room (back-pressure, never a drop)."""
        while len(self._items) >= self.max_items:
            self.stats.full_waits += 1
            log.warning("write_queue_full", queue=self.name, depth=len(self._items))
            self._room.clear()
            await self._room.wait()
        self._items.append(_Item(label, write, time.monotonic()))
        self._submitted += 1
        self._wake.set()

    async def put_append(self, label: str, table: Table, row: dict[str, Any]) -> None:
        """Queue one row for an append-only table that nothing later in the queue refers to (a
        journal, a log). Such rows are inserted together at the end of their batch, one
        statement per table: far cheaper than one insert each, and safe because no write in
        the batch reads or changes them (they keep their order among themselves)."""
        while len(self._items) >= self.max_items:
            self.stats.full_waits += 1
            log.warning("write_queue_full", queue=self.name, depth=len(self._items))
            self._room.clear()
            await self._room.wait()
        self._items.append(_Item(label, None, time.monotonic(), (table, row)))
        self._submitted += 1
        self._wake.set()

    async def flush(self) -> None:
        """Wait until every write queued before this call is committed (or set aside)."""
        target = self._submitted
        while self._done < target:
            self._advanced.clear()
            await self._advanced.wait()

    # ------------------------------------------------------------------ observing

    @property
    def depth(self) -> int:
        return len(self._items)

    def lag_s(self) -> float:
        """Age of the oldest write not yet committed (0 when none waits)."""
        if not self._items:
            return 0.0
        return max(0.0, time.monotonic() - self._items[0].queued_at)

    def health(self) -> dict[str, Any]:
        lag = self.lag_s()
        alarm = lag > self.alarm_lag_s
        result: dict[str, Any] = {
            "ok": not alarm,
            "lag_s": round(lag, 3),
            "depth": len(self._items),
            "alarm_lag_s": self.alarm_lag_s,
            "written": self.stats.written,
            "failed": self.stats.failed,
            "retries": self.stats.retries,
            "fenced": self.stats.fenced,
        }
        if self._unreachable_since is not None:
            result["database_unreachable_s"] = round(time.monotonic() - self._unreachable_since, 1)
            result["last_error"] = self._last_error
        return result

    def register_metrics(self, registry: CollectorRegistry) -> None:
        """Gauges read at scrape time, and counters of what the writer did."""
        prefix = f"hotline_{self.name}_write"
        Gauge(
            f"{prefix}_lag_seconds",
            "Age of the oldest queued database write not yet committed",
            registry=registry,
        ).set_function(self.lag_s)
        Gauge(
            f"{prefix}_queue_depth", "Database writes waiting in the queue", registry=registry
        ).set_function(lambda: len(self._items))
        Gauge(
            f"{prefix}_lag_alarm",
            "1 while the write lag is past its alarm threshold",
            registry=registry,
        ).set_function(lambda: float(self.lag_s() > self.alarm_lag_s))
        registry.register(_WriteCounters(self))

    # ------------------------------------------------------------------- running

    def start(self) -> None:
        if self._worker is None:
            self._worker = asyncio.create_task(self._run(), name=f"{self.name}-writes")
            self._watch = asyncio.create_task(self._watch_lag(), name=f"{self.name}-write-lag")

    async def stop(self, drain_timeout_s: float = 10.0) -> None:
        """Write what is queued (for up to ``drain_timeout_s``), then stop the writer."""
        if self._worker is None:
            return
        try:
            await asyncio.wait_for(self.flush(), drain_timeout_s)
        except TimeoutError:
            log.error("write_queue_not_drained", queue=self.name, lost=len(self._items))
        for task in (self._worker, self._watch):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._worker = self._watch = None

    async def _run(self) -> None:
        backoff = self.retry_min_s
        while True:
            if not self._items:
                self._wake.clear()
                await self._wake.wait()
                continue
            batch = [self._items[i] for i in range(min(self.batch_max, len(self._items)))]
            try:
                await self._apply(batch)
                self._finish(len(batch), written=len(batch))
            except FencedOut as refused:
                self._set_aside_fenced(batch, refused)
            except Exception as error:
                if is_transient(error):
                    await self._wait_for_database(error, backoff)
                    backoff = min(backoff * 2, self.retry_max_s)
                    continue
                # One write in the batch is refused: apply them one at a time to set it aside.
                if not await self._apply_one_by_one(len(batch)):
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, self.retry_max_s)
                    continue
            backoff = self.retry_min_s
            if self._unreachable_since is not None:
                log.info(
                    "write_queue_database_back",
                    queue=self.name,
                    away_s=round(time.monotonic() - self._unreachable_since, 1),
                )
                self._unreachable_since = None
                self._last_error = None

    async def _apply(self, batch: list[_Item]) -> None:
        async with self.sessionmaker() as session:
            try:
                if self._term_over is not None:
                    raise self._term_over
                if self.fence is not None:
                    # First, so a refused batch does no work and the lease row stays locked
                    # (key-share) until the batch commits: see hotline.db.fence.
                    await self.fence.check(session)
                appended: dict[Table, list[dict[str, Any]]] = {}
                for item in batch:
                    if item.append is not None:
                        table, row = item.append
                        appended.setdefault(table, []).append(row)
                        continue
                    assert item.write is not None
                    await item.write(session)
                    # A write made with ORM objects must reach the database before the next
                    # write's statements (the session does not flush on its own).
                    if session.new or session.dirty or session.deleted:
                        await session.flush()
                for table, rows in appended.items():
                    await session.execute(insert(table), rows)
                await session.commit()
            except BaseException:
                with contextlib.suppress(Exception):
                    await session.rollback()
                raise
        self.stats.batches += 1

    async def _apply_one_by_one(self, count: int) -> bool:
        """Apply the first ``count`` writes singly; False if the database went away meanwhile
        (the rest stay queued, in order)."""
        for _ in range(count):
            item = self._items[0]
            try:
                await self._apply([item])
            except FencedOut as refused:
                self._set_aside_fenced([item], refused)
                continue
            except Exception as error:
                if is_transient(error):
                    self._note_unreachable(error)
                    return False
                log.error(
                    "write_refused",
                    queue=self.name,
                    write=item.label,
                    error=type(error).__name__,
                    detail=str(getattr(error, "orig", error))[:300],
                )
                self._finish(1, failed=1)
                continue
            self._finish(1, written=1)
        return True

    def _set_aside_fenced(self, batch: list[_Item], refused: FencedOut) -> None:
        """The term is over: these writes belong to an engine that no longer leads. Set aside
        (counted, logged with what they were), never retried: a retry would pass them off as
        the current leader's."""
        labels: dict[str, int] = {}
        for item in batch:
            labels[item.label] = labels.get(item.label, 0) + 1
        log.error(
            "write_fenced",
            queue=self.name,
            token=refused.token,
            writes=len(batch),
            labels=labels,
        )
        self._term_over = refused
        if self.fence is not None:
            self.fence.refused(len(batch))
        self._finish(len(batch), fenced=len(batch))

    async def _wait_for_database(self, error: BaseException, delay: float) -> None:
        self._note_unreachable(error)
        await asyncio.sleep(delay)

    def _note_unreachable(self, error: BaseException) -> None:
        self.stats.retries += 1
        self._last_error = type(error).__name__
        if self._unreachable_since is None:
            self._unreachable_since = time.monotonic()
            # The exception text may carry a connection string: log its type only.
            log.warning(
                "write_queue_database_unreachable",
                queue=self.name,
                error=type(error).__name__,
                depth=len(self._items),
            )

    def _finish(self, count: int, *, written: int = 0, failed: int = 0, fenced: int = 0) -> None:
        for _ in range(count):
            self._items.popleft()
        self.stats.written += written
        self.stats.failed += failed
        self.stats.fenced += fenced
        self._done += count
        if len(self._items) < self.max_items:
            self._room.set()
        self._advanced.set()

    async def _watch_lag(self, period_s: float = 0.5) -> None:
        while True:
            await asyncio.sleep(period_s)
            lag = self.lag_s()
            if lag > self.alarm_lag_s and not self._alarmed:
                self._alarmed = True
                log.warning(
                    "write_lag_alarm",
                    queue=self.name,
                    lag_s=round(lag, 2),
                    depth=len(self._items),
                    threshold_s=self.alarm_lag_s,
                )
            elif lag <= self.alarm_lag_s and self._alarmed:
                self._alarmed = False
                log.info("write_lag_cleared", queue=self.name, lag_s=round(lag, 2))


class _WriteCounters(Collector):
    """The writer's running totals as one Prometheus counter, read at scrape time."""

    def __init__(self, queue: WriteQueue) -> None:
        self._queue = queue

    def collect(self) -> Any:
        family = CounterMetricFamily(
            f"hotline_{self._queue.name}_writes",
            "Database writes by outcome: written, failed (refused and set aside), retried, "
            "fenced (refused because this engine's lease term had ended)",
            labels=["outcome"],
        )
        stats = self._queue.stats
        family.add_metric(["written"], stats.written)
        family.add_metric(["failed"], stats.failed)
        family.add_metric(["retried"], stats.retries)
        family.add_metric(["fenced"], stats.fenced)
        yield family
