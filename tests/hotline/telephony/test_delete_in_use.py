"""Deleting an agent the running telephony engine has logged in is refused (409).

The engine knows of a log-in in memory before its ``agent_session`` row is written (and the row
may be written behind a queue), so the refusal asks the engine as well as the database. Runs on
SQLite and PostgreSQL with the telephony component on a recording controller.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.config import Settings
from hotline.db.models import Agent, AgentSession, User
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
    application = create_app(
        settings, clock=clock, components=[telephony_component(RecordingControl())]
    )
    async with application.router.lifespan_context(application):
        yield application


async def test_an_agent_logged_in_with_the_engine_is_not_deleted(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    seeded = await seed_directory(app_sessionmaker)
    agent_id = seeded.agents["a1"]
    async with transaction(app_sessionmaker) as session:
        user_id = await session.scalar(select(User.id).where(User.username == "agent-user"))
        await session.execute(update(Agent).where(Agent.id == agent_id).values(user_id=user_id))
    me = users.headers(Role.AGENT)
    logged_in = await client.post("/api/v1/agent/session", json={"site": SITE}, headers=me)
    assert logged_in.status_code == 201, logged_in.text
    # The row has not reached the database yet (a write queue behind): only the engine knows.
    async with transaction(app_sessionmaker) as session:
        await session.execute(delete(AgentSession))
    refused = await client.delete(f"/api/v1/agents/{agent_id}", headers=users.headers(Role.ADMIN))
    assert refused.status_code == 409, refused.text
    assert f"logged in on site {SITE}" in refused.json()["detail"]
    assert (await client.delete("/api/v1/agent/session", headers=me)).status_code == 204
    async with transaction(app_sessionmaker) as session:
        assert await session.get(Agent, agent_id) is not None
