"""The personal-data audit entries of reads, committed together (a group commit).

Why: every unmasked page of work orders a supervisor reads (and every call detail) leaves a
``personal_data_read`` entry. Written in the request's own transaction, each read was a write
transaction of its own, and on SQLite, one writer at a time, fifty supervisors polling their
pages made a line of single-row transactions in front of SQLite's lock: under the API load
benchmark that line was the latency tail of ``/workorders``. Here the entries of concurrent
reads are handed to one writer task, which inserts everything waiting in one statement and
commits it in one transaction; while that batch commits, the next one gathers. N reads cost one
write turn instead of N.

What it keeps:

* **Durable before shown.** :meth:`ReadAuditWriter.write` returns only once the transaction
  holding the entry has committed; the request awaits it before building its response, so no
  taxpayer's data leaves the service unless its read is on record. It is not fire-and-forget.
* **Never a silent drop.** When a batch fails, every request whose entry it held gets the error
  (a 503 ``database_unavailable`` when the database is away or locked past its timeout, as any
  request's own commit would), and the writer goes on with the next batch.
* **SQLite's one writer.** On SQLite a batch takes the API engine's write turn
  (:func:`hotline.db.session.write_turn`, the line of ``commit_in_turn``), so this process
  still brings one connection at a time to SQLite's lock.
* **Its own connection, never the API's pool.** The writer has a pool of one connection on the
  same database: a read waiting for its entry never waits for a connection held by the reads in
  front of it (and gives its own back first: ``give_back_connection``), so neither can wait
  for the other, which is how the API pool deadlocked before (issue 11).
* **The loop is never blocked.** Everything is awaited: the statement runs on the driver
  (asyncpg, or on SQLite a thread of the writer's own), and a request waiting for a batch gives
  its place in the API's read line back meanwhile (``hotline.admission``), as a write waiting
  for its turn does.
* **On SQLite, one trip per batch.** Through aiosqlite a batch was three trips between the
  event loop and the driver's thread (take the connection, insert, commit), and each trip
  waits its turn on a loop that, under load, is busy with every request in flight: measured
  under the API load benchmark, a batch of a dozen entries took 60-90 ms to insert and another
  40 ms to commit at the median, almost all of it waiting for the loop, and every supervisor's
  page of work orders waited that long. Here the whole transaction (begin, insert, commit,
  including any wait at SQLite's lock) runs in one function on a thread that owns a plain
  ``sqlite3`` connection through SQLAlchemy's synchronous engine (same dialect, so the same
  values are stored); the loop takes part only to hand the batch over and to learn the end.
"""

from __future__ import annotations

import asyncio
import contextlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import Engine, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.db.models import AuditLog
from hotline.db.session import create_engine, create_sqlite_sync_engine, on_write_wait, write_turn
from hotline.errors import RETRY_AFTER_S, ServiceUnavailableError

log = structlog.get_logger(__name__)

AUDIT_READS_KEY = "audit_reads"
_STOPPED = "the service is stopping and cannot audit this read: retry in a few seconds"


class WriterStopped(ServiceUnavailableError):
    """The writer is not running (the service is stopping): the read cannot be audited, so it
    is not answered (503, with when to retry)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"Retry-After": str(RETRY_AFTER_S)})


@dataclass
class ReadAuditStats:
    written: int = 0  # entries committed
    failed: int = 0  # entries whose batch failed (each request was told)
    batches: int = 0  # transactions committed


@dataclass
class ReadAuditWriter:
    """One writer task committing the entries handed to :meth:`write`, all that wait at once.

    ``engine``: the writer's own (one connection); ``turn_engine``: the API's engine, whose
    SQLite write turn a batch takes; ``sqlite_sync``: on SQLite, a synchronous engine on the
    same file, used only from the writer's thread (then ``engine`` is not used for writing)."""

    engine: AsyncEngine
    turn_engine: AsyncEngine
    batch_max: int = 500
    stats: ReadAuditStats = field(default_factory=ReadAuditStats)
    sqlite_sync: Engine | None = None

    def __post_init__(self) -> None:
        if self.batch_max < 1:
            raise ValueError("batch_max must be at least 1")
        self._waiting: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self._wake = asyncio.Event()
        self._committing = False
        self._in_flight = 0
        self._advanced = asyncio.Event()  # set after each batch (stop waits for the last one)
        self._worker: asyncio.Task[None] | None = None
        # One thread, so the synchronous engine's connection is only ever used from it.
        self._thread = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit-reads")
            if self.sqlite_sync is not None
            else None
        )

    # ---------------------------------------------------------------------------- using
    async def write(self, entry: dict[str, Any]) -> None:
        """Return once ``entry`` (an ``audit_log`` row's columns) is committed; raise what the
        database raised if its batch failed, :class:`WriterStopped` if the writer is not
        running."""
        if self._worker is None or self._worker.done():
            raise WriterStopped(_STOPPED)
        committed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((entry, committed))
        self._wake.set()
        if self._committing:
            # It waits for the batch in flight and then its own: out of the read line meanwhile.
            leave_read_line = on_write_wait.get()
            if leave_read_line is not None:
                leave_read_line()
        # Shielded: a request cancelled meanwhile (its client left) must not cancel the entry
        # under the writer's feet; it is committed all the same, which over-audits, never under.
        await asyncio.shield(committed)

    @property
    def waiting(self) -> int:
        """Entries handed over and not yet taken into a batch."""
        return len(self._waiting)

    @property
    def pending(self) -> int:
        """Entries handed over whose write has not returned yet (waiting or in the batch)."""
        return len(self._waiting) + self._in_flight

    @property
    def committing(self) -> bool:
        """A batch is being written (the entries handed over now go into the next one)."""
        return self._committing

    # -------------------------------------------------------------------------- running
    def start(self) -> None:
        if self._worker is None:
            self._worker = asyncio.create_task(self._run(), name="audit-reads-writer")

    async def stop(self) -> None:
        """Commit what waits, then stop; a write arriving later raises :class:`WriterStopped`."""
        worker, self._worker = self._worker, None
        if worker is None:
            return
        while (self._waiting or self._committing) and not worker.done():
            self._advanced.clear()
            await self._advanced.wait()
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        self._fail(self._take(len(self._waiting)), WriterStopped(_STOPPED))
        if self._thread is not None and self.sqlite_sync is not None:
            # After any batch still on the thread (a cancelled wait does not stop it).
            await asyncio.get_running_loop().run_in_executor(self._thread, self.sqlite_sync.dispose)
            self._thread.shutdown(wait=False)
        await self.engine.dispose()

    async def _run(self) -> None:
        while True:
            if not self._waiting:
                self._wake.clear()
                await self._wake.wait()
                continue
            batch = self._take(self.batch_max)
            self._committing, self._in_flight = True, len(batch)
            try:
                await self._commit([entry for entry, _ in batch])
            except asyncio.CancelledError:
                self._fail(batch, WriterStopped(_STOPPED))
                raise
            except Exception as error:
                log.warning("audit_reads_batch_failed", entries=len(batch), error=repr(error))
                self.stats.failed += len(batch)
                self._fail(batch, error)
            else:
                self.stats.written += len(batch)
                self.stats.batches += 1
                for _, committed in batch:
                    if not committed.done():
                        committed.set_result(None)
            finally:
                self._committing, self._in_flight = False, 0
                self._advanced.set()

    def _take(self, count: int) -> list[tuple[dict[str, Any], asyncio.Future[None]]]:
        batch = self._waiting[:count]
        del self._waiting[:count]
        return batch

    @staticmethod
    def _fail(batch: list[tuple[dict[str, Any], asyncio.Future[None]]], error: Exception) -> None:
        for _, committed in batch:
            if not committed.done():
                committed.set_exception(error)

    async def _commit(self, entries: list[dict[str, Any]]) -> None:
        turn = write_turn(self.turn_engine)
        async with turn if turn is not None else contextlib.nullcontext():
            if self._thread is not None:
                await asyncio.get_running_loop().run_in_executor(
                    self._thread, self._commit_on_thread, entries
                )
                return
            async with self.engine.begin() as connection:
                await connection.execute(insert(AuditLog), entries)

    def _commit_on_thread(self, entries: list[dict[str, Any]]) -> None:
        """The whole transaction in one call on the writer's thread (SQLite)."""
        assert self.sqlite_sync is not None
        with self.sqlite_sync.begin() as connection:
            connection.execute(insert(AuditLog), entries)


def read_entry(
    *,
    at: datetime,
    action: str,
    actor_user_id: int | None,
    actor_username: str | None,
    subject_type: str | None,
    subject_id: str | None,
    detail: dict[str, Any],
    request_id: str | None,
    client_ip: str | None,
) -> dict[str, Any]:
    """An ``audit_log`` row's columns, every one given (one INSERT takes many such rows only
    when they name the same columns); ``at`` is when the data was read, not when committed."""
    return {
        "at": at,
        "action": action,
        "actor_user_id": actor_user_id,
        "actor_username": actor_username,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "detail": detail,
        "request_id": request_id,
        "client_ip": client_ip,
    }


def open_read_audits(database_url: str, turn_engine: AsyncEngine) -> ReadAuditWriter:
    """A writer on a pool of one connection of its own (see the module's docstring)."""
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    sqlite_sync = (
        create_sqlite_sync_engine(database_url) if engine.dialect.name == "sqlite" else None
    )
    return ReadAuditWriter(engine, turn_engine, sqlite_sync=sqlite_sync)


def read_audits(extras: dict[str, Any]) -> ReadAuditWriter:
    """The running app's writer (``create_app``'s lifespan starts it)."""
    writer = extras.get(AUDIT_READS_KEY)
    if not isinstance(writer, ReadAuditWriter):
        raise WriterStopped(_STOPPED)
    return writer
