"""A new service over the same database picks up sessions, owed callbacks and live calls."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.calls.ports import CallKey, CallPhase, EndedBy
from hotline.db.models import Call, Callback, CallEvent
from hotline.db.session import transaction
from routing import AgentStatus
from tests.fixtures.app import FixedClock
from tests.hotline.telephony.builders import SITE, answered, inbound, make_service, seed_directory
from tests.hotline.telephony.fakes import RecordingControl

pytestmark = pytest.mark.asyncio


async def test_a_restart_restores_sessions_callbacks_and_live_calls(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    seeded = await seed_directory(sessionmaker)
    a1, a2 = seeded.agents["a1"], seeded.agents["a2"]
    first = make_service(sessionmaker, clock, RecordingControl())
    await first.start()
    await first.agents.login(a1, site=SITE)
    await first.agents.set_not_ready(a1, "break")
    await first.agents.login(a2, site=SITE, endpoint="PJSIP/1002")
    for channel in ("waiting", "gone", "owed"):
        await first.director.call_arrived(inbound(channel, clock.now()))
        clock.advance(seconds=5)
        await first.director.ivr_completed(
            CallKey(SITE, channel), language="zh", line="national_tax"
        )
    await first.director.callback_accepted(CallKey(SITE, "owed"))
    await first.director.call_finished(CallKey(SITE, "owed"))
    await first.stop()

    clock.advance(seconds=30)
    control = RecordingControl()
    second = make_service(sessionmaker, clock, control)
    await second.start()
    view = await second.agents.view(a1)
    assert (view.status, view.reason, view.endpoint) == ("not_ready", "break", "PJSIP/1001")
    assert (await second.agents.view(a2)).status == "not_ready"
    await second.adopt_live_calls([CallKey(SITE, "waiting")])

    (queue,) = await second.queues()
    assert queue.waiting == 2  # the adopted call and the owed callback
    assert queue.agents_by_status == {AgentStatus.NOT_READY: 2}
    assert queue.longest_wait_s == pytest.approx(40.0)  # the first call kept its place
    await second.flush()
    async with transaction(sessionmaker) as session:
        outcomes = dict((await session.execute(select(Call.channel_id, Call.outcome))).all())
        callback = (await session.scalars(select(Callback))).one()
    assert outcomes == {"waiting": None, "gone": "abandoned_queue", "owed": "callback_requested"}
    assert callback.status == "pending"

    await second.agents.set_ready(a1)
    offers = control.named("offer") + control.named("place_callback")
    assert [key for key, _ in control.named("offer")] == [CallKey(SITE, "waiting")]
    assert len(offers) == 1
    await second.stop()


async def test_an_agent_talking_when_the_service_stopped_is_still_on_that_call(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    seeded = await seed_directory(sessionmaker)
    a1, a2 = seeded.agents["a1"], seeded.agents["a2"]
    first = make_service(sessionmaker, clock, RecordingControl())
    await first.start()
    for agent in (a1, a2):
        await first.agents.login(agent, site=SITE)
    await first.agents.set_ready(a1)
    for channel in ("talking", "hung-up"):
        key = CallKey(SITE, channel)
        await first.director.call_arrived(inbound(channel, clock.now()))
        await first.director.ivr_completed(key, language="zh", line="national_tax")
        await first.director.offer_answered(key, agent_id=str(a1 if channel == "talking" else a2))
        await first.agents.set_ready(a2)
    await first.stop()

    control = RecordingControl()
    second = make_service(sessionmaker, clock, control)
    await second.start()
    # Both agents' sessions said "ready"; routing knows better: they are on their calls.
    assert (await second.agents.view(a1)).status == "on_call"
    assert (await second.agents.view(a2)).status == "on_call"
    resumed = await second.director.call_adopted(inbound("talking", clock.now()))
    assert (resumed.phase, resumed.agent_id) == (CallPhase.TALK, str(a1))
    await second.adopt_live_calls([CallKey(SITE, "talking")])
    # The call that ended while the service was down frees its agent (wrap-up), not a1.
    assert (await second.agents.view(a1)).status == "on_call"
    assert (await second.agents.view(a2)).status == "wrap_up"
    await second.director.call_arrived(inbound("new", clock.now()))
    await second.director.ivr_completed(CallKey(SITE, "new"), language="zh", line="national_tax")
    assert control.named("offer") == []  # a1 is busy, a2 wraps up: the new caller waits
    await second.director.talk_ended(
        CallKey(SITE, "talking"), agent_id=str(a1), ended_by=EndedBy.CALLER
    )
    assert (await second.agents.view(a1)).status == "wrap_up"
    await second.stop()


async def test_adoption_resumes_the_recorded_phase_and_opens_an_unknown_call(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    seeded = await seed_directory(sessionmaker)
    first = make_service(sessionmaker, clock, RecordingControl())
    await first.start()
    await first.agents.login(seeded.agents["a1"], site=SITE)  # not ready: the call waits
    await first.director.call_arrived(inbound("queued", clock.now()))
    await first.director.ivr_completed(CallKey(SITE, "queued"), language="zh", line="national_tax")
    await first.director.call_arrived(inbound("in-ivr", clock.now()))
    await first.stop()

    second = make_service(sessionmaker, clock, RecordingControl())
    await second.start()
    phases = [
        (await second.director.call_adopted(inbound(channel, clock.now()))).phase
        for channel in ("queued", "in-ivr", "unknown")
    ]
    assert phases == [CallPhase.QUEUE, CallPhase.IVR, CallPhase.IVR]
    await second.flush()
    async with transaction(sessionmaker) as session:
        channels = set((await session.scalars(select(Call.channel_id))).all())
    assert channels == {"queued", "in-ivr", "unknown"}
    await second.stop()


async def test_an_agent_held_for_a_transfer_when_the_service_stopped_is_ready_again(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    seeded = await seed_directory(sessionmaker)
    a1, a2 = seeded.agents["a1"], seeded.agents["a2"]
    first = make_service(sessionmaker, clock, RecordingControl())
    await first.start()
    for agent in (a1, a2):
        await first.agents.login(agent, site=SITE)
        await first.agents.set_ready(agent)
    key = await answered(first, clock, "transferring", a1)
    await first.transfer_requested(key, agent_id=str(a2))
    assert (await first.agents.view(a2)).reason == "transfer_ringing"
    await first.stop()

    second = make_service(sessionmaker, clock, RecordingControl())
    await second.start()
    # The ringing transfer leg did not survive the restart (the resync hangs it up).
    view = await second.agents.view(a2)
    assert (view.status, view.reason) == ("idle", None)
    await second.stop()


async def test_the_journal_of_an_adopted_call_carries_on_without_a_read_per_entry(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    # A takeover adopts hundreds of calls, each journalled a dozen times within seconds: an
    # entry that first read its call's last number would cost two round trips each.
    seeded = await seed_directory(sessionmaker)
    first = make_service(sessionmaker, clock, RecordingControl())
    await first.start()
    await first.agents.login(seeded.agents["a1"], site=SITE)
    for channel in ("one", "two"):
        await first.director.call_arrived(inbound(channel, clock.now()))
        await first.director.ivr_completed(
            CallKey(SITE, channel), language="zh", line="national_tax"
        )
    await first.stop()
    async with transaction(sessionmaker) as session:
        before = dict(
            (
                await session.execute(
                    select(CallEvent.call_id, func.max(CallEvent.seq)).group_by(CallEvent.call_id)
                )
            ).all()
        )

    second = make_service(sessionmaker, clock, RecordingControl())
    await second.start()
    reads: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "max(" in statement.lower() and "call_event" in statement:
            reads.append(statement)

    engine = sessionmaker.kw["bind"].sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        for channel in ("one", "two"):
            await second.director.call_adopted(inbound(channel, clock.now()))
            await second.director.journal(CallKey(SITE, channel), "note", {"n": 1})
        await second.flush()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert reads == []
    async with transaction(sessionmaker) as session:
        rows = (await session.execute(select(CallEvent.call_id, CallEvent.seq))).all()
    for call_id, last in before.items():
        numbers = sorted(seq for owner, seq in rows if owner == call_id)
        assert numbers == list(range(1, len(numbers) + 1))  # no gap, no repeat
        assert len(numbers) > last  # the adoption's entries came after the first process's
    await second.stop()
