"""The leader's writers beside the call engine's write queue, across two terms (issue 18).

The work orders the engine files (a diverted question), the escalation sweeper and the notice
worker's claims commit nothing once their term has ended, and the current term's do their work
once; two current notice workers at once send each notice once. PostgreSQL only: on SQLite one
process always leads and nothing is fenced.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hotline.cluster.lease import Lease
from hotline.db.fence import FencedOut, WriteFence, fenced_sessionmaker
from hotline.db.models import (
    Call,
    EscalationRow,
    NoticeOutboxRow,
    WorkOrderEventRow,
    WorkOrderRow,
)
from hotline.db.session import create_engine, create_sessionmaker, transaction
from hotline.telephony.diverted import DivertedQuestion
from hotline.workorders.delivery import Notice, Sender, deliver_due
from hotline.workorders.diverted_questions import question_filer, service_user_id
from hotline.workorders.rules import RulesCache, seed_year
from hotline.workorders.settings import NoticeSettings
from hotline.workorders.sweeper import sweep_once
from tests.fixtures.app import FixedClock
from tests.hotline.telephony.builders import seed_directory

pytestmark = pytest.mark.asyncio

TTL_S = 2.0
STUCK_S = 20.0  # a liveness guard, not a speed assertion: a takeover stuck behind a lock


@pytest_asyncio.fixture
async def pg(pg_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(pg_url)
    yield engine
    await engine.dispose()


async def _two_terms(engine: AsyncEngine) -> tuple[WriteFence, WriteFence]:
    """The fence of a term that has ended (node-a's) and of the current one (node-b's)."""
    old = Lease(engine, instance_id="node-a", ttl_s=TTL_S)
    token = await old.try_acquire()
    assert token is not None
    await old.release()
    new = Lease(engine, instance_id="node-b", ttl_s=TTL_S)

    async def poll() -> None:
        while await new.try_acquire() is None:
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), STUCK_S)
    assert new.token is not None
    return WriteFence(old.name, token), WriteFence(new.name, new.token)


async def _count(maker: async_sessionmaker[AsyncSession], model: type, **where: object) -> int:
    async with transaction(maker) as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(await session.scalar(query) or 0)


async def _centre(maker: async_sessionmaker[AsyncSession], clock: FixedClock) -> int:
    """A site, a diverted call, this year's calendar; the call's id."""
    seeded = await seed_directory(maker)
    async with transaction(maker) as session:
        await seed_year(session, clock.now().year, clock.now(), overwrite=False)
        call = Call(
            site_id=seeded.site_id,
            channel_id="voicemail-caller",
            caller_number="13906000001",
            arrived_at=clock.now(),
            outcome="diverted",
        )
        session.add(call)
        await session.flush()
        return call.id


def _question(call_id: int, at: datetime) -> DivertedQuestion:
    return DivertedQuestion(
        call_id=call_id,
        caller_number="13906000001",
        reason="no_agents",
        outcome="voicemail",
        at=at,
        line="local_tax",
        language="zh",
        recording=f"voicemail-{call_id}",
    )


async def test_a_work_order_filed_by_an_ended_term_is_refused_and_the_new_term_files_it_once(
    pg: AsyncEngine, clock: FixedClock
) -> None:
    plain = create_sessionmaker(pg)
    call_id = await _centre(plain, clock)
    await service_user_id(plain)  # the IVR's account exists already
    old, new = await _two_terms(pg)
    question = _question(call_id, clock.now())
    # The work-order store commits on its own connection: the term is checked there too.
    late = question_filer(fenced_sessionmaker(pg, old), clock, RulesCache(plain))
    with pytest.raises(FencedOut):
        await late(question)
    assert await _count(plain, WorkOrderRow) == 0
    assert await _count(plain, WorkOrderEventRow) == 0
    current = question_filer(fenced_sessionmaker(pg, new), clock, RulesCache(plain))
    reference = await current(question)
    assert await current(question) == reference  # a retry finds the order it made
    assert await _count(plain, WorkOrderRow, call_id=call_id) == 1
    assert await _count(plain, WorkOrderEventRow, action="create") == 1


async def test_the_sweeper_of_an_ended_term_applies_no_step_and_the_current_one_each_once(
    pg: AsyncEngine, clock: FixedClock
) -> None:
    plain = create_sessionmaker(pg)
    call_id = await _centre(plain, clock)
    await question_filer(plain, clock, RulesCache(plain))(_question(call_id, clock.now()))
    old, new = await _two_terms(pg)
    # A month on, every step of the resolution clock is due.
    later = FixedClock(clock.now() + timedelta(days=30))
    with pytest.raises(FencedOut):
        await sweep_once(fenced_sessionmaker(pg, old), later, RulesCache(plain))
    assert await _count(plain, EscalationRow) == 0
    assert await _count(plain, WorkOrderEventRow, action="escalated") == 0
    current = fenced_sessionmaker(pg, new)
    applied = (await sweep_once(current, later, RulesCache(plain))).applied
    assert applied >= 3
    assert (await sweep_once(current, later, RulesCache(plain))).applied == 0
    assert await _count(plain, EscalationRow) == applied
    assert await _count(plain, WorkOrderEventRow, action="escalated") == applied


class _Counting(Sender):
    """Records what it would send instead of sending it."""

    def __init__(self, sent: list[int]) -> None:  # no HTTP client: nothing leaves the test
        self._sent = sent

    async def send(self, notice: Notice) -> None:
        await asyncio.sleep(0)  # another worker may claim meanwhile
        self._sent.append(notice.id)


async def test_an_ended_terms_notice_worker_claims_nothing_and_two_current_ones_send_once(
    pg: AsyncEngine, pg_url: str, clock: FixedClock
) -> None:
    plain = create_sessionmaker(pg)
    user_id = await service_user_id(plain)
    now = datetime.now(UTC)
    async with transaction(plain) as session:
        session.add_all(
            NoticeOutboxRow(
                channel="webhook",
                recipient_user_id=user_id,
                kind=f"escalation:step-{n}",
                message="m",
                next_attempt_at=now - timedelta(seconds=1),
            )
            for n in range(12)
        )
    ids = sorted(await _ids(plain))
    old, new = await _two_terms(pg)
    settings = NoticeSettings(batch_size=3)
    sent: list[int] = []
    with pytest.raises(FencedOut):
        await deliver_due(
            plain, settings, FixedClock(now), _Counting(sent), claims=fenced_sessionmaker(pg, old)
        )
    assert sent == []
    assert await _count(plain, NoticeOutboxRow, status="pending") == len(ids)

    # The current term's worker, twice at once (two pools, as after a quick restart).
    engines = [create_engine(pg_url) for _ in range(2)]
    try:

        async def worker(engine: AsyncEngine) -> None:
            mine = create_sessionmaker(engine)
            while (
                await deliver_due(
                    mine,
                    settings,
                    FixedClock(now),
                    _Counting(sent),
                    claims=fenced_sessionmaker(engine, new),
                )
            ).sent:
                pass

        await asyncio.gather(*(worker(engine) for engine in engines))
    finally:
        for engine in engines:
            await engine.dispose()
    assert sorted(sent) == ids  # each once
    assert await _count(plain, NoticeOutboxRow, status="sent") == len(ids)


async def _ids(maker: async_sessionmaker[AsyncSession]) -> list[int]:
    async with transaction(maker) as session:
        return list(await session.scalars(select(NoticeOutboxRow.id)))
