"""Escalation in batches: many due orders per transaction, a handful of statements per batch.

A batch is one transaction of seven round trips however many orders it holds:

1. ``claim_due``: lock and load up to ``limit`` due orders (``FOR UPDATE SKIP LOCKED``);
2. plan every order in Python (``workorders.service.plan_escalation``, pure);
3. ``record_escalations``: insert all their escalation keys in one statement; the unique key
   answers which steps this transaction applies (exactly-once, whoever else is sweeping);
4. settle every order (``settle_escalation``, pure) and write its history entries, inbox rows
   and the changed columns of the orders, one multi-row statement each, then commit.

Failure isolation, the reason the per-order path has one transaction per order, is kept in two
ways. An order the domain cannot handle (unreadable data, a deadline in a year whose calendar is
not loaded) fails while planning, before anything is written: it is left out of the batch and
reported. A batch that the database refuses (a constraint, a lost connection, a stale row on
SQLite) is rolled back whole and its orders are retried one transaction each through
``workorders.service.escalate_orders``, which isolates the order at fault as before.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from hotline.workorders.mapping import order_from_row
from hotline.workorders.notifier import InboxNotifier
from hotline.workorders.store import SqlWorkOrderStore
from workorders import service
from workorders.errors import ConcurrentUpdateError, WorkOrderError
from workorders.escalation import EscalationKey


@dataclass
class BatchRun:
    claimed: int = 0
    applied: list[EscalationKey] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped_locked: int = 0  # seen only by the one-by-one retry
    retried_one_by_one: bool = False


async def escalate_batch(
    store: SqlWorkOrderStore,
    notifier: InboxNotifier,
    now: datetime,
    rules: service.Rules,
    limit: int,
    exclude: Collection[str] = (),
) -> BatchRun:
    """Claim up to ``limit`` due orders and apply their due steps in one transaction."""
    run = BatchRun()
    claimed: list[str] = []
    try:
        async with store.transaction():
            plans: list[service.EscalationPlan] = []
            for row in await store.claim_due(now, limit, exclude):
                claimed.append(row.id)
                try:
                    plans.append(service.plan_escalation(order_from_row(row), now, rules))
                except WorkOrderError as exc:
                    run.failed[row.id] = str(exc)
            run.claimed = len(claimed)
            recorded = await store.record_escalations([k for plan in plans for k in plan.keys])
            settled = [service.settle_escalation(plan, recorded, now) for plan in plans]
            for outcome in settled:
                for event in outcome.events:
                    await store.append_event(event)
                for notice in outcome.notices:
                    await notifier.notify(
                        notice.recipient, notice.kind, notice.order_id, notice.message
                    )
            await store.save_escalated([outcome.order for outcome in settled])
            applied = [key for outcome in settled for key in outcome.applied]
    except ConcurrentUpdateError:
        if not claimed:
            raise  # the claim itself failed: nothing to retry one by one
        return await _one_by_one(store, notifier, now, rules, claimed, run.failed)
    run.applied = applied
    return run


async def _one_by_one(
    store: SqlWorkOrderStore,
    notifier: InboxNotifier,
    now: datetime,
    rules: service.Rules,
    claimed: list[str],
    failed_in_planning: dict[str, str],
) -> BatchRun:
    retry = [order_id for order_id in claimed if order_id not in failed_in_planning]
    single = await service.escalate_orders(store, notifier, now, rules, retry)
    return BatchRun(
        claimed=len(claimed),
        applied=single.applied,
        failed={**failed_in_planning, **single.failed},
        skipped_locked=len(single.skipped_locked),
        retried_one_by_one=True,
    )
