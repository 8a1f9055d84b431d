"""A call's life through the director and the ACD loop, with a recording controller, on both
databases: record, journal, abandon snapshot, re-offer, RONA, closed hours, callbacks."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.calls.ports import CallKey, CallPhase, EndedBy, LegFailure, VoicemailSpec
from hotline.bus import EventBus
from hotline.db.models import AgentSession, AgentStateLog, Call, Callback
from hotline.db.session import transaction
from hotline.telephony import TelephonyService
from hotline.telephony.context import WALLBOARD
from hotline.telephony.diverted import DivertedQuestion
from tests.fixtures.app import FixedClock
from tests.hotline.telephony.builders import SITE, Seeded, inbound, make_service, seed_directory
from tests.hotline.telephony.fakes import RecordingControl
from tests.waiting import WAIT_S

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def seeded(sessionmaker: async_sessionmaker[AsyncSession]) -> Seeded:
    return await seed_directory(sessionmaker)


@pytest.fixture
def control() -> RecordingControl:
    return RecordingControl()


@pytest_asyncio.fixture
async def service(
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
    control: RecordingControl,
    seeded: Seeded,
) -> AsyncIterator[TelephonyService]:
    telephony = make_service(sessionmaker, clock, control)
    await telephony.start()
    yield telephony
    await telephony.stop()


async def _call_row(sessionmaker: async_sessionmaker[AsyncSession], channel: str) -> Call:
    async with transaction(sessionmaker) as session:
        return (await session.scalars(select(Call).where(Call.channel_id == channel))).one()


async def _queued(service: TelephonyService, clock: FixedClock, channel: str) -> CallKey:
    plan = await service.director.call_arrived(inbound(channel, clock.now()))
    assert plan.open
    clock.advance(seconds=8)
    key = CallKey(SITE, channel)
    await service.director.ivr_completed(key, language="zh", line="national_tax")
    return key


async def test_a_call_from_ivr_to_hang_up_is_recorded_with_every_phase(
    service: TelephonyService,
    seeded: Seeded,
    clock: FixedClock,
    control: RecordingControl,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    a1 = seeded.agents["a1"]
    await service.agents.login(a1, site=SITE)
    await service.agents.set_ready(a1)
    key = await _queued(service, clock, "c1")

    offered_key, offer = control.last("offer")
    assert offered_key == key
    assert offer == {"agent_id": str(a1), "endpoint": "PJSIP/1001", "ring_timeout_s": 15}
    clock.advance(seconds=4)
    await service.director.offer_answered(key, agent_id=str(a1))
    clock.advance(seconds=30)
    await service.director.journal(key, "hold", {})
    clock.advance(seconds=10)
    await service.director.journal(key, "unhold", {})
    clock.advance(seconds=50)
    await service.director.talk_ended(key, agent_id=str(a1), ended_by=EndedBy.AGENT)
    await service.director.survey_answered(key, score=5)
    clock.advance(seconds=6)
    await service.director.call_finished(key)

    await service.flush()
    row = await _call_row(sessionmaker, "c1")
    assert row.outcome == "answered"
    assert row.region == "浙江省杭州市"
    assert row.ivr_choices == {"language": "zh", "line": "national_tax"}
    assert (row.ivr_s, row.wait_s, row.ring_s) == (8.0, 4.0, 4.0)
    assert (row.talk_s, row.hold_s) == (80.0, 10.0)
    assert row.routing_stage == 0
    assert row.routing_level == 1
    assert row.agent_id == a1
    assert row.survey_score == 5
    assert row.ended_by == "agent"
    assert row.live_state is None
    assert row.ivr_done_at is not None
    assert row.arrived_at < row.ivr_done_at == row.queued_at == row.first_offered_at
    assert row.first_offered_at is not None
    assert row.answered_at is not None
    assert row.ended_at is not None
    assert row.answered_at < row.ended_at
    kinds = [e.kind for e in await service.recorder.journal_entries(row.id)]
    assert kinds == [
        "arrived", "ivr_completed", "offer", "offer_answered", "hold", "unhold", "talk_ended",
        "survey_answered", "call_finished",
    ]  # fmt: skip
    await service.flush()
    async with transaction(sessionmaker) as session:
        states = (
            await session.scalars(
                select(AgentStateLog.status)
                .where(AgentStateLog.agent_id == a1)
                .order_by(AgentStateLog.id)
            )
        ).all()
    assert states == ["logged_in", "idle", "on_call", "wrap_up"]


async def test_a_repeated_notification_changes_nothing(
    service: TelephonyService,
    seeded: Seeded,
    clock: FixedClock,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await service.agents.login(seeded.agents["a1"], site=SITE)  # logged in, not ready
    key = await _queued(service, clock, "dup")
    await service.director.call_arrived(inbound("dup", clock.now()))
    await service.director.caller_left(key, phase=CallPhase.QUEUE)
    await service.director.caller_left(key, phase=CallPhase.IVR)
    await service.director.call_finished(key)
    await service.director.call_finished(key)
    await service.flush()
    async with transaction(sessionmaker) as session:
        rows = (await session.scalars(select(Call))).all()
    assert [r.outcome for r in rows] == ["abandoned_queue"]


async def test_an_abandon_in_queue_keeps_the_snapshot_of_eligible_agents(
    service: TelephonyService,
    seeded: Seeded,
    clock: FixedClock,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    a1 = seeded.agents["a1"]
    await service.agents.login(a1, site=SITE)
    await service.agents.set_not_ready(a1, "lunch")
    key = await _queued(service, clock, "ab")
    clock.advance(seconds=25)
    await service.director.caller_left(key, phase=CallPhase.QUEUE)
    await service.director.call_finished(key)

    await service.flush()
    row = await _call_row(sessionmaker, "ab")
    assert row.outcome == "abandoned_queue"
    assert row.wait_s == 25.0
    assert row.abandon_snapshot is not None
    assert row.abandon_snapshot["wait_s"] == 25.0
    assert row.abandon_snapshot["eligible"] == [
        {
            "agent_id": str(a1),
            "level": 1,
            "status": "not_ready",
            "reason": "lunch",
            "since": pytest.approx(clock.now().timestamp() - 33),
        }
    ]


async def test_a_busy_agent_makes_routing_offer_the_call_to_another(
    service: TelephonyService, seeded: Seeded, clock: FixedClock, control: RecordingControl
) -> None:
    for code in ("a1", "a2"):
        await service.agents.login(seeded.agents[code], site=SITE)
        await service.agents.set_ready(seeded.agents[code])
        clock.advance(seconds=1)
    key = await _queued(service, clock, "busy")
    first = control.last("offer")[1]["agent_id"]
    await service.director.offer_failed(key, agent_id=first, failure=LegFailure.BUSY)
    second = control.last("offer")[1]
    assert second["agent_id"] != first
    assert second["endpoint"] in {"PJSIP/1001", "PJSIP/1002"}


async def test_ring_no_answer_twice_sets_the_agent_not_ready(
    service: TelephonyService,
    seeded: Seeded,
    clock: FixedClock,
    control: RecordingControl,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    a1 = seeded.agents["a1"]
    await service.agents.login(a1, site=SITE)
    await service.agents.set_ready(a1)
    key = await _queued(service, clock, "rona")
    for _ in range(2):
        assert control.last("offer")[1]["agent_id"] == str(a1)
        clock.advance(seconds=15)
        await service.director.offer_failed(key, agent_id=str(a1), failure=LegFailure.NO_ANSWER)
    view = await service.agents.view(a1)
    assert (view.status, view.reason) == ("not_ready", "rona")
    assert len(control.named("offer")) == 2
    await service.flush()
    async with transaction(sessionmaker) as session:
        saved = await session.get(AgentSession, a1)
    assert saved is not None
    assert (saved.status, saved.reason) == ("not_ready", "rona")


async def test_a_call_nobody_logged_in_can_serve_is_diverted(
    service: TelephonyService,
    clock: FixedClock,
    control: RecordingControl,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    key = await _queued(service, clock, "nobody")
    ((diverted, data),) = control.named("divert")
    assert (diverted, data["target"]) == (key, "voicemail")
    await service.flush()
    call_id = (await _call_row(sessionmaker, "nobody")).id
    # The configuration's voicemail: a beep and its maximum length, under a name per call.
    assert data["voicemail"] == VoicemailSpec(f"voicemail-{call_id}", 120, beep=True)
    await service.director.call_finished(key)
    await service.flush()
    assert (await _call_row(sessionmaker, "nobody")).outcome == "diverted"


async def test_outside_service_hours_the_plan_is_closed(
    service: TelephonyService, clock: FixedClock
) -> None:
    clock.current = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)  # a Sunday, 11:00 in China
    plan = await service.director.call_arrived(inbound("sunday", clock.now()))
    assert not plan.open
    clock.current = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # Monday 18:00 in China
    assert not (await service.director.call_arrived(inbound("evening", clock.now()))).open


async def test_a_requested_callback_is_stored_then_placed_and_done(
    service: TelephonyService,
    seeded: Seeded,
    clock: FixedClock,
    control: RecordingControl,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    a1 = seeded.agents["a1"]
    await service.agents.login(a1, site=SITE)
    key = await _queued(service, clock, "cb")
    clock.advance(seconds=95)
    await service.agents.set_not_ready(a1, "break")  # runs the timers: the callback offer
    assert control.named("offer_callback") == [(key, {})]
    await service.director.callback_accepted(key)
    await service.director.call_finished(key)
    await service.flush()
    row = await _call_row(sessionmaker, "cb")
    assert row.outcome == "callback_requested"
    await service.flush()
    async with transaction(sessionmaker) as session:
        callback = (await session.scalars(select(Callback))).one()
    assert (callback.status, callback.number, callback.arrived_at) == (
        "pending",
        row.caller_number,
        row.queued_at,
    )

    clock.advance(seconds=60)
    await service.agents.set_ready(a1)
    placed_key, placed = control.last("place_callback")
    assert placed == {
        "agent_id": str(a1),
        "agent_endpoint": "PJSIP/1001",
        "taxpayer_number": row.caller_number,
    }
    # The callback plays the survey and sounds of the configuration, in the caller's language.
    (plan,) = control.callback_plans
    assert plan is not None
    assert (plan.default_language, plan.languages, plan.survey) == ("zh", (), True)
    await service.director.offer_answered(placed_key, agent_id=str(a1))
    clock.advance(seconds=120)
    await service.director.talk_ended(placed_key, agent_id=str(a1), ended_by=EndedBy.AGENT)
    await service.director.call_finished(placed_key)
    await service.flush()
    async with transaction(sessionmaker) as session:
        callback = (await session.scalars(select(Callback))).one()
        placed_row = (await session.scalars(select(Call).where(Call.kind == "callback"))).one()
    assert (callback.status, callback.attempts, callback.last_outcome) == ("done", 1, "answered")
    assert (placed_row.outcome, placed_row.talk_s, placed_row.callback_id) == (
        "answered",
        120.0,
        callback.id,
    )


async def _callback_row(sessionmaker: async_sessionmaker[AsyncSession]) -> Callback:
    async with transaction(sessionmaker) as session:
        return (await session.scalars(select(Callback))).one()


@pytest.mark.parametrize("reported_by", ["caller_left", "call_finished"])
async def test_an_unreached_taxpayer_frees_the_agent_and_is_retried_after_the_pause(
    service: TelephonyService,
    seeded: Seeded,
    clock: FixedClock,
    control: RecordingControl,
    sessionmaker: async_sessionmaker[AsyncSession],
    reported_by: str,
) -> None:
    """The callback contract: without ``offer_answered`` the taxpayer was never connected."""
    a1 = seeded.agents["a1"]
    await service.agents.login(a1, site=SITE)
    key = await _queued(service, clock, "retry")
    await service.director.callback_accepted(key)
    await service.director.call_finished(key)
    await service.agents.set_ready(a1)
    keys: list[CallKey] = []
    for attempt in range(1, 4):
        placed_key, _ = control.last("place_callback")
        keys.append(placed_key)
        assert (await service.agents.view(a1)).status == "reserved"
        # The agent answered and heard music; the taxpayer's leg failed (busy, no answer...).
        if reported_by == "caller_left":
            await service.director.caller_left(placed_key, phase=CallPhase.RINGING)
        await service.director.call_finished(placed_key)
        await service.flush()
        callback = await _callback_row(sessionmaker)
        assert callback.attempts == attempt
        # Routing was told the offer ended: the agent is free at once, nothing is waiting.
        assert (await service.agents.view(a1)).status == "idle"
        (queue,) = await service.queues()
        assert queue.waiting == 0
        if attempt < 3:
            assert callback.status == "pending"
            assert callback.next_attempt_at == clock.now() + timedelta(seconds=600)
            # Going not ready and back does not bring the callback back before its time.
            await service.agents.set_not_ready(a1, "break")
            await service.agents.set_ready(a1)
            await service.callbacks.run_due()
            assert len(control.named("place_callback")) == attempt
        clock.advance(seconds=600)
        await service.callbacks.run_due()
    assert (callback.status, callback.last_outcome) == ("failed", "no_answer")
    assert len(control.named("place_callback")) == 3
    assert len(set(keys)) == 3  # every attempt under a new key


async def test_phase_times_follow_the_service_clock_not_asterisks(
    service: TelephonyService,
    clock: FixedClock,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    # A sped-up emulator or a skewed Asterisk: the channel was "created" an hour from now.
    ahead = clock.now() + timedelta(hours=1)
    key = CallKey(SITE, "skewed")
    await service.director.call_arrived(inbound("skewed", ahead))
    clock.advance(seconds=5)
    await service.director.caller_left(key, phase=CallPhase.IVR)
    await service.director.call_finished(key)
    await service.flush()
    row = await _call_row(sessionmaker, "skewed")
    assert row.ended_at is not None
    assert row.arrived_at < row.ended_at
    assert row.ivr_s == 5.0
    (arrived, *_) = await service.recorder.journal_entries(row.id)
    assert arrived.data["channel_created_at"] == ahead.isoformat()


async def test_agent_ids_on_the_streams_are_the_database_ids(
    sessionmaker: async_sessionmaker[AsyncSession], seeded: Seeded, clock: FixedClock
) -> None:
    """Call events and agent-state events give an agent's id the same type (the REST one)."""
    bus = EventBus()
    service = make_service(sessionmaker, clock, RecordingControl(), bus=bus)
    await service.start()
    a1 = seeded.agents["a1"]
    async with bus.subscribe(WALLBOARD) as wallboard:
        await service.agents.login(a1, site=SITE)
        await service.agents.set_ready(a1)
        key = await _queued(service, clock, "typed")  # offered to a1: "ringing" with its id
        await service.director.offer_answered(key, agent_id=str(a1))
        await service.director.talk_ended(key, agent_id=str(a1), ended_by=EndedBy.AGENT)
        await service.director.call_finished(key)
        bus.publish(WALLBOARD, {"type": "test-end"})
        messages = []
        async for message in wallboard:
            if message["type"] == "test-end":
                break
            messages.append(message)
    await service.stop()
    with_agent = [(m["type"], m.get("phase"), m["agent_id"]) for m in messages if "agent_id" in m]
    assert ("call", "ringing", a1) in with_agent
    assert ("call", "talk", a1) in with_agent
    assert ("state", None, a1) in with_agent
    assert {type(agent_id) for _, _, agent_id in with_agent} == {int}


async def test_oversized_strings_from_asterisk_are_cut_to_the_columns_not_lost(
    service: TelephonyService, clock: FixedClock, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """PostgreSQL refuses a row with a value longer than its column: the call would be lost."""
    long = dataclasses.replace(
        inbound("long", clock.now()),
        caller_name="纳税人\x00" * 100,
        caller_number="1" * 100,
        dialled="9" * 100,
        channel_name="PJSIP/" + "x" * 1000,
    )
    plan = await service.director.call_arrived(long)
    assert plan.open
    await service.director.caller_left(long.key, phase=CallPhase.IVR)
    await service.director.call_finished(long.key)
    await service.flush()
    row = await _call_row(sessionmaker, "long")
    assert row.caller_name == ("纳税人" * 100)[:120]
    assert (row.caller_number, row.dialled) == ("1" * 32, "9" * 32)
    assert row.outcome == "abandoned_ivr"


async def test_a_callback_asked_for_after_hours_is_due_at_the_next_opening(
    service: TelephonyService,
    clock: FixedClock,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    clock.current = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # Monday 18:00 in China: closed
    call = inbound("evening", clock.now())
    assert not (await service.director.call_arrived(call)).open
    await service.director.callback_accepted(call.key)  # pressed the digit after the message
    await service.director.call_finished(call.key)
    await service.flush()
    callback = await _callback_row(sessionmaker)
    assert callback.status == "pending"
    # The working-day calendar decides: Tuesday 09:00 in China, not "now".
    assert callback.next_attempt_at == datetime(2026, 3, 3, 1, 0, tzinfo=UTC)


async def test_after_hours_a_voicemail_is_offered_and_the_question_filed_when_configured(
    service: TelephonyService, clock: FixedClock
) -> None:
    filed: list[DivertedQuestion] = []
    done = asyncio.Event()

    async def file(question: DivertedQuestion) -> str:
        filed.append(question)
        done.set()
        return "12366-20260302-0001"

    service.acd.on_question = file
    service.acd.menus = dataclasses.replace(service.acd.menus, closed_voicemail=True)
    clock.current = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # Monday 18:00 in China: closed
    plan = await service.director.call_arrived(inbound("late", clock.now(), number="13905710001"))
    assert not plan.open
    assert plan.closed_voicemail is not None
    await asyncio.wait_for(done.wait(), WAIT_S)
    (question,) = filed
    assert (question.reason, question.outcome) == ("closed", "voicemail")
    assert question.caller_number == "13905710001"
    assert question.recording == plan.closed_voicemail.name == f"voicemail-{question.call_id}"


async def test_a_caller_gone_before_choosing_a_language_after_hours_still_leaves_the_order(
    service: TelephonyService, clock: FixedClock
) -> None:
    filed: list[DivertedQuestion] = []
    done = asyncio.Event()

    async def file(question: DivertedQuestion) -> str:
        filed.append(question)
        done.set()
        return "12366-20260302-0002"

    service.acd.on_question = file
    service.acd.menus = dataclasses.replace(
        service.acd.menus, closed_voicemail=True, closed_asks_language=True
    )
    clock.current = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # Monday 18:00 in China: closed
    call = inbound("gone", clock.now(), number="13905710002")
    plan = await service.director.call_arrived(call)
    assert plan.languages  # the language is asked first: the order waits for it
    await service.flush()
    assert filed == []
    await service.director.call_finished(call.key)  # hung up during the language menu
    await asyncio.wait_for(done.wait(), WAIT_S)
    (question,) = filed
    assert (question.caller_number, question.language) == ("13905710002", None)
