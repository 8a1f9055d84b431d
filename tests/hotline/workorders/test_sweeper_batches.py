"""The batched sweep: many orders per transaction, and the properties one order per transaction
gave (each step once, failures isolated, nothing stuck behind a bad order) still hold."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, update

from hotline.db.models import EscalationRow, NotificationRow, WorkOrderEventRow, WorkOrderRow
from hotline.db.session import create_engine, create_sessionmaker, transaction
from hotline.workorders.mapping import order_from_row
from hotline.workorders.rules import RulesCache
from hotline.workorders.store import SqlWorkOrderStore
from hotline.workorders.sweeper import sweep_once
from tests.fixtures.app import FixedClock
from tests.hotline.workorders.conftest import Centre
from workorders.errors import ConcurrentUpdateError

pytestmark = pytest.mark.asyncio

# As in test_sweeper: two steps (not_acknowledged, remind_handler) are due for every order
# dispatched on Monday morning.
TUESDAY_AFTERNOON = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)
BOTH_STEPS = ["acknowledge:not_acknowledged", "resolve:remind_handler"]


async def _count(centre: Centre, model: type, **where: object) -> int:
    async with transaction(centre.sessionmaker) as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(await session.scalar(query) or 0)


async def _order_row(centre: Centre, order_id: str) -> Any:
    async with transaction(centre.sessionmaker) as session:
        return (
            await session.execute(select(WorkOrderRow.__table__).where(WorkOrderRow.id == order_id))
        ).one()


async def test_every_order_of_several_batches_is_escalated_and_left_consistent(
    centre: Centre, clock: FixedClock
) -> None:
    orders = [await centre.dispatched() for _ in range(7)]
    clock.current = TUESDAY_AFTERNOON

    result = await sweep_once(centre.sessionmaker, clock, RulesCache(centre.sessionmaker), 3)

    assert result.applied == 2 * len(orders)
    assert not result.failed
    assert result.selected_batches == 4  # 3 + 3 + 1, then one that claims nothing
    for order in orders:
        row = await _order_row(centre, order["id"])
        assert sorted(row.escalations_done) == BOTH_STEPS
        assert row.history_length == 4  # created, dispatched, two escalations
        assert row.revision == order["revision"] + 1
        assert row.next_escalation_at > TUESDAY_AFTERNOON  # the 80% warning, later on
    again = await sweep_once(centre.sessionmaker, clock, RulesCache(centre.sessionmaker), 3)
    assert again.applied == 0


async def test_a_step_recorded_elsewhere_is_marked_done_without_a_second_notice(
    centre: Centre, clock: FixedClock
) -> None:
    orders = [await centre.dispatched() for _ in range(2)]
    taken = orders[0]["id"]
    row = await _order_row(centre, taken)
    async with transaction(centre.sessionmaker) as session:
        # Another sweeper applied this step and committed its key, as far as we can tell.
        session.add(
            EscalationRow(
                order_id=taken,
                clock="acknowledge",
                step="not_acknowledged",
                deadline_version=row.deadline_version,
                applied_at=TUESDAY_AFTERNOON,
            )
        )
    clock.current = TUESDAY_AFTERNOON

    result = await sweep_once(centre.sessionmaker, clock, RulesCache(centre.sessionmaker))

    assert result.applied == 3
    assert sorted((await _order_row(centre, taken)).escalations_done) == BOTH_STEPS
    assert await _count(centre, WorkOrderEventRow, order_id=taken, action="escalated") == 1
    assert (
        await _count(centre, NotificationRow, order_id=taken, kind="escalation:not_acknowledged")
        == 0
    )
    assert await _count(centre, EscalationRow, order_id=taken) == 2


async def test_a_batch_the_database_refuses_is_retried_order_by_order(
    centre: Centre, clock: FixedClock
) -> None:
    orders = [await centre.dispatched() for _ in range(4)]
    broken = orders[2]["id"]
    async with transaction(centre.sessionmaker) as session:
        # A history counter behind the history: its next entry's (order_id, seq) exists already,
        # which only the database can tell, when the batch's history rows are inserted.
        await session.execute(
            update(WorkOrderRow).where(WorkOrderRow.id == broken).values(history_length=1)
        )
    clock.current = TUESDAY_AFTERNOON
    cache = RulesCache(centre.sessionmaker)

    result = await sweep_once(centre.sessionmaker, clock, cache)

    assert result.batches_retried_one_by_one == 1
    assert list(result.failed) == [broken]
    assert result.applied == 2 * (len(orders) - 1)
    assert await _count(centre, EscalationRow) == 2 * (len(orders) - 1)
    assert await _count(centre, EscalationRow, order_id=broken) == 0
    for kind in ("escalation:not_acknowledged", "escalation:remind_handler"):
        assert await _count(centre, NotificationRow, order_id=broken, kind=kind) == 0
    # The broken order stays due; the next sweep fails it again and applies nothing else.
    again = await sweep_once(centre.sessionmaker, clock, cache)
    assert (again.applied, list(again.failed)) == (0, [broken])


async def test_a_failing_order_does_not_hold_back_the_orders_behind_it(
    centre: Centre, clock: FixedClock
) -> None:
    orders = [await centre.dispatched() for _ in range(3)]
    broken = orders[0]["id"]
    async with transaction(centre.sessionmaker) as session:
        await session.execute(
            update(WorkOrderRow)
            .where(WorkOrderRow.id == broken)
            .values(
                granted_extensions=["a fortnight"],
                # First in line: with batches of one it is claimed before any other.
                next_escalation_at=datetime(2026, 3, 2, 0, 0, tzinfo=UTC),
            )
        )
    clock.current = TUESDAY_AFTERNOON

    result = await sweep_once(
        centre.sessionmaker, clock, RulesCache(centre.sessionmaker), batch_size=1
    )

    assert list(result.failed) == [broken]
    assert "cannot read the working duration" in result.failed[broken]
    assert result.applied == 4
    assert result.batches_retried_one_by_one == 0  # refused while planning, before any write


async def test_saving_an_escalated_order_over_a_newer_revision_is_refused(
    centre: Centre, clock: FixedClock
) -> None:
    order = await centre.dispatched()
    stale = order_from_row(await _order_row(centre, order["id"]))
    async with transaction(centre.sessionmaker) as session:
        await session.execute(
            update(WorkOrderRow)
            .where(WorkOrderRow.id == order["id"])
            .values(revision=WorkOrderRow.revision + 1)
        )
    store = SqlWorkOrderStore(centre.sessionmaker)
    with pytest.raises(ConcurrentUpdateError):
        async with store.transaction():
            await store.save_escalated([replace(stale, revision=stale.revision + 1)])
    # The matching revision goes through.
    current = order_from_row(await _order_row(centre, order["id"]))
    async with store.transaction():
        await store.save_escalated([replace(current, revision=current.revision + 1)])
    assert (await _order_row(centre, order["id"])).revision == current.revision + 1


async def test_two_instances_with_several_workers_each_apply_every_step_once(
    centre: Centre, clock: FixedClock, database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite admits one writer at a time; concurrent sweepers need PostgreSQL")
    orders = [await centre.dispatched() for _ in range(12)]
    clock.current = TUESDAY_AFTERNOON
    engines = [create_engine(database_url) for _ in range(2)]
    try:
        makers = [create_sessionmaker(engine) for engine in engines]
        results = await asyncio.gather(
            *(
                sweep_once(maker, clock, RulesCache(maker), batch_size=2, workers=3)
                for maker in makers
            )
        )
    finally:
        for engine in engines:
            await engine.dispose()
    assert sum(result.applied for result in results) == 2 * len(orders)
    assert all(not result.failed for result in results)
    assert await _count(centre, EscalationRow) == 2 * len(orders)
    assert await _count(centre, WorkOrderEventRow, action="escalated") == 2 * len(orders)
    assert await _count(centre, NotificationRow, kind="escalation:remind_handler") == len(orders)
    for order in orders:
        row = await _order_row(centre, order["id"])
        assert (row.history_length, row.revision) == (4, order["revision"] + 1)


async def test_a_sweep_with_nothing_due_claims_nothing(centre: Centre, clock: FixedClock) -> None:
    await centre.dispatched()  # at Monday 09:00, the clock's time: its first step is at 13:00

    result = await sweep_once(centre.sessionmaker, clock, RulesCache(centre.sessionmaker))

    assert (result.applied, result.selected_batches, result.failed) == (0, 1, {})
