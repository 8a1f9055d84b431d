"""The CTI engine's write queue: the call path never waits for the database, and nothing is lost
while the database is locked, slow or restarting (every write arrives, in order, afterwards)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from cti.calls.ports import CallKey, CallPhase
from hotline.bus import EventBus
from hotline.db.models import AuditLog, Call, CallEvent
from hotline.db.session import create_engine, create_sessionmaker, transaction
from hotline.db.write_queue import WriteQueue
from hotline.telephony import TelephonyService
from tests.fixtures.app import FixedClock
from tests.hotline.telephony.builders import SITE, inbound, seed_directory
from tests.hotline.telephony.fakes import RecordingControl
from tests.hotline.telephony.locks import database_locked

pytestmark = pytest.mark.asyncio

# A liveness guard, not a speed assertion: work that waits for a locked database never ends.
STUCK_S = 20.0


@pytest_asyncio.fixture
async def cti_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The CTI engine's own pool. On SQLite a short busy timeout, so that a locked database
    surfaces as errors the queue must retry (the default waits inside the driver instead)."""
    engine = create_engine(database_url, sqlite_busy_timeout_s=0.05)
    yield engine
    await engine.dispose()


def _alarmed_queue(
    sessionmaker: async_sessionmaker[AsyncSession], max_items: int = 50_000
) -> WriteQueue:
    # Lag alarm at 0 s: any write still waiting raises it, so health shows the outage.
    return WriteQueue(sessionmaker, max_items=max_items, alarm_lag_s=0.0, retry_max_s=0.2)


async def _finished(task: asyncio.Task[None]) -> bool:
    done, _ = await asyncio.wait({task}, timeout=STUCK_S)
    return task in done


async def _retried(writes: WriteQueue) -> bool:
    """Wait until the writer has met the unavailable database at least once."""

    async def poll() -> None:
        while writes.stats.retries == 0:
            await asyncio.sleep(0.01)

    return await _finished(asyncio.create_task(poll()))


async def test_calls_flow_while_the_database_is_locked_and_every_row_arrives_afterwards(
    database_url: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    cti_engine: AsyncEngine,
    clock: FixedClock,
) -> None:
    seeded = await seed_directory(sessionmaker)
    cti = create_sessionmaker(cti_engine)
    writes = _alarmed_queue(cti)
    service = TelephonyService(
        sessionmaker=cti, clock=clock, bus=EventBus(), control=RecordingControl(), writes=writes
    )
    writes.start()
    await service.start()
    await service.agents.login(seeded.agents["a1"], site=SITE)  # not ready: the calls wait
    channels = [f"locked-{n}" for n in range(5)]

    async def calls_come_and_go() -> None:
        for channel in channels:
            key = CallKey(SITE, channel)
            await service.director.call_arrived(inbound(channel, clock.now()))
            clock.advance(seconds=5)
            await service.director.ivr_completed(key, language="zh", line="national_tax")
            clock.advance(seconds=20)  # nobody is ready: the caller gives up
            await service.director.caller_left(key, phase=CallPhase.QUEUE)
            await service.director.call_finished(key)

    async with database_locked(database_url, ("call", "call_event")) as outage:
        flow = asyncio.create_task(calls_come_and_go())
        assert await _finished(flow), "the call path waited for the locked database"
        await outage.cut_connections()  # PostgreSQL: as if the server restarted meanwhile
        assert await _retried(writes)  # refused while locked (or cut): to be retried
        health = writes.health()
        assert health["depth"] > 0
        assert health["ok"] is False  # the lag alarm is up while writes wait
    await service.flush()
    assert writes.health()["ok"] is True
    async with transaction(sessionmaker) as session:
        rows = (await session.scalars(select(Call).order_by(Call.id))).all()
        journal = (
            await session.execute(
                select(Call.channel_id, CallEvent.seq, CallEvent.kind)
                .join(Call, Call.id == CallEvent.call_id)
                .order_by(Call.id, CallEvent.seq)
            )
        ).all()
    assert [(row.channel_id, row.outcome) for row in rows] == [
        (channel, "abandoned_queue") for channel in channels
    ]
    assert all(row.ended_at is not None and row.queued_at is not None for row in rows)
    expected = ["arrived", "ivr_completed", "caller_left", "call_finished"]
    for channel in channels:
        entries = [(seq, kind) for found, seq, kind in journal if found == channel]
        assert entries == list(enumerate(expected, start=1))
    await service.stop()
    await writes.stop()


async def test_a_full_queue_makes_the_producer_wait_and_drops_nothing(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession], cti_engine: AsyncEngine
) -> None:
    writes = _alarmed_queue(create_sessionmaker(cti_engine), max_items=3)
    writes.start()

    def entry(n: int) -> AuditLog:
        return AuditLog(action="queue_test", subject_id=str(n), detail={})

    async def add(n: int) -> None:
        async def write(session: AsyncSession) -> None:
            session.add(entry(n))

        await writes.put(f"entry {n}", write)

    async with database_locked(database_url, ("audit_log",)):
        for n in range(3):
            await add(n)  # room: returns at once
        fourth = asyncio.create_task(add(3))
        for _ in range(20):
            await asyncio.sleep(0)
        assert not fourth.done()  # the queue is full: the producer waits, nothing is dropped
        assert writes.depth == 3
    assert await _finished(fourth)
    await writes.flush()
    async with transaction(sessionmaker) as session:
        written = (
            await session.scalars(
                select(AuditLog.subject_id)
                .where(AuditLog.action == "queue_test")
                .order_by(AuditLog.id)
            )
        ).all()
    assert written == ["0", "1", "2", "3"]
    assert writes.stats.full_waits >= 1
    await writes.stop()


async def test_a_refused_write_is_set_aside_and_the_others_are_written(
    sessionmaker: async_sessionmaker[AsyncSession], cti_engine: AsyncEngine
) -> None:
    writes = WriteQueue(create_sessionmaker(cti_engine))

    async def good(session: AsyncSession) -> None:
        session.add(AuditLog(action="queue_test", detail={}))

    async def refused(session: AsyncSession) -> None:
        # A journal entry for a call that does not exist: the foreign key refuses it.
        session.add(CallEvent(call_id=987654321, seq=1, at=FixedClock().now(), kind="x", data={}))

    for write in (good, refused, good):
        await writes.put(write.__name__, write)
    writes.start()
    await writes.flush()
    async with transaction(sessionmaker) as session:
        count = await session.scalar(
            select(func.count(AuditLog.id)).where(AuditLog.action == "queue_test")
        )
    assert count == 2
    assert (writes.stats.written, writes.stats.failed) == (2, 1)
    await writes.stop()
