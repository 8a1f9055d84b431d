"""The agent desk and queue endpoints through the ASGI app, with the telephony component."""

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
    """The shared `app` fixture, with telephony running on a recording controller."""
    application = create_app(
        settings, clock=clock, components=[telephony_component(RecordingControl())]
    )
    async with application.router.lifespan_context(application):
        yield application


async def _link_agent_user(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    seeded = await seed_directory(sessionmaker)
    async with transaction(sessionmaker) as session:
        user_id = await session.scalar(select(User.id).where(User.username == "agent-user"))
        await session.execute(
            update(Agent).where(Agent.id == seeded.agents["a1"]).values(user_id=user_id)
        )
    # The directory changed after start-up: the service reads sites again on demand.
    return seeded.agents["a1"]


async def test_an_agent_logs_in_sets_states_and_logs_out(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    agent_id = await _link_agent_user(app_sessionmaker)
    me = users.headers(Role.AGENT)
    response = await client.post("/api/v1/agent/session", json={"site": SITE}, headers=me)
    assert response.status_code == 201, response.text
    assert response.json() | {"since": None} == {
        "agent_id": agent_id,
        "site": SITE,
        "endpoint": "PJSIP/1001",
        "status": "not_ready",
        "reason": "login",
        "since": None,
    }
    ready = await client.put("/api/v1/agent/session/state", json={"state": "ready"}, headers=me)
    assert ready.json()["status"] == "idle"
    forced = await client.put(
        f"/api/v1/agents/{agent_id}/state",
        json={"state": "not_ready", "reason": "meeting"},
        headers=users.headers(Role.SUPERVISOR),
    )
    assert (forced.json()["status"], forced.json()["reason"]) == ("not_ready", "meeting")
    current = await client.get("/api/v1/agent/session", headers=me)
    assert current.json()["reason"] == "meeting"
    queues = await client.get("/api/v1/queues", headers=users.headers(Role.DIRECTOR))
    assert queues.status_code == 200
    assert queues.json()[0]["agents"] == {"not_ready": 1}
    assert (await client.delete("/api/v1/agent/session", headers=me)).status_code == 204
    gone = await client.get("/api/v1/agent/session", headers=me)
    assert gone.status_code == 409
    assert gone.json()["error"] == "conflict"


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"site": "nowhere"}, 422, "unknown site"),
        ({"site": SITE, "endpoint": "PJSIP/9999"}, 422, "not configured"),
    ],
)
async def test_bad_logins_are_refused_with_the_reason(
    client: httpx.AsyncClient,
    users: Users,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    body: dict[str, str],
    status: int,
    words: str,
) -> None:
    await _link_agent_user(app_sessionmaker)
    response = await client.post(
        "/api/v1/agent/session", json=body, headers=users.headers(Role.AGENT)
    )
    assert response.status_code == status
    assert words in response.json()["detail"]


async def test_a_user_with_no_agent_and_a_state_without_login_are_refused(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    unlinked = await client.post(
        "/api/v1/agent/session", json={"site": SITE}, headers=users.headers(Role.AGENT)
    )
    assert (unlinked.status_code, unlinked.json()["error"]) == (404, "not_found")
    agent_id = await _link_agent_user(app_sessionmaker)
    not_logged_in = await client.put(
        "/api/v1/agent/session/state", json={"state": "ready"}, headers=users.headers(Role.AGENT)
    )
    assert not_logged_in.status_code == 409
    assert "not logged in" in not_logged_in.json()["detail"]
    bad_reason = await client.put(
        f"/api/v1/agents/{agent_id}/state",
        json={"state": "not_ready"},
        headers=users.headers(Role.SUPERVISOR),
    )
    assert bad_reason.status_code == 422
