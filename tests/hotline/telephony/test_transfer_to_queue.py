"""A blind transfer to a queue, as the director carries it out: the agent goes to wrap-up, the
caller waits again under the new skill (keeping their place by first arrival) and the agent of
the new queue who answers is on the same call record; on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.calls.ports import CallKey, CallPhase, EndedBy, LegFailure
from hotline.api.calls import TelephonyCallActions
from hotline.db.models import Agent, AgentEndpoint, AgentSkill, Call, Skill
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

LOCAL = "local_tax"


@pytest_asyncio.fixture
async def seeded(sessionmaker: async_sessionmaker[AsyncSession]) -> Seeded:
    """a1, a2 on national_tax.zh; a3 only on local_tax.zh."""
    seeded = await seed_directory(sessionmaker)
    async with transaction(sessionmaker) as session:
        skill = Skill(business_line=LOCAL, language="zh", name="Local tax (zh)")
        session.add(skill)
        await session.flush()
        agent = Agent(code="a3", name="A3", languages=["zh"], overflow=False)
        agent.skills = [AgentSkill(skill_id=skill.id, level=1)]
        agent.endpoints = [AgentEndpoint(site_id=seeded.site_id, dial_string="PJSIP/1003")]
        session.add(agent)
        await session.flush()
        seeded.agents["a3"] = agent.id
    return seeded


@pytest_asyncio.fixture
async def service(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock, seeded: Seeded
) -> AsyncIterator[TelephonyService]:
    telephony = make_service(sessionmaker, clock, RecordingControl())
    await telephony.start()
    yield telephony
    await telephony.stop()


def _control(service: TelephonyService) -> RecordingControl:
    control = service.ctx.control
    assert isinstance(control, RecordingControl)
    return control


async def _row(sessionmaker: async_sessionmaker[AsyncSession], channel: str) -> Call:
    async with transaction(sessionmaker) as session:
        return (await session.scalars(select(Call).where(Call.channel_id == channel))).one()


async def test_the_caller_waits_for_the_new_queue_and_its_agent_takes_the_same_call(
    service: TelephonyService,
    seeded: Seeded,
    clock: FixedClock,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    a1, a3 = seeded.agents["a1"], seeded.agents["a3"]
    for agent in (a1, a3):
        await service.agents.login(agent, site=SITE)
    await service.agents.set_ready(a1)
    key = await answered(service, clock, "q1", a1)
    await service.agents.set_ready(a3)
    clock.advance(seconds=30)

    await service.director.requeued(key, agent_id=str(a1), line=LOCAL, language="zh")
    await service.director.requeued(key, agent_id=str(a1), line=LOCAL, language="zh")  # again

    assert (await service.agents.view(a1)).status == "wrap_up"
    offers = [(k, data["agent_id"]) for k, data in _control(service).named("offer")]
    assert offers == [(key, str(a1)), (key, str(a3))]
    clock.advance(seconds=10)  # a3's phone rings
    await service.director.offer_answered(key, agent_id=str(a3))
    assert (await service.agents.view(a3)).status == "on_call"
    clock.advance(seconds=50)
    await service.director.talk_ended(key, agent_id=str(a3), ended_by=EndedBy.AGENT)
    await service.director.call_finished(key)
    await service.flush()

    row = await _row(sessionmaker, "q1")
    assert (row.outcome, row.agent_id, row.business_line) == ("answered", a3, LOCAL)
    assert row.ivr_choices == {"language": "zh", "line": "national_tax"}
    assert row.talk_s == 80.0  # 30 s with a1 + 50 s with a3; the 10 s wait again is not talk
    kinds = [e.kind for e in await service.recorder.journal_entries(row.id)]
    assert kinds.count("requeued") == 1
    assert kinds.index("requeued") < len(kinds) - 1 - kinds[::-1].index("offer_answered")
    assert (await service.agents.view(a3)).status == "wrap_up"


async def test_a_requeued_caller_keeps_their_place_by_first_arrival(
    service: TelephonyService, seeded: Seeded, clock: FixedClock
) -> None:
    a1, a3 = seeded.agents["a1"], seeded.agents["a3"]
    for agent in (a1, a3):
        await service.agents.login(agent, site=SITE)
    await service.agents.set_ready(a1)
    key = await answered(service, clock, "q2", a1)
    clock.advance(seconds=5)
    later = CallKey(SITE, "q3")  # calls the local-tax line after q2 called
    await service.director.call_arrived(inbound("q3", clock.now()))
    await service.director.ivr_completed(later, language="zh", line=LOCAL)
    clock.advance(seconds=20)

    await service.director.requeued(key, agent_id=str(a1), line=LOCAL, language="zh")
    waiting = {(q.skill.line, q.skill.language): q.waiting for q in await service.queues()}
    assert waiting[(LOCAL, "zh")] == 2
    await service.agents.set_ready(a3)

    offered = [(k, data["agent_id"]) for k, data in _control(service).named("offer")][-1]
    assert offered == (key, str(a3))


async def test_a_caller_who_hangs_up_while_waiting_again_stays_answered(
    service: TelephonyService,
    seeded: Seeded,
    clock: FixedClock,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    a1 = seeded.agents["a1"]
    await service.agents.login(a1, site=SITE)
    await service.agents.set_ready(a1)
    key = await answered(service, clock, "q4", a1)
    clock.advance(seconds=40)
    await service.director.requeued(key, agent_id=str(a1), line=LOCAL, language="zh")
    clock.advance(seconds=15)

    await service.director.caller_left(key, phase=CallPhase.QUEUE)
    await service.director.call_finished(key)
    await service.flush()

    row = await _row(sessionmaker, "q4")
    assert (row.outcome, row.ended_by, row.agent_id) == ("answered", "caller", a1)
    assert row.talk_s == 40.0
    assert row.abandon_snapshot is not None  # who could have taken the caller back
    assert all(q.waiting == 0 for q in await service.queues())
    assert (await service.agents.view(a1)).status == "wrap_up"


async def test_a_call_whose_transfer_to_an_agent_rings_cannot_go_to_a_queue(
    service: TelephonyService, seeded: Seeded, clock: FixedClock
) -> None:
    a1, a2 = seeded.agents["a1"], seeded.agents["a2"]
    for agent in (a1, a2):
        await service.agents.login(agent, site=SITE)
        await service.agents.set_ready(agent)
    key = await answered(service, clock, "q5", a1)
    actions = TelephonyCallActions(service)
    call = service.ctx.calls.by_key[key]
    await actions.transfer(call.call_id, to_agent_id=a2)

    with pytest.raises(ConflictError, match="being transferred"):
        await actions.requeue(call.call_id, line=LOCAL, language="zh")
    await service.director.offer_failed(key, agent_id=str(a2), failure=LegFailure.NO_ANSWER)
    await actions.requeue(call.call_id, line=LOCAL, language="zh")  # back with a1: allowed

    assert _control(service).last("requeue") == (key, {"line": LOCAL, "language": "zh"})
