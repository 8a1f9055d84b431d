"""The desktop's own reads through the app with telephony (answering is the softphone's API)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.config import Settings
from hotline.db.models import Agent, User
from hotline.db.session import transaction
from hotline.main import create_app
from hotline.roles import Role
from hotline.telephony import telephony_component
from tests.fixtures.app import FixedClock, Users
from tests.hotline.telephony.builders import SITE, seed_directory
from tests.hotline.telephony.fakes import RecordingControl

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def app(settings: Settings, clock: FixedClock) -> AsyncIterator[FastAPI]:
    emulated = settings.model_copy(
        update={"softphone": settings.softphone.model_copy(update={"mode": "emulator"})}
    )
    application = create_app(
        emulated, clock=clock, components=[telephony_component(RecordingControl())]
    )
    async with application.router.lifespan_context(application):
        yield application


async def _link(maker: async_sessionmaker[AsyncSession]) -> int:
    seeded = await seed_directory(maker)
    async with transaction(maker) as session:
        user_id = await session.scalar(select(User.id).where(User.username == "agent-user"))
        await session.execute(
            update(Agent).where(Agent.id == seeded.agents["a1"]).values(user_id=user_id)
        )
    return seeded.agents["a1"]


async def test_the_desk_state_follows_the_session_and_reports_the_softphone_mode(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _link(app_sessionmaker)
    me = users.headers(Role.AGENT)
    before = (await client.get("/api/v1/agent/desk", headers=me)).json()
    assert before["session"] is None
    assert (before["softphone"], before["summary_required"], before["call"]) == (
        "emulator",
        True,
        None,
    )
    await client.post("/api/v1/agent/session", json={"site": SITE}, headers=me)
    await client.put("/api/v1/agent/session/state", json={"state": "ready"}, headers=me)
    after = (await client.get("/api/v1/agent/desk", headers=me)).json()
    assert after["session"]["status"] == "idle"
    assert after["unsummarised_call_id"] is None
    # One phone mechanism: the desk's own answer endpoint is gone (the softphone's answers).
    gone = await client.post("/api/v1/agent/phone/answer", headers=me)
    assert gone.status_code in (404, 405)
    refused = await client.get("/api/v1/agent/desk", headers=users.headers(Role.SUPERVISOR))
    assert refused.status_code == 403
