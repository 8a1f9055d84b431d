"""The escalation sweeper: each step once, per-order failures isolated, two sweepers at once."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from hotline.config import Settings
from hotline.db.models import EscalationRow, NotificationRow, WorkOrderEventRow, WorkOrderRow
from hotline.db.session import create_engine, create_sessionmaker, transaction
from hotline.main import create_app
from hotline.workorders.rules import RulesCache
from hotline.workorders.sweeper import LeaderLease, sweep_once, sweeper_component
from tests.fixtures.app import FixedClock
from tests.hotline.workorders.conftest import Centre
from tests.waiting import WAIT_S

pytestmark = pytest.mark.asyncio

# Tuesday 14:00 in Shanghai: the orders dispatched on Monday 09:00 are past their 4-hour
# acknowledgement limit and past half of their 3-day resolution limit: two steps each.
TUESDAY_AFTERNOON = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)


async def _count(centre: Centre, model: type, **where: object) -> int:
    async with transaction(centre.sessionmaker) as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(await session.scalar(query) or 0)


async def test_each_step_once_and_a_broken_order_does_not_stop_the_sweep(
    centre: Centre, clock: FixedClock
) -> None:
    orders = [await centre.dispatched() for _ in range(3)]
    broken = orders[0]["id"]
    async with transaction(centre.sessionmaker) as session:
        await session.execute(
            update(WorkOrderRow)
            .where(WorkOrderRow.id == broken)
            .values(granted_extensions=["a fortnight"])
        )
    clock.current = TUESDAY_AFTERNOON
    cache = RulesCache(centre.sessionmaker)

    first = await sweep_once(centre.sessionmaker, clock, cache)
    assert first.applied == 4
    assert list(first.failed) == [broken]
    assert "cannot read the working duration" in first.failed[broken]
    second = await sweep_once(centre.sessionmaker, clock, cache)
    assert second.applied == 0

    assert await _count(centre, EscalationRow) == 4
    assert await _count(centre, EscalationRow, order_id=broken) == 0
    escalated = await _count(centre, WorkOrderEventRow, action="escalated")
    assert escalated == 4
    # not_acknowledged -> the liaison and the dispatcher; remind_handler -> nobody has
    # acknowledged yet, so the liaison hears it instead of a handler.
    for kind in ("escalation:not_acknowledged", "escalation:remind_handler"):
        notes = await _count(
            centre, NotificationRow, recipient_user_id=centre.ids["liaison_a"], kind=kind
        )
        assert notes == 2, kind
    supervisor = await _count(centre, NotificationRow, kind="escalation:not_acknowledged")
    assert supervisor == 4
    await centre.relogin()
    history = (await centre.get(orders[1]["id"]))["history"]
    steps = [entry["data"]["step"] for entry in history if entry["action"] == "escalated"]
    assert steps == ["not_acknowledged", "remind_handler"]


async def test_two_sweepers_at_once_apply_every_step_exactly_once(
    centre: Centre, clock: FixedClock, database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite admits one writer at a time; concurrent sweepers need PostgreSQL")
    orders = [await centre.dispatched() for _ in range(12)]
    clock.current = TUESDAY_AFTERNOON
    engines = [create_engine(database_url) for _ in range(2)]
    try:
        # Normally the leader lease lets one instance sweep ...
        leases = [LeaderLease(engine) for engine in engines]
        assert [await lease.acquire() for lease in leases] == [True, False]
        await leases[0].release()
        assert await leases[1].acquire()
        await leases[1].release()
        # ... but should two sweep at once, every step is still applied exactly once.
        makers = [create_sessionmaker(engine) for engine in engines]
        results = await asyncio.gather(
            *(sweep_once(maker, clock, RulesCache(maker), batch_size=5) for maker in makers)
        )
    finally:
        for engine in engines:
            await engine.dispose()
    assert sum(result.applied for result in results) == 2 * len(orders)
    assert all(not result.failed for result in results)
    assert await _count(centre, EscalationRow) == 2 * len(orders)
    assert await _count(centre, WorkOrderEventRow, action="escalated") == 2 * len(orders)
    assert await _count(centre, NotificationRow, kind="escalation:remind_handler") == len(orders)


async def test_the_sweeper_runs_as_an_app_component(
    centre: Centre, clock: FixedClock, settings: Settings
) -> None:
    await centre.dispatched()
    clock.current = TUESDAY_AFTERNOON
    app = create_app(
        settings.model_copy(update={"auto_migrate": False}),
        clock=clock,
        components=[sweeper_component(interval_seconds=0.05)],
    )
    async with app.router.lifespan_context(app):
        deadline = time.monotonic() + WAIT_S
        while await _count(centre, EscalationRow) != 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    assert await _count(centre, EscalationRow) == 2
