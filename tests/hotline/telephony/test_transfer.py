"""A blind transfer that was answered: the record, the journal and routing follow the caller to
the new agent, on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.calls.ports import CallKey, EndedBy, LegFailure
from hotline.api.calls import TelephonyCallActions
from hotline.db.models import AgentStateLog, Call
from hotline.db.session import transaction
from hotline.errors import ConflictError
from hotline.telephony import TelephonyService
from tests.fixtures.app import FixedClock
from tests.hotline.telephony.builders import (
    SITE,
    Seeded,
    answered,
    inbound,
    make_service,
    seed_directory,
)
from tests.hotline.telephony.fakes import RecordingControl

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def seeded(sessionmaker: async_sessionmaker[AsyncSession]) -> Seeded:
    return await seed_directory(sessionmaker)


@pytest_asyncio.fixture
async def service(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock, seeded: Seeded
) -> AsyncIterator[TelephonyService]:
    telephony = make_service(sessionmaker, clock, RecordingControl())
    await telephony.start()
    yield telephony
    await telephony.stop()


async def _log_in(service: TelephonyService, agent_id: int) -> None:
    """``agent_id`` logged in on the site and ready."""
    await service.agents.login(agent_id, site=SITE)
    await service.agents.set_ready(agent_id)


async def _statuses(sessionmaker: async_sessionmaker[AsyncSession], agent_id: int) -> list[str]:
    async with transaction(sessionmaker) as session:
        rows = await session.scalars(
            select(AgentStateLog.status)
            .where(AgentStateLog.agent_id == agent_id)
            .order_by(AgentStateLog.id)
        )
        return list(rows.all())


async def test_the_new_agent_is_on_the_call_in_routing_and_in_the_record(
    service: TelephonyService,
    seeded: Seeded,
    clock: FixedClock,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    a1, a2 = seeded.agents["a1"], seeded.agents["a2"]
    await _log_in(service, a1)
    key = await answered(service, clock, "t1", a1)
    await _log_in(service, a2)
    clock.advance(seconds=20)

    await service.director.transfer_answered(key, agent_id=str(a2))
    await service.director.transfer_answered(key, agent_id=str(a2))  # repeated: no change

    assert (await service.agents.view(a2)).status == "on_call"
    assert (await service.agents.view(a1)).status == "wrap_up"
    # Nobody is free now: a new caller waits instead of being offered to the new agent.
    control = service.ctx.control
    assert isinstance(control, RecordingControl)
    await service.director.call_arrived(inbound("t2", clock.now()))
    await service.director.ivr_completed(CallKey(SITE, "t2"), language="zh", line="national_tax")
    assert control.named("offer") == [(key, control.named("offer")[0][1])]
    (queue,) = await service.queues()
    assert queue.waiting == 1

    clock.advance(seconds=40)
    await service.director.talk_ended(key, agent_id=str(a2), ended_by=EndedBy.AGENT)
    await service.director.call_finished(key)
    await service.flush()
    async with transaction(sessionmaker) as session:
        row = (await session.scalars(select(Call).where(Call.channel_id == "t1"))).one()
    assert (row.outcome, row.agent_id, row.ended_by) == ("answered", a2, "agent")
    assert row.talk_s == 60.0  # both agents' parts: the transfer does not cut the talk
    entries = await service.recorder.journal_entries(row.id)
    transfers = [e.data for e in entries if e.kind == "transfer_answered"]
    assert transfers == [{"from": str(a1), "to": str(a2)}]
    assert (await _statuses(sessionmaker, a1))[-2:] == ["on_call", "wrap_up"]
    assert (await _statuses(sessionmaker, a2))[-2:] == ["on_call", "wrap_up"]
    assert (await service.agents.view(a2)).status == "wrap_up"


async def test_a_not_ready_agent_who_takes_a_transfer_is_on_call_then_not_ready_again(
    service: TelephonyService, seeded: Seeded, clock: FixedClock
) -> None:
    a1, a2 = seeded.agents["a1"], seeded.agents["a2"]
    await _log_in(service, a1)
    key = await answered(service, clock, "t3", a1)
    await service.agents.login(a2, site=SITE)
    await service.agents.set_not_ready(a2, "break")

    await service.director.transfer_answered(key, agent_id=str(a2))
    view = await service.agents.view(a2)
    assert view.status == "on_call"
    await service.director.talk_ended(key, agent_id=str(a2), ended_by=EndedBy.CALLER)
    assert (await service.agents.view(a2)).status == "wrap_up"
    clock.advance(seconds=3600)
    await service.acd.tick()  # wrap-up over: the break asked for before the call applies
    after = await service.agents.view(a2)
    assert (after.status, after.reason) == ("not_ready", "break")


async def test_a_transfer_target_takes_no_offers_while_their_phone_rings(
    service: TelephonyService, seeded: Seeded, clock: FixedClock
) -> None:
    a1, a2 = seeded.agents["a1"], seeded.agents["a2"]
    await _log_in(service, a1)
    key = await answered(service, clock, "t4", a1)
    await _log_in(service, a2)

    await service.transfer_requested(key, agent_id=str(a2))
    held = await service.agents.view(a2)
    assert (held.status, held.reason) == ("not_ready", "transfer_ringing")
    # A new caller meanwhile waits: a2 is the only other agent, and their phone is ringing.
    control = service.ctx.control
    assert isinstance(control, RecordingControl)
    offers_before = len(control.named("offer"))
    await service.director.call_arrived(inbound("t5", clock.now()))
    await service.director.ivr_completed(CallKey(SITE, "t5"), language="zh", line="national_tax")
    assert len(control.named("offer")) == offers_before
    (queue,) = await service.queues()
    assert queue.waiting == 1

    await service.director.transfer_answered(key, agent_id=str(a2))
    assert (await service.agents.view(a2)).status == "on_call"
    await service.director.talk_ended(key, agent_id=str(a2), ended_by=EndedBy.CALLER)
    assert (await service.agents.view(a2)).status == "wrap_up"
    clock.advance(seconds=60)
    await service.acd.tick()
    # After the call and its wrap-up: available again (the hold is not a break to restore), so
    # routing hands them or the other agent the waiting caller.
    after = await service.agents.view(a2)
    assert after.status in ("idle", "reserved")
    assert after.reason is None
    assert control.last("offer")[0] == CallKey(SITE, "t5")


@pytest.mark.parametrize("failure", [LegFailure.NO_ANSWER, LegFailure.CANCELLED])
async def test_a_transfer_that_does_not_reach_the_target_releases_them(
    service: TelephonyService, seeded: Seeded, clock: FixedClock, failure: LegFailure
) -> None:
    a1, a2 = seeded.agents["a1"], seeded.agents["a2"]
    await _log_in(service, a1)
    key = await answered(service, clock, f"t6-{failure.value}", a1)
    await _log_in(service, a2)
    await service.transfer_requested(key, agent_id=str(a2))
    assert (await service.agents.view(a2)).status == "not_ready"

    await service.director.offer_failed(key, agent_id=str(a2), failure=failure)
    assert (await service.agents.view(a2)).status == "idle"


async def test_a_transfer_to_an_agent_on_a_break_leaves_the_break_alone(
    service: TelephonyService, seeded: Seeded, clock: FixedClock
) -> None:
    a1, a2 = seeded.agents["a1"], seeded.agents["a2"]
    await _log_in(service, a1)
    key = await answered(service, clock, "t7", a1)
    await service.agents.login(a2, site=SITE)
    await service.agents.set_not_ready(a2, "break")
    await service.transfer_requested(key, agent_id=str(a2))
    await service.director.offer_failed(key, agent_id=str(a2), failure=LegFailure.NO_ANSWER)
    view = await service.agents.view(a2)
    assert (view.status, view.reason) == ("not_ready", "break")


async def test_a_transfer_to_an_agent_busy_with_another_call_or_to_oneself_is_refused(
    service: TelephonyService, seeded: Seeded, clock: FixedClock
) -> None:
    a1, a2 = seeded.agents["a1"], seeded.agents["a2"]
    for agent in (a1, a2):
        await _log_in(service, agent)
    first = await answered(service, clock, "t8", a1)
    second = await answered(service, clock, "t9", a2)
    actions = TelephonyCallActions(service)
    call_id = service.ctx.calls.by_key[first].call_id
    control = service.ctx.control
    assert isinstance(control, RecordingControl)

    with pytest.raises(ConflictError, match="is on another call"):
        await actions.transfer(call_id, to_agent_id=a2)
    with pytest.raises(ConflictError, match="already talking with this caller"):
        await actions.transfer(call_id, to_agent_id=a1)
    assert control.named("transfer") == []
    # Their other call over (wrap-up), the phone is free: the transfer rings.
    await service.director.talk_ended(second, agent_id=str(a2), ended_by=EndedBy.CALLER)
    await actions.transfer(call_id, to_agent_id=a2)
    assert [key for key, _ in control.named("transfer")] == [first]
