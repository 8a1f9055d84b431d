"""The group commit of read audits (``hotline.audit_reads``), on SQLite and on PostgreSQL.

No timing: what is committed, and when a write returns, is observed against a real database
whose write lock the test holds from another connection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio
from sqlalchemy import exc as sa_exc
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hotline.audit_reads import ReadAuditWriter, WriterStopped, open_read_audits, read_entry
from hotline.clock import utc_now
from hotline.db.models import AuditLog
from hotline.db.session import on_write_wait
from tests.waiting import WAIT_S

pytestmark = pytest.mark.asyncio


def _entry(name: str) -> dict[str, object]:
    return read_entry(
        at=utc_now(),
        action="personal_data_read",
        actor_user_id=1,
        actor_username=name,
        subject_type="work_order",
        subject_id=None,
        detail={"purpose": "list", "work_orders": [name]},
        request_id=f"request-{name}",
        client_ip="127.0.0.1",
    )


@pytest_asyncio.fixture
async def writer(engine: AsyncEngine, database_url: str) -> AsyncIterator[ReadAuditWriter]:
    audits = open_read_audits(database_url, engine)
    audits.start()
    yield audits
    await audits.stop()


async def _committed(engine: AsyncEngine) -> list[str]:
    """The audited readers, as another connection sees them (committed rows only)."""
    async with engine.connect() as connection:
        rows = await connection.execute(select(AuditLog.actor_username).order_by(AuditLog.id))
        return [str(name) for (name,) in rows]


async def _hold_write_lock(connection: AsyncConnection) -> None:
    """Keep every other writer of ``audit_log`` waiting until ``connection`` rolls back."""
    if connection.dialect.name == "sqlite":
        # A write opens SQLite's one write transaction (WAL: readers still read).
        await connection.execute(insert(AuditLog.__table__), [_entry("blocker")])
    else:
        # Conflicts with the row lock an INSERT takes; plain reads still go through.
        await connection.exec_driver_sql("LOCK TABLE audit_log IN EXCLUSIVE MODE")


async def _until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(WAIT_S):
        while not condition():
            await asyncio.sleep(0.005)


async def test_concurrent_reads_share_one_transaction_and_every_row_is_there(
    writer: ReadAuditWriter, engine: AsyncEngine
) -> None:
    names = [f"reader-{n}" for n in range(20)]
    await asyncio.gather(*(writer.write(_entry(name)) for name in names))
    assert await _committed(engine) == names
    assert writer.stats.written == 20
    assert writer.stats.batches == 1  # all handed over before the writer ran: one commit


async def test_a_read_returns_only_once_its_row_is_committed_and_the_loop_stays_free(
    writer: ReadAuditWriter, engine: AsyncEngine
) -> None:
    async with engine.connect() as blocker:
        await _hold_write_lock(blocker)
        first = asyncio.create_task(writer.write(_entry("first")))
        await _until(lambda: writer.committing)  # its batch waits at the database's lock
        # The loop is free meanwhile: this test runs, and more reads hand their rows over.
        later = [asyncio.create_task(writer.write(_entry(f"later-{n}"))) for n in range(5)]
        await _until(lambda: writer.waiting == 5)
        for _ in range(50):
            await asyncio.sleep(0)
        assert not first.done()
        assert not any(task.done() for task in later)
        assert await _committed(engine) == []
        await blocker.rollback()
    await asyncio.wait_for(asyncio.gather(first, *later), WAIT_S)
    assert await _committed(engine) == ["first"] + [f"later-{n}" for n in range(5)]
    assert writer.stats.batches == 2  # the five gathered while the first one waited


async def test_a_read_waiting_for_a_batch_in_flight_leaves_the_read_line(
    writer: ReadAuditWriter, engine: AsyncEngine
) -> None:
    left: list[str] = []
    async with engine.connect() as blocker:
        await _hold_write_lock(blocker)
        first = asyncio.create_task(writer.write(_entry("first")))
        await _until(lambda: writer.committing)
        hook = on_write_wait.set(lambda: left.append("second"))
        try:
            second = asyncio.create_task(writer.write(_entry("second")))
        finally:
            on_write_wait.reset(hook)
        await _until(lambda: writer.waiting == 1)
        assert left == ["second"]  # told the API's read line it waits for a write
        await blocker.rollback()
    await asyncio.wait_for(asyncio.gather(first, second), WAIT_S)


async def test_a_failed_batch_fails_every_read_it_held_and_the_writer_goes_on(
    writer: ReadAuditWriter, engine: AsyncEngine
) -> None:
    async with engine.begin() as connection:
        await connection.exec_driver_sql("ALTER TABLE audit_log RENAME TO audit_log_away")
    results = await asyncio.gather(
        *(writer.write(_entry(f"lost-{n}")) for n in range(5)), return_exceptions=True
    )
    # Each request is told (never a silent drop): its response fails instead of showing data.
    assert all(isinstance(result, sa_exc.DBAPIError) for result in results), results
    assert writer.stats.failed == 5
    async with engine.begin() as connection:
        await connection.exec_driver_sql("ALTER TABLE audit_log_away RENAME TO audit_log")
    await writer.write(_entry("after"))
    assert await _committed(engine) == ["after"]


async def test_a_cancelled_read_is_still_audited(
    writer: ReadAuditWriter, engine: AsyncEngine
) -> None:
    """A client that leaves while its read waits: its row is written all the same (the data
    may have been on its way), and the batch it shared is not disturbed."""
    async with engine.connect() as blocker:
        await _hold_write_lock(blocker)
        gone = asyncio.create_task(writer.write(_entry("gone")))
        stays = asyncio.create_task(writer.write(_entry("stays")))
        await _until(lambda: writer.committing)
        gone.cancel()
        await blocker.rollback()
    await asyncio.wait_for(stays, WAIT_S)
    assert gone.cancelled()
    assert await _committed(engine) == ["gone", "stays"]


async def test_stop_commits_what_waits_and_later_reads_are_refused(
    engine: AsyncEngine, database_url: str
) -> None:
    audits = open_read_audits(database_url, engine)
    audits.start()
    pending = [asyncio.create_task(audits.write(_entry(f"r{n}"))) for n in range(3)]
    # All three handed over: waiting, in a batch, or (on a quick machine) already committed.
    await _until(lambda: audits.pending + audits.stats.written == 3)
    await audits.stop()
    await asyncio.wait_for(asyncio.gather(*pending), WAIT_S)
    assert await _committed(engine) == ["r0", "r1", "r2"]
    with pytest.raises(WriterStopped):
        await audits.write(_entry("late"))
