"""The floor's roster (``GET /api/v1/agents/roster``) and the wallboard's messages, through the
ASGI app with telephony on a recording controller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.calls.ports import CallKey
from hotline.config import Settings
from hotline.main import create_app
from hotline.roles import Role
from hotline.telephony import TELEPHONY_KEY, TelephonyService, telephony_component
from hotline.telephony.context import WALLBOARD
from tests.fixtures.app import FixedClock, Users, login
from tests.hotline.telephony.builders import SITE, Seeded, inbound, seed_directory
from tests.hotline.telephony.fakes import RecordingControl

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def app(settings: Settings, clock: FixedClock) -> AsyncIterator[FastAPI]:
    application = create_app(
        settings, clock=clock, components=[telephony_component(RecordingControl())]
    )
    async with application.router.lifespan_context(application):
        yield application


def _service(app: FastAPI) -> TelephonyService:
    service: TelephonyService = app.state.hotline.extras[TELEPHONY_KEY]
    return service


async def _floor(
    app: FastAPI, sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> tuple[Seeded, CallKey]:
    """a1 ready and rung for a call; a2, a3 logged in, not ready; a4 not logged in."""
    seeded = await seed_directory(sessionmaker, ("a1", "a2", "a3", "a4"))
    service = _service(app)
    for code in ("a1", "a2", "a3"):
        await service.agents.login(seeded.agents[code], site=SITE)
    await service.agents.set_not_ready(seeded.agents["a2"], "meeting")
    await service.agents.set_ready(seeded.agents["a1"])
    await service.director.call_arrived(inbound("floor-1", clock.now()))
    clock.advance(seconds=8)
    key = CallKey(SITE, "floor-1")
    await service.director.ivr_completed(key, language="zh", line="national_tax")
    return seeded, key


async def test_the_roster_shows_each_agents_state_since_reason_call_and_skills(
    app: FastAPI,
    client: httpx.AsyncClient,
    users: Users,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
) -> None:
    seeded, _ = await _floor(app, app_sessionmaker, clock)
    response = await client.get("/api/v1/agents/roster", headers=users.headers(Role.SUPERVISOR))
    assert response.status_code == 200, response.text
    page = response.json()
    assert (page["total"], page["next"]) == (3, None)
    rows = {row["code"]: row for row in page["items"]}
    assert set(rows) == {"a1", "a2", "a3"}  # a4 is not logged in
    a1 = rows["a1"]
    assert (a1["status"], a1["reason"], a1["site"]) == ("reserved", None, SITE)
    assert a1["call_id"] is not None
    assert a1["skills"] == [{"line": "national_tax", "language": "zh", "level": 1}]
    assert datetime.fromisoformat(a1["since"]) == clock.now()
    assert (rows["a2"]["status"], rows["a2"]["reason"]) == ("not_ready", "meeting")
    assert (rows["a3"]["status"], rows["a3"]["reason"], rows["a3"]["call_id"]) == (
        "not_ready",
        "login",
        None,
    )
    assert rows["a2"]["name"] == "A2"
    assert [r["agent_id"] for r in page["items"]] == sorted(seeded.agents[c] for c in rows)


async def test_the_roster_filters_and_pages_with_a_next_link(
    app: FastAPI,
    client: httpx.AsyncClient,
    users: Users,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
) -> None:
    await _floor(app, app_sessionmaker, clock)
    wallboard = users.headers(Role.WALLBOARD)  # the hall TV reads it too
    ringing = await client.get("/api/v1/agents/roster?status=reserved", headers=wallboard)
    assert [r["code"] for r in ringing.json()["items"]] == ["a1"]
    other_line = await client.get("/api/v1/agents/roster?line=finance", headers=wallboard)
    assert other_line.json()["items"] == []
    codes = []
    url: str | None = "/api/v1/agents/roster?limit=2&language=zh"
    while url is not None:
        response = await client.get(url, headers=wallboard)
        page = response.json()
        assert page["total"] == 3
        codes += [r["code"] for r in page["items"]]
        url = page["next"]
        if url is not None:
            assert response.headers["link"] == f'<{url}>; rel="next"'
    assert codes == ["a1", "a2", "a3"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=talking", "status"),
        ("limit=501", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=eyJhZnRlciI6ICJ4In0", "cursor"),  # {"after": "x"}
        ("line=" + "x" * 40, "line"),
    ],
)
async def test_bad_roster_queries_are_a_422_naming_the_field(
    client: httpx.AsyncClient, users: Users, query: str, field: str
) -> None:
    response = await client.get(
        f"/api/v1/agents/roster?{query}", headers=users.headers(Role.DIRECTOR)
    )
    assert response.status_code == 422, response.text
    assert field in response.text


async def test_the_roster_without_telephony_says_so(
    settings: Settings, clock: FixedClock, users: Users
) -> None:
    bare = create_app(settings, clock=clock)
    async with (
        bare.router.lifespan_context(bare),
        httpx.AsyncClient(transport=httpx.ASGITransport(bare), base_url="http://t") as http,
    ):
        headers = {"Authorization": f"Bearer {await login(http, 'supervisor-user')}"}
        response = await http.get("/api/v1/agents/roster", headers=headers)
    assert response.status_code == 503
    assert "telephony is not running" in response.json()["detail"]


async def test_the_wallboard_hears_states_with_their_since_and_todays_counters_per_queue(
    app: FastAPI, app_sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    bus = app.state.hotline.bus
    async with bus.subscribe(WALLBOARD) as wallboard:
        seeded, key = await _floor(app, app_sessionmaker, clock)
        await _service(app).director.offer_answered(key, agent_id=str(seeded.agents["a1"]))
        bus.publish(WALLBOARD, {"type": "test-end"})
        messages = []
        async for message in wallboard:
            if message["type"] == "test-end":
                break
            messages.append(message)
    states = [m for m in messages if m["type"] == "state"]
    assert all("since" in m for m in states)
    on_call = [m for m in states if m["status"] == "on_call"]
    assert on_call[0]["call_id"] is not None
    ringing = [m for m in messages if m["type"] == "call" and m.get("phase") == "ringing"]
    assert ringing[0]["since"] == clock.now().isoformat()
    today = [m for m in messages if m["type"] == "today"]
    assert today[-1] | {"seq": None} == {
        "type": "today",
        "line": "national_tax",
        "language": "zh",
        "offered": 1,
        "answered": 1,
        "answered_within_sl": 1,
        "abandoned": 0,
        "callbacks_requested": 0,
        "service_level": 1.0,
        "seq": None,
    }
