"""The escalation sweeper: a supervised background loop applying the ladder's due steps.

Every ``interval_seconds`` it loads the rules and applies what is due as of the injected clock,
batch after batch (``hotline.workorders.batch``: many orders per transaction; an order that
fails is reported and left out, the others go on) until no due order is left to claim. A crash
of a whole run is logged and retried at the next tick: the loop itself only ends when the
service stops. Several instances may run it at once (see ``store``): steps stay exactly-once.

Start it with ``create_app(settings, components=[sweeper_component()])``.

Under the call engine's leader lease (``hotline.cluster``) the sweeper is one of the leader's
components and its term is its lease: every batch proves the term before it commits
(``hotline.db.fence``), so a leader whose term ended applies nothing more, and the advisory
lock below is not taken. That lock belongs to a session: an old leader cut off from the
database would keep it until the server noticed the dead connection (minutes, or hours with
the kernel's keepalive defaults), and no sweep would run anywhere meanwhile. Steps stay
exactly-once either way (the unique key of ``escalation``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from hotline.clock import Clock
from hotline.db.fence import FencedOut, fence_of, term_sessionmaker
from hotline.deps import AppState
from hotline.workorders.batch import escalate_batch
from hotline.workorders.notifier import InboxNotifier
from hotline.workorders.rules import RulesCache
from hotline.workorders.store import SqlWorkOrderStore
from workorders import service
from workorders.calendar import require_aware
from workorders.errors import ConcurrentUpdateError

log = structlog.get_logger(__name__)

RULES_CACHE = "workorder_rules"

# The advisory-lock key of the sweeper's leader lease (any constant the service uses only here).
SWEEPER_LOCK_KEY = 12366_0001


class LeaderLease:
    """Leadership of the sweep: a PostgreSQL session advisory lock on its own connection.

    On SQLite (one process by design) every instance is the leader.
    """

    def __init__(self, engine: AsyncEngine, key: int = SWEEPER_LOCK_KEY) -> None:
        self._engine = engine
        self._key = key
        self._connection: AsyncConnection | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None

    async def acquire(self) -> bool:
        """True while this instance leads; tries to take the lease when it does not."""
        if self._engine.dialect.name != "postgresql":
            return True
        try:
            if self._connection is not None:
                await self._connection.execute(text("SELECT 1"))  # still connected, still ours
                await self._connection.commit()
                return True
            self._connection = await self._engine.connect()
            taken = await self._connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            )
            await self._connection.commit()  # the lock is the session's, not the transaction's
        except DBAPIError:
            log.warning("sweeper_lease_lost")
            await self.release()
            return False
        if not taken:
            connection, self._connection = self._connection, None
            await connection.close()  # nothing to unlock: another instance leads
            return False
        log.info("sweeper_lease_taken")
        return True

    async def release(self) -> None:
        if self._connection is None:
            return
        connection, self._connection = self._connection, None
        try:
            # Unlock explicitly: close() hands the session back to the pool, lock and all.
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            await connection.commit()
            await connection.close()
        except DBAPIError:
            await connection.invalidate()  # a dropped session frees its locks


def rules_cache(state: AppState) -> RulesCache:
    """The process's rules cache, shared by the API and the sweeper."""
    cache = state.extras.get(RULES_CACHE)
    if not isinstance(cache, RulesCache):
        cache = RulesCache(state.sessionmaker)
        state.extras[RULES_CACHE] = cache
    return cache


@dataclass
class SweepResult:
    selected_batches: int = 0
    applied: int = 0
    # Orders found locked by another transaction: only the one-by-one retry of a refused batch
    # sees them (a batch claim skips locked rows without counting them).
    skipped_locked: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    batches_retried_one_by_one: int = 0


async def sweep_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    cache: RulesCache,
    batch_size: int = 500,
    max_batches: int = 100,
    workers: int = 1,
    channels: Sequence[str] = (),
) -> SweepResult:
    """Apply every escalation step due now, batch after batch until nothing due is left.

    With ``workers`` > 1 (PostgreSQL) that many batches are in flight at once, each claiming
    rows the others do not hold (``SKIP LOCKED``), so one batch's Python work overlaps another's
    round trips. ``max_batches`` bounds one run per worker; the next tick goes on.
    ``channels``: the notice channels configured (an outbox row each per inbox row).
    """
    rules = await cache.get()
    if sessionmaker.kw["bind"].dialect.name != "postgresql":
        workers = 1  # SQLite admits one writer at a time
    results = await asyncio.gather(
        *(
            _sweep_worker(sessionmaker, clock, rules, batch_size, max_batches, channels)
            for _ in range(workers)
        )
    )
    total = SweepResult()
    for result in results:
        total.selected_batches += result.selected_batches
        total.applied += result.applied
        total.skipped_locked += result.skipped_locked
        total.failed.update(result.failed)
        total.batches_retried_one_by_one += result.batches_retried_one_by_one
    return total


async def _sweep_worker(
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    rules: service.Rules,
    batch_size: int,
    max_batches: int,
    channels: Sequence[str] = (),
) -> SweepResult:
    result = SweepResult()
    store = SqlWorkOrderStore(sessionmaker, pinned=True)
    # One notifier for the whole run: its recipient lookups (liaisons, supervisors) are cached.
    notifier = InboxNotifier(store, clock, channels)
    try:
        for _ in range(max_batches):
            # Orders that failed stay due; they are not claimed again in this run, or a batch
            # of them would come back forever.
            try:
                batch = await escalate_batch(
                    store, notifier, _utc_now(clock), rules, batch_size, exclude=result.failed
                )
            except ConcurrentUpdateError as exc:
                log.warning("escalation_claim_failed", reason=str(exc))
                break
            result.selected_batches += 1
            result.applied += len(batch.applied)
            result.skipped_locked += batch.skipped_locked
            result.batches_retried_one_by_one += batch.retried_one_by_one
            result.failed.update(batch.failed)
            for order_id, reason in batch.failed.items():
                log.warning("escalation_failed", order_id=order_id, reason=reason)
            # Every claimed order that did not fail is no longer due, so a batch that claims
            # nothing means there is nothing left (or only rows other sweepers hold).
            if not batch.claimed:
                break
    finally:
        await store.aclose()
    return result


def sweeper_component(
    interval_seconds: float = 30.0,
    batch_size: int = 500,
    workers: int = 2,
) -> Callable[[AppState], Awaitable[Callable[[], Awaitable[None]]]]:
    """A ``hotline.main.Component`` running the sweeper until the app stops."""

    async def start(state: AppState) -> Callable[[], Awaitable[None]]:
        cache = rules_cache(state)
        sessionmaker = term_sessionmaker(state.extras, state.engine, state.sessionmaker)
        # Fenced: the leader's term decides who sweeps (see the module's docstring).
        lease = None if fence_of(sessionmaker) is not None else LeaderLease(state.engine)
        stopping = asyncio.Event()

        async def loop() -> None:
            warned: list[str] = []
            while not stopping.is_set():
                try:
                    if lease is not None and not await lease.acquire():
                        await _wait(stopping, interval_seconds)
                        continue
                    result = await sweep_once(
                        sessionmaker,
                        state.clock,
                        cache,
                        batch_size,
                        workers=workers,
                        channels=state.settings.notices.channels(),
                    )
                    if result.applied or result.failed:
                        log.info(
                            "escalation_sweep",
                            applied=result.applied,
                            failed=len(result.failed),
                            skipped_locked=result.skipped_locked,
                        )
                    rules = await cache.get()
                    today = state.clock.now().astimezone(rules.calendar.zone).date()
                    warnings = rules.calendar.calendar_warnings(today)
                    if warnings != warned:
                        for warning in warnings:
                            log.warning("calendar_warning", warning=warning)
                        warned = warnings
                except FencedOut:
                    # The term ended: the leader stops this component; nothing was applied.
                    log.warning("escalation_sweep_fenced")
                except Exception:
                    log.exception("escalation_sweep_crashed")
                await _wait(stopping, interval_seconds)

        task = asyncio.create_task(loop(), name="workorder-escalation-sweeper")

        async def stop() -> None:
            stopping.set()
            try:
                await asyncio.wait_for(task, timeout=10)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if lease is not None:
                await lease.release()

        return stop

    return start


def _utc_now(clock: Clock) -> datetime:
    return require_aware(clock.now(), "clock time").astimezone(UTC)


async def _wait(stopping: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), timeout=seconds)
