"""No diverted question is lost: a voicemail's question is kept in the outbox before it is
filed, a filing that fails is retried later until it succeeds, and a retry after a lost
acknowledgement files no second order (both databases, the real work-order use case)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.bus import EventBus
from hotline.db.models import CallEvent, DivertedQuestionRow, WorkOrderRow
from hotline.db.session import transaction
from hotline.telephony import TelephonyService
from hotline.telephony.diverted import DivertedQuestion
from hotline.telephony.question_outbox import retry_delay
from hotline.workorders.diverted_questions import question_filer
from hotline.workorders.rules import RulesCache, seed_year
from tests.fixtures.app import FixedClock
from tests.hotline.telephony.builders import inbound, seed_directory
from tests.hotline.telephony.fakes import RecordingControl

pytestmark = pytest.mark.asyncio

CLOSED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # Monday 18:00 in China


@pytest_asyncio.fixture
async def service(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> AsyncIterator[TelephonyService]:
    await _seed(sessionmaker)
    telephony = TelephonyService(
        sessionmaker=sessionmaker, clock=clock, bus=EventBus(), control=RecordingControl()
    )
    telephony.acd.menus = dataclasses.replace(telephony.acd.menus, closed_voicemail=True)
    await telephony.start()
    yield telephony
    await telephony.stop()


async def _seed(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """The directory, and the working-day calendar the order's deadlines are counted in."""
    await seed_directory(sessionmaker)
    async with transaction(sessionmaker) as session:
        await seed_year(session, 2026, datetime(2026, 1, 1, tzinfo=UTC), overwrite=False)


class Flaky:
    """The real filer, behind ``failures`` refusals like a database that is away."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock, failures: int
    ) -> None:
        self.real = question_filer(sessionmaker, clock, RulesCache(sessionmaker))
        self.failures = failures
        self.attempts = 0
        self.lose_first_answer = False

    async def __call__(self, question: DivertedQuestion) -> str:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise OperationalError("INSERT INTO work_order", {}, ConnectionRefusedError())
        reference = await self.real(question)
        if self.lose_first_answer:
            self.lose_first_answer = False
            raise ConnectionResetError("the acknowledgement was lost")  # filed, but unknown
        return reference


async def _rows(sessionmaker: async_sessionmaker[AsyncSession]) -> list[DivertedQuestionRow]:
    async with transaction(sessionmaker) as session:
        return list((await session.scalars(select(DivertedQuestionRow))).all())


async def _orders(sessionmaker: async_sessionmaker[AsyncSession], call_id: int) -> list[str]:
    async with transaction(sessionmaker) as session:
        found = await session.scalars(
            select(WorkOrderRow.reference).where(WorkOrderRow.call_id == call_id)
        )
        return list(found.all())


async def _closed_voicemail(
    service: TelephonyService, clock: FixedClock, sessionmaker: async_sessionmaker[AsyncSession]
) -> int:
    clock.current = CLOSED
    plan = await service.director.call_arrived(inbound("late", clock.now(), "13905710001"))
    assert plan.closed_voicemail is not None
    await service.flush()
    (row,) = await _rows(sessionmaker)
    return row.call_id


async def test_a_failed_filing_is_retried_until_the_order_exists(
    service: TelephonyService, sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    hook = Flaky(sessionmaker, clock, failures=2)
    service.acd.on_question = hook
    call_id = await _closed_voicemail(service, clock, sessionmaker)
    # The first attempt failed: the question is kept, due again later, and no order exists.
    (row,) = await _rows(sessionmaker)
    assert (row.attempts, row.filed_at, row.recording) == (1, None, f"voicemail-{call_id}")
    assert row.last_error is not None
    assert "work_order" in row.last_error
    assert await _orders(sessionmaker, call_id) == []
    # Not due yet: nothing is tried before its time.
    assert await service.questions.deliver_due() == 0
    assert hook.attempts == 1
    clock.advance(seconds=retry_delay(1))
    assert await service.questions.deliver_due() == 0  # the second attempt fails too
    clock.advance(seconds=retry_delay(2))
    assert await service.questions.deliver_due() == 1
    (reference,) = await _orders(sessionmaker, call_id)
    (row,) = await _rows(sessionmaker)
    assert (row.reference, row.attempts) == (reference, 3)
    assert row.filed_at is not None
    await service.flush()
    async with transaction(sessionmaker) as session:
        kinds = (
            await session.scalars(
                select(CallEvent.kind).where(CallEvent.call_id == call_id).order_by(CallEvent.id)
            )
        ).all()
    assert kinds.count("work_order_failed") == 2
    assert kinds[-1] == "work_order"
    # A filed question is never filed again.
    clock.advance(seconds=3600)
    assert await service.questions.deliver_due() == 0
    assert hook.attempts == 3


async def test_a_retry_after_a_lost_acknowledgement_files_one_order(
    service: TelephonyService, sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    hook = Flaky(sessionmaker, clock, failures=0)
    hook.lose_first_answer = True
    service.acd.on_question = hook
    call_id = await _closed_voicemail(service, clock, sessionmaker)
    assert len(await _orders(sessionmaker, call_id)) == 1  # made, though the filer heard no answer
    clock.advance(seconds=retry_delay(1))
    assert await service.questions.deliver_due() == 1
    (reference,) = await _orders(sessionmaker, call_id)
    (row,) = await _rows(sessionmaker)
    assert row.reference == reference


async def test_questions_left_by_a_stopped_process_are_filed_by_the_next(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    await _seed(sessionmaker)
    first = TelephonyService(
        sessionmaker=sessionmaker, clock=clock, bus=EventBus(), control=RecordingControl()
    )
    first.acd.menus = dataclasses.replace(first.acd.menus, closed_voicemail=True)
    await first.start()
    first.acd.on_question = Flaky(sessionmaker, clock, failures=1)
    call_id = await _closed_voicemail(first, clock, sessionmaker)
    await first.stop()
    assert await _orders(sessionmaker, call_id) == []
    clock.advance(seconds=retry_delay(1))
    second = TelephonyService(
        sessionmaker=sessionmaker, clock=clock, bus=EventBus(), control=RecordingControl()
    )
    second.acd.on_question = Flaky(sessionmaker, clock, failures=0)
    await second.start()  # its outbox worker looks for due questions at once
    try:
        await second.flush()
        assert len(await _orders(sessionmaker, call_id)) == 1
    finally:
        await second.stop()
    async with transaction(sessionmaker) as session:
        count = await session.scalar(select(func.count()).select_from(DivertedQuestionRow))
    assert count == 1
