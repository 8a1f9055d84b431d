"""Deleting a skill or an agent that is still in use is refused with a 409 naming the user.

Runs on SQLite and PostgreSQL. The live rows (a login, a call, a callback) are written as the
telephony recorder writes them; the delete goes through the API.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import (
    Agent,
    AgentEndpoint,
    AgentSession,
    AgentSkill,
    AgentStateLog,
    Call,
    Callback,
    Skill,
)
from hotline.db.session import transaction
from hotline.roles import Role
from hotline.services.directory import agent_read
from tests.fixtures.app import Users

pytestmark = pytest.mark.asyncio

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


async def _post(client: httpx.AsyncClient, users: Users, url: str, body: dict[str, Any]) -> Any:
    response = await client.post(url, json=body, headers=users.headers(Role.ADMIN))
    assert response.status_code == 201, response.text
    return response.json()


async def _seed(client: httpx.AsyncClient, users: Users) -> dict[str, Any]:
    site = await _post(
        client,
        users,
        "/api/v1/sites",
        {
            "code": "hz",
            "name": "Hangzhou",
            "ari_url": "http://pbx:8088",
            "ari_username": "u",
            "ari_password": "p",
        },
    )
    skill = await _post(
        client,
        users,
        "/api/v1/skills",
        {"business_line": "national_tax", "language": "zh", "name": "National tax"},
    )
    agent = await _post(
        client,
        users,
        "/api/v1/agents",
        {
            "code": "A001",
            "name": "王芳",
            "languages": ["zh"],
            "skills": [{"business_line": "national_tax", "language": "zh", "level": 1}],
            "endpoints": [{"site": "hz", "dial_string": "PJSIP/1001"}],
        },
    )
    return {"site": site["id"], "skill": skill["id"], "agent": agent["id"]}


async def _delete(client: httpx.AsyncClient, users: Users, url: str) -> httpx.Response:
    return await client.delete(url, headers=users.headers(Role.ADMIN))


async def _count(maker: async_sessionmaker[AsyncSession], model: type) -> int:
    async with transaction(maker) as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_skill_held_by_an_agent_or_waited_for_is_not_deleted(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    ids = await _seed(client, users)
    url = f"/api/v1/skills/{ids['skill']}"

    held = await _delete(client, users, url)
    assert held.status_code == 409, held.text
    assert held.json()["error"] == "conflict"
    assert "skill national_tax.zh is in use" in held.json()["detail"]
    assert "held by agents A001" in held.json()["detail"]

    patched = await client.patch(
        f"/api/v1/agents/{ids['agent']}", json={"skills": []}, headers=users.headers(Role.ADMIN)
    )
    assert patched.status_code == 200, patched.text
    async with transaction(app_sessionmaker) as session:
        session.add(
            Call(
                site_id=ids["site"],
                channel_id="waiting-1",
                caller_number="13912345678",
                arrived_at=AT,
                queued_at=AT,
                business_line="national_tax",
                language="zh",
            )
        )
    waited = await _delete(client, users, url)
    assert waited.status_code == 409, waited.text
    assert "1 live call(s) waiting for it" in waited.json()["detail"]

    async with transaction(app_sessionmaker) as session:
        await session.execute(update(Call).values(outcome="abandoned_queue", ended_at=AT))
    gone = await _delete(client, users, url)
    assert gone.status_code == 204, gone.text
    assert await _count(app_sessionmaker, Skill) == 0
    assert await _count(app_sessionmaker, Call) == 1  # the finished call keeps its record


async def test_a_skill_with_a_callback_owed_is_not_deleted(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    ids = await _seed(client, users)
    await client.patch(
        f"/api/v1/agents/{ids['agent']}", json={"skills": []}, headers=users.headers(Role.ADMIN)
    )
    async with transaction(app_sessionmaker) as session:
        call = Call(
            site_id=ids["site"],
            channel_id="gone-1",
            caller_number="13912345678",
            arrived_at=AT,
            outcome="callback_requested",
            business_line="national_tax",
            language="zh",
        )
        session.add(call)
        await session.flush()
        session.add(
            Callback(
                origin_call_id=call.id,
                site_id=ids["site"],
                number="13912345678",
                business_line="national_tax",
                language="zh",
                arrived_at=AT,
                requested_at=AT,
            )
        )
    owed = await _delete(client, users, f"/api/v1/skills/{ids['skill']}")
    assert owed.status_code == 409, owed.text
    assert "1 callback(s) owed in it" in owed.json()["detail"]


async def test_a_logged_in_agent_or_one_on_a_call_is_not_deleted(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    ids = await _seed(client, users)
    url = f"/api/v1/agents/{ids['agent']}"
    async with transaction(app_sessionmaker) as session:
        session.add(
            AgentSession(
                agent_id=ids["agent"],
                site_id=ids["site"],
                endpoint="PJSIP/1001",
                status="not_ready",
                reason="login",
                since=AT,
            )
        )
        session.add(
            Call(
                site_id=ids["site"],
                channel_id="talking-1",
                caller_number="13912345678",
                arrived_at=AT,
                answered_at=AT,
                agent_id=ids["agent"],
            )
        )
    refused = await _delete(client, users, url)
    assert refused.status_code == 409, refused.text
    detail = refused.json()["detail"]
    assert "agent A001 is in use" in detail
    assert "logged in on site hz" in detail
    assert "on live call(s)" in detail
    # Nothing was touched: the login and the call still point at the agent.
    async with transaction(app_sessionmaker) as session:
        assert await session.scalar(select(Call.agent_id)) == ids["agent"]
        assert await session.get(AgentSession, ids["agent"]) is not None
    assert (await client.get(url, headers=users.headers(Role.ADMIN))).status_code == 200


async def test_an_agent_with_history_is_retired_not_deleted(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    ids = await _seed(client, users)
    url = f"/api/v1/agents/{ids['agent']}"
    async with transaction(app_sessionmaker) as session:
        session.add(
            Call(
                site_id=ids["site"],
                channel_id="done-1",
                caller_number="13912345678",
                arrived_at=AT,
                answered_at=AT,
                ended_at=AT,
                outcome="answered",
                agent_id=ids["agent"],
            )
        )
        session.add(AgentStateLog(agent_id=ids["agent"], at=AT, status="logged_out"))
    refused = await _delete(client, users, url)
    assert refused.status_code == 409, refused.text
    assert "1 call(s) and 1 state change(s) on record" in refused.json()["detail"]
    assert "active=false" in refused.json()["detail"]
    retired = await client.patch(url, json={"active": False}, headers=users.headers(Role.ADMIN))
    assert retired.status_code == 200
    async with transaction(app_sessionmaker) as session:
        assert await session.scalar(select(Call.agent_id)) == ids["agent"]


async def test_an_unused_skill_and_agent_are_deleted_with_their_links(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    ids = await _seed(client, users)
    assert (await _delete(client, users, f"/api/v1/agents/{ids['agent']}")).status_code == 204
    assert await _count(app_sessionmaker, AgentSkill) == 0
    assert await _count(app_sessionmaker, AgentEndpoint) == 0
    assert (await _delete(client, users, f"/api/v1/skills/{ids['skill']}")).status_code == 204
    missing = await _delete(client, users, f"/api/v1/skills/{ids['skill']}")
    assert missing.status_code == 404
    assert {k: v for k, v in missing.json().items() if k in ("error", "detail")} == {
        "error": "not_found",
        "detail": f"skill {ids['skill']} does not exist",
    }


async def test_an_agent_read_racing_a_skill_delete_leaves_the_skill_out() -> None:
    """The agent's link rows were loaded, then the skill and site rows vanished before their own
    SELECT ran (the two SELECTs of ``selectinload``), so each link's target is None: the read
    shows what is left instead of failing with AttributeError (a 500)."""
    agent = Agent(
        id=7,
        code="A001",
        name="王芳",
        languages=["zh"],
        overflow=False,
        active=True,
        user=None,
        skills=[AgentSkill(skill_id=1, level=1, skill=None)],
        endpoints=[AgentEndpoint(site_id=1, dial_string="PJSIP/1001", site=None)],
        created_at=AT,
        updated_at=AT,
    )
    read = agent_read(agent)
    assert read.code == "A001"
    assert read.skills == []
    assert read.endpoints == []
