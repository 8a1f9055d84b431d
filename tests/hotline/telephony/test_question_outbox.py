"""No diverted question is lost: a voicemail's question is kept in the outbox before it is
filed, a filing that fails is retried later until it succeeds, and a retry after a lost
acknowledgement files no second order (both databases, the real work-order use case).

A question whose call row was never written (its process died before its write queue wrote
it, issue 18) is filed all the same, with the call written from the question, once; and a
diverted caller still on the line when the next process starts is adopted under that one row,
diverted again and ended, never opened a second time."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.calls.ports import CallKey, CallPhase
from hotline.bus import EventBus
from hotline.db.models import Call, CallEvent, DivertedQuestionRow, WorkOrderRow
from hotline.db.session import transaction
from hotline.telephony import TelephonyService
from hotline.telephony.diverted import DivertedQuestion
from hotline.telephony.question_outbox import retry_delay
from hotline.workorders.diverted_questions import question_filer
from hotline.workorders.rules import RulesCache, seed_year
from tests.fixtures.app import FixedClock
from tests.hotline.telephony.builders import SITE, inbound, make_service, seed_directory
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


# A call id no row has: the process that diverted the call died before writing it.
LOST_CALL_ID = 900_000_001
LOST_NUMBER = "13905710009"


def _lost_question(clock: FixedClock) -> DivertedQuestion:
    now = clock.now()
    return DivertedQuestion(
        call_id=LOST_CALL_ID,
        caller_number=LOST_NUMBER,
        reason="no_agents",
        outcome="voicemail",
        at=now,
        line="national_tax",
        language="zh",
        ivr_choices={"language": "zh", "line": "national_tax"},
        recording=f"voicemail-{LOST_CALL_ID}",
        site=SITE,
        channel_id="lost",
        arrived_at=now - timedelta(seconds=20),
        queued_at=now - timedelta(seconds=5),
    )


async def _calls_on(sessionmaker: async_sessionmaker[AsyncSession], channel: str) -> list[Call]:
    async with transaction(sessionmaker) as session:
        return list((await session.scalars(select(Call).where(Call.channel_id == channel))).all())


def _filer(sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock) -> Flaky:
    return Flaky(sessionmaker, clock, failures=0)


async def test_a_question_whose_call_was_never_written_is_filed_once_with_its_call(
    service: TelephonyService, sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    service.acd.on_question = _filer(sessionmaker, clock)
    await service.questions.keep(_lost_question(clock))
    await service.flush()
    (reference,) = await _orders(sessionmaker, LOST_CALL_ID)
    (call,) = await _calls_on(sessionmaker, "lost")
    # Written from the question: diverted, and open for the next engine to adopt or close.
    assert (call.id, call.caller_number, call.business_line, call.language) == (
        LOST_CALL_ID,
        LOST_NUMBER,
        "national_tax",
        "zh",
    )
    assert (call.outcome, call.ended_at) == ("diverted", None)
    assert call.live_state is not None
    assert call.live_state["diverted_to"] == "voicemail"
    # Filed again (the mark of the first filing lost): the same call, the same order.
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(DivertedQuestionRow).values(filed_at=None, next_attempt_at=clock.now())
        )
    await service.questions.deliver_due()
    assert await _orders(sessionmaker, LOST_CALL_ID) == [reference]
    assert [c.id for c in await _calls_on(sessionmaker, "lost")] == [LOST_CALL_ID]
    (row,) = await _rows(sessionmaker)
    assert (row.reference, row.filed_at is not None) == (reference, True)


async def test_a_caller_whose_call_was_never_written_is_adopted_under_the_questions_row(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    await _seed(sessionmaker)
    dead = make_service(sessionmaker, clock, RecordingControl())
    await dead.questions.keep(_lost_question(clock))  # kept; its call row never written

    control = RecordingControl()
    second = make_service(sessionmaker, clock, control)
    second.acd.on_question = _filer(sessionmaker, clock)
    await second.start()
    try:
        key = CallKey(SITE, "lost")
        resumed = await second.director.call_adopted(inbound("lost", clock.now(), LOST_NUMBER))
        # Diverted again, under the question's call: not the IVR, not routing.
        assert resumed.phase is CallPhase.QUEUE
        ((diverted, data),) = control.named("divert")
        assert (diverted, data["target"]) == (key, "voicemail")
        assert data["voicemail"].name == f"voicemail-{LOST_CALL_ID}"
        await second.adopt_live_calls([key])
        await second.director.call_finished(key)
        await second.flush()
        assert control.named("offer") == []
        (call,) = await _calls_on(sessionmaker, "lost")
        assert (call.id, call.outcome) == (LOST_CALL_ID, "diverted")
        assert call.ended_at is not None
        assert len(await _orders(sessionmaker, LOST_CALL_ID)) == 1
    finally:
        await second.stop()


async def test_a_caller_diverted_when_the_process_stopped_ends_under_its_own_row(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    await _seed(sessionmaker)
    first = make_service(sessionmaker, clock, RecordingControl())
    await first.start()
    key = CallKey(SITE, "diverted")
    await first.director.call_arrived(inbound("diverted", clock.now()))
    clock.advance(seconds=8)
    # Nobody is logged in: diverted to the voicemail at once; the caller is still recording
    # when the process stops.
    await first.director.ivr_completed(key, language="zh", line="national_tax")
    await first.stop()
    (call,) = await _calls_on(sessionmaker, "diverted")
    assert (call.outcome, call.ended_at) == ("diverted", None)

    control = RecordingControl()
    second = make_service(sessionmaker, clock, control)
    second.acd.on_question = _filer(sessionmaker, clock)
    await second.start()
    try:
        resumed = await second.director.call_adopted(inbound("diverted", clock.now()))
        assert resumed.phase is CallPhase.QUEUE
        ((_, data),) = control.named("divert")
        assert data["voicemail"].name == f"voicemail-{call.id}"
        await second.adopt_live_calls([key])
        await second.director.call_finished(key)
        await second.flush()
        (ended,) = await _calls_on(sessionmaker, "diverted")
        assert (ended.id, ended.outcome, ended.ended_at is not None) == (call.id, "diverted", True)
        assert len(await _orders(sessionmaker, call.id)) == 1
    finally:
        await second.stop()
