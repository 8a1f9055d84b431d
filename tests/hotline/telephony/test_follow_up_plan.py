"""A 回访 call plays the survey and sounds of the configuration version in force, in the
taxpayer's language, as a callback does (real database, the controller recorded)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.calls.ports import PlanPrompts
from hotline.db.models import Call
from hotline.db.session import transaction
from hotline.telephony import TelephonyService
from tests.fixtures.app import FixedClock
from tests.hotline.telephony.builders import SITE, Seeded, make_service, seed_directory
from tests.hotline.telephony.fakes import RecordingControl

pytestmark = pytest.mark.asyncio

OWN = PlanPrompts(
    invalid_choice=("sound:own/invalid",),
    position=("sound:own/position",),
    expected_wait=("sound:own/wait",),
    callback_offer=("sound:own/cb-offer",),
    callback_request=("sound:own/cb-request",),
    callback_confirmed=("sound:own/cb-confirmed",),
    survey_prompt=("sound:own/survey",),
    survey_thanks=("sound:own/thanks",),
    goodbye=("sound:own/bye",),
)


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


async def test_a_follow_up_call_speaks_the_version_in_force_in_the_taxpayers_language(
    service: TelephonyService,
    seeded: Seeded,
    control: RecordingControl,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    a1 = seeded.agents["a1"]
    await service.agents.login(a1, site=SITE)
    # A version published after the service started: the call takes the one in force now.
    service.acd.menus = dataclasses.replace(service.acd.menus, prompts=OWN, survey=True)
    call_id = await service.follow_ups.place(
        agent_id=str(a1), order_id="wo-1", user_id=7, number="13905710009", language="en"
    )
    (plan,) = control.callback_plans
    assert plan is not None
    assert (plan.default_language, plan.languages, plan.lines) == ("en", (), ())
    assert plan.survey
    assert plan.prompts is not None
    assert plan.prompts.survey_prompt == ("sound:own/survey",)
    await service.flush()
    async with transaction(sessionmaker) as session:
        row = (await session.scalars(select(Call).where(Call.id == call_id))).one()
    assert (row.kind, row.language) == ("follow_up", "en")


async def test_a_follow_up_call_of_an_unknown_language_speaks_the_default_one(
    service: TelephonyService, seeded: Seeded, control: RecordingControl
) -> None:
    a1 = seeded.agents["a1"]
    await service.agents.login(a1, site=SITE)
    service.acd.menus = dataclasses.replace(service.acd.menus, survey=False)
    await service.follow_ups.place(
        agent_id=str(a1), order_id="wo-2", user_id=7, number="13905710009"
    )
    (plan,) = control.callback_plans
    assert plan is not None
    assert (plan.default_language, plan.survey) == (service.acd.menus.default_language, False)
