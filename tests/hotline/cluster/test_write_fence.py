"""The fencing token on the engine's database writes: once another instance took the lease, the
old leader's write queue commits nothing (refused, counted, never retried), the new leader's
writes go through, and a takeover waits for an old-term batch already committing rather than
letting it land afterwards. On SQLite (one process always leads) there is no fence."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from cti.calls.ports import CallKey, CallPhase
from hotline.bus import EventBus
from hotline.cluster.leadership import leader_only
from hotline.cluster.lease import Lease
from hotline.config import ClusterSettings, Settings
from hotline.db.fence import WRITE_FENCE_KEY, FencedOut, WriteFence, fenced_sessionmaker
from hotline.db.models import AuditLog, Call
from hotline.db.session import create_engine, create_sessionmaker, transaction
from hotline.db.write_queue import Write, WriteQueue
from hotline.deps import AppState
from hotline.main import create_app
from hotline.telephony import TelephonyService
from tests.fixtures.app import FixedClock
from tests.hotline.telephony.builders import SITE, inbound, seed_directory
from tests.hotline.telephony.fakes import RecordingControl

pytestmark = pytest.mark.asyncio

TTL_S = 2.0
# A liveness guard, not a speed assertion: a write or a takeover stuck behind a lock never ends.
STUCK_S = 20.0


@pytest_asyncio.fixture
async def pg(pg_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(pg_url)
    yield engine
    await engine.dispose()


def _lease(engine: AsyncEngine, name: str) -> Lease:
    return Lease(engine, instance_id=name, advertise_url=f"http://{name}:8000", ttl_s=TTL_S)


def _queue(engine: AsyncEngine, fence: WriteFence | None) -> WriteQueue:
    writes = WriteQueue(create_sessionmaker(engine), fence=fence, retry_max_s=0.2)
    writes.start()
    return writes


def _audit(subject: str) -> Write:
    async def write(session: AsyncSession) -> None:
        session.add(AuditLog(action="fence_test", subject_id=subject, detail={}))

    return write


async def _written(engine: AsyncEngine) -> list[str]:
    async with transaction(create_sessionmaker(engine)) as session:
        rows = await session.scalars(
            select(AuditLog.subject_id).where(AuditLog.action == "fence_test").order_by(AuditLog.id)
        )
        return [str(row) for row in rows]


async def _flushed(writes: WriteQueue) -> None:
    await asyncio.wait_for(writes.flush(), STUCK_S)


async def _take_over(engine: AsyncEngine, name: str) -> Lease:
    """A standby polling until the row is free (the old holder stopped renewing)."""
    standby = _lease(engine, name)

    async def poll() -> None:
        while await standby.try_acquire() is None:
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), STUCK_S)
    return standby


async def test_an_engine_whose_term_ended_cannot_commit_and_the_new_leader_can(
    pg: AsyncEngine,
) -> None:
    old = _lease(pg, "node-a")
    old_token = await old.try_acquire()
    assert old_token is not None
    old_writes = _queue(pg, WriteFence(old.name, old_token))
    await old_writes.put("before", _audit("old-before"))
    await _flushed(old_writes)

    await old.release()  # the term ends (here at once; a death waits for the expiry)
    new = await _take_over(pg, "node-b")
    assert new.token == old_token + 1
    assert new.token is not None
    new_writes = _queue(pg, WriteFence(new.name, new.token))

    await old_writes.put("late", _audit("old-late"))
    await old_writes.put("later", _audit("old-later"))
    await new_writes.put("current", _audit("new"))
    await _flushed(old_writes)
    await _flushed(new_writes)

    assert await _written(pg) == ["old-before", "new"]
    assert old_writes.stats.fenced == 2  # counted, set aside
    assert old_writes.stats.retries == 0  # never retried as if current
    assert old_writes.stats.failed == 0
    assert old_writes.health()["fenced"] == 2
    assert new_writes.stats.written == 1
    assert new_writes.stats.fenced == 0
    await old_writes.stop()
    await new_writes.stop()


async def test_a_leader_slow_to_renew_keeps_its_writes_until_another_takes_over(
    pg: AsyncEngine,
) -> None:
    """The leader's own deadline closes its ARI fence, not its writes: until another instance
    has the row, its term is still the database's current one, and what it wrote is kept for
    whichever engine rebuilds next (often the same instance, a moment later)."""
    lease = _lease(pg, "node-a")
    token = await lease.try_acquire()
    assert token is not None
    writes = _queue(pg, WriteFence(lease.name, token))
    lease.drop()  # the renewal came back too late: the ARI fence is closed
    assert not lease.holds()
    await writes.put("after_deadline", _audit("kept"))
    await _flushed(writes)
    assert await _written(pg) == ["kept"]
    assert writes.stats.fenced == 0
    await _take_over(pg, "node-b")
    await writes.put("after_takeover", _audit("refused"))
    await _flushed(writes)
    assert await _written(pg) == ["kept"]
    assert writes.stats.fenced == 1
    await writes.stop()


async def test_a_takeover_waits_for_an_old_batch_already_committing_and_renewals_do_not(
    pg: AsyncEngine,
) -> None:
    old = _lease(pg, "node-a")
    token = await old.try_acquire()
    assert token is not None
    writes = _queue(pg, WriteFence(old.name, token))
    inside, go_on = asyncio.Event(), asyncio.Event()

    async def slow(session: AsyncSession) -> None:
        session.add(AuditLog(action="fence_test", subject_id="in-flight", detail={}))
        inside.set()  # the batch's transaction holds the term (key-share) from here
        await go_on.wait()

    await writes.put("slow", slow)
    await asyncio.wait_for(inside.wait(), STUCK_S)
    # The holder's renewal changes only the times: it does not wait for its writer.
    assert await asyncio.wait_for(old.renew(), STUCK_S)
    await old.release()
    standby = _lease(pg, "node-b")
    takeover = asyncio.create_task(standby.try_acquire())
    await asyncio.sleep(0.3)
    # The new term cannot begin while a batch of the old one is committing.
    assert not takeover.done()
    go_on.set()
    assert await asyncio.wait_for(takeover, STUCK_S) == token + 1
    await _flushed(writes)
    # The batch committed inside its term, before the new one began; nothing of it is lost.
    assert await _written(pg) == ["in-flight"]
    assert writes.stats.written == 1
    await writes.put("after", _audit("after"))
    await _flushed(writes)
    assert writes.stats.fenced == 1
    assert await _written(pg) == ["in-flight"]
    await writes.stop()


async def test_a_frozen_old_writer_is_cut_off_by_the_server_and_its_batch_refused(
    pg: AsyncEngine,
) -> None:
    old = _lease(pg, "node-a")
    token = await old.try_acquire()
    assert token is not None
    writes = _queue(pg, WriteFence(old.name, token, idle_timeout_s=0.3))
    inside, go_on = asyncio.Event(), asyncio.Event()
    attempts = 0

    async def frozen_once(session: AsyncSession) -> None:
        nonlocal attempts
        attempts += 1
        session.add(AuditLog(action="fence_test", subject_id="frozen", detail={}))
        if attempts == 1:
            inside.set()
            await go_on.wait()  # paused mid-batch, the key-share lock held

    await writes.put("frozen", frozen_once)
    await asyncio.wait_for(inside.wait(), STUCK_S)
    await old.release()
    # The server ends the idle transaction: the takeover does not wait for the frozen writer.
    new = await _take_over(pg, "node-b")
    assert new.token == token + 1
    go_on.set()
    await _flushed(writes)
    # Its connection was gone (retried as a transient failure); on the retry the database
    # refused the term: set aside, nothing written.
    assert await _written(pg) == []
    assert writes.stats.retries >= 1
    assert writes.stats.fenced == 1
    await writes.stop()


async def test_the_old_engines_call_rows_are_refused_after_a_takeover(
    pg: AsyncEngine, clock: FixedClock
) -> None:
    sessionmaker = create_sessionmaker(pg)
    await seed_directory(sessionmaker)
    old = _lease(pg, "node-a")
    token = await old.try_acquire()
    assert token is not None
    writes = _queue(pg, WriteFence(old.name, token))
    service = TelephonyService(
        sessionmaker=sessionmaker,
        clock=clock,
        bus=EventBus(),
        control=RecordingControl(),
        writes=writes,
    )
    await service.start()
    await old.release()
    await _take_over(pg, "node-b")
    # The old engine still handles a call it heard of: the call path runs, nothing lands.
    key = CallKey(SITE, "late-call")
    await service.director.call_arrived(inbound("late-call", clock.now()))
    await service.director.caller_left(key, phase=CallPhase.IVR)
    await service.director.call_finished(key)
    await _flushed(writes)
    async with transaction(sessionmaker) as session:
        assert (await session.scalars(select(Call.channel_id))).all() == []
    assert writes.stats.fenced >= 1
    assert writes.stats.written == 0
    await service.stop()
    await writes.stop()


async def test_the_engines_commits_outside_the_queue_are_fenced_too(pg: AsyncEngine) -> None:
    """The outbox, the purge and the work orders the engine's hooks file commit on their own:
    each commit proves the term first, and reads are never checked."""
    old = _lease(pg, "node-a")
    token = await old.try_acquire()
    assert token is not None
    refused: list[int] = []
    fence = WriteFence(old.name, token, on_refused=refused.append)
    sessions = fenced_sessionmaker(pg, fence)
    async with transaction(sessions) as session:
        session.add(AuditLog(action="fence_test", subject_id="in-term", detail={}))
    await old.release()
    new = await _take_over(pg, "node-b")
    # A read that commits is not checked (it changes nothing): no refusal, no round trip.
    async with transaction(sessions) as session:
        assert (await session.scalars(select(AuditLog.subject_id))).all() == ["in-term"]
    with pytest.raises(FencedOut):
        async with transaction(sessions) as session:
            session.add(AuditLog(action="fence_test", subject_id="late", detail={}))
    with pytest.raises(FencedOut):  # a statement without ORM objects is a write all the same
        async with transaction(sessions) as session:
            await session.execute(
                update(AuditLog).where(AuditLog.subject_id == "in-term").values(detail={"x": 1})
            )
    assert refused == [1, 1]
    assert new.token is not None
    current = fenced_sessionmaker(pg, WriteFence(new.name, new.token))
    async with transaction(current) as session:
        session.add(AuditLog(action="fence_test", subject_id="new", detail={}))
    assert await _written(pg) == ["in-term", "new"]


async def test_the_leader_hands_its_term_to_the_engine_and_sqlite_has_no_fence(
    database_url: str,
) -> None:
    seen: list[object] = []

    async def component(state: AppState) -> Callable[[], object]:
        seen.append(state.extras.get(WRITE_FENCE_KEY))

        async def stop() -> None:
            return None

        return stop

    settings = Settings(
        database_url=database_url, cluster=ClusterSettings(instance_id="node-a", lease_ttl_s=3.0)
    )
    app = create_app(settings, components=[leader_only([component])])  # type: ignore[list-item]
    async with app.router.lifespan_context(app):
        leadership = app.state.hotline.extras["cluster"]
        if database_url.startswith("sqlite"):
            assert seen == [None]  # one process always leads: the writes are not fenced
            return
        (fence,) = seen
        assert isinstance(fence, WriteFence)
        assert fence.token == leadership.lease.token
        assert fence.idle_timeout_s < settings.cluster.lease_ttl_s
        # Refusals reach the leader's metric, whichever path refused them.
        fence.refused(3)
        registry = app.state.hotline.metrics.registry
        assert registry.get_sample_value("hotline_cluster_writes_fenced_total") == 3
