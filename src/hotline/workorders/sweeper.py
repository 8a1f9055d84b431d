"""The escalation sweeper: a supervised background loop applying the ladder's due steps.

Every ``interval_seconds`` it loads the rules, asks ``workorders.service.escalate_due`` to apply
what is due as of the injected clock (each order in its own transaction; a failure of one order
is logged and the others go on), and goes again at once while whole batches keep coming. A crash
of a whole run is logged and retried at the next tick: the loop itself only ends when the
service stops. Several instances may run it at once (see ``store``): steps stay exactly-once.

Start it with ``create_app(settings, components=[sweeper_component()])``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.clock import Clock
from hotline.deps import AppState
from hotline.workorders.notifier import InboxNotifier
from hotline.workorders.rules import RulesCache
from hotline.workorders.store import SqlWorkOrderStore
from workorders import service

log = structlog.get_logger(__name__)

RULES_CACHE = "workorder_rules"


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
    skipped_locked: int = 0
    failed: dict[str, str] = field(default_factory=dict)


async def sweep_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    cache: RulesCache,
    batch_size: int = 500,
    max_batches: int = 100,
    workers: int = 1,
) -> SweepResult:
    """Apply every escalation step due now, batch after batch until one applies nothing.

    With ``workers`` > 1 (PostgreSQL) the due orders are split into that many shards handled
    concurrently, so the per-order transactions overlap instead of waiting for each other's
    round trips and commits.
    """
    rules = await cache.get()
    if sessionmaker.kw["bind"].dialect.name != "postgresql":
        workers = 1  # SQLite admits one writer at a time
    results = await asyncio.gather(
        *(
            _sweep_shard(
                sessionmaker,
                clock,
                rules,
                batch_size,
                max_batches,
                (index, workers) if workers > 1 else None,
            )
            for index in range(workers)
        )
    )
    total = SweepResult()
    for result in results:
        total.selected_batches += result.selected_batches
        total.applied += result.applied
        total.skipped_locked += result.skipped_locked
        total.failed.update(result.failed)
    return total


async def _sweep_shard(
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    rules: service.Rules,
    batch_size: int,
    max_batches: int,
    shard: tuple[int, int] | None,
) -> SweepResult:
    result = SweepResult()
    for _ in range(max_batches):
        store = SqlWorkOrderStore(sessionmaker, shard=shard, pinned=True)
        try:
            run = await service.escalate_due(
                store, InboxNotifier(store, clock), clock, rules, limit=batch_size
            )
        finally:
            await store.aclose()
        result.selected_batches += 1
        result.applied += len(run.applied)
        result.skipped_locked += len(run.skipped_locked)
        result.failed.update(run.failed)
        for order_id, reason in run.failed.items():
            log.warning("escalation_failed", order_id=order_id, reason=reason)
        # Go on while batches make progress: a batch that applied nothing holds only orders
        # another sweeper has locked, orders that failed, or none at all.
        if not run.applied:
            break
    return result


def sweeper_component(
    interval_seconds: float = 30.0,
    batch_size: int = 500,
    workers: int = 4,
) -> Callable[[AppState], Awaitable[Callable[[], Awaitable[None]]]]:
    """A ``hotline.main.Component`` running the sweeper until the app stops."""

    async def start(state: AppState) -> Callable[[], Awaitable[None]]:
        cache = rules_cache(state)
        stopping = asyncio.Event()

        async def loop() -> None:
            warned: list[str] = []
            while not stopping.is_set():
                try:
                    result = await sweep_once(
                        state.sessionmaker,
                        state.clock,
                        cache,
                        batch_size,
                        workers=workers,
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
                except Exception:
                    log.exception("escalation_sweep_crashed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), timeout=interval_seconds)

        task = asyncio.create_task(loop(), name="workorder-escalation-sweeper")

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
