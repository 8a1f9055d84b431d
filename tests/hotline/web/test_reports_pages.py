"""The report pages through the app: who may open them, what they show, what they refuse."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import Agent, AgentShift
from hotline.roles import Role
from tests.fixtures.app import TEST_PASSWORD, FixedClock, create_user
from tests.hotline.reports.floor_day import at, seed_day

pytestmark = pytest.mark.asyncio


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(at(15, 0))


async def _sign_in(client: httpx.AsyncClient, username: str) -> httpx.Response:
    form = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    return await client.post(
        "/login",
        data={"username": username, "password": TEST_PASSWORD, "csrf_token": token[1],
              "next": "/"},
    )  # fmt: skip


async def test_directors_land_on_reports_and_read_the_interval_page(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_day(app_sessionmaker)
    await create_user(app_sessionmaker, "boss", Role.DIRECTOR)
    signed = await _sign_in(client, "boss")
    assert signed.headers["location"] == "/"
    assert (await client.get("/")).headers["location"] == "/reports"
    index = await client.get("/reports")
    assert "分时段话务与排班" in index.text
    page = await client.get(
        "/reports/interval", params={"start": "2026-03-02", "end": "2026-03-02", "interval": "60m"}
    )
    assert page.status_code == 200, page.text
    assert 'title="阈值内接通 / 受理量（放弃计为未达标）"' in page.text  # hover definition
    assert 'data-chart="chart-calls"' in page.text
    table = page.text.split('id="interval-table"')[1]
    assert "03-02 09:00" in table
    assert "03-02 10:00" in table
    assert "03-02 11:00" not in table  # nothing happened: left out of the table
    assert "/api/v1/reports/interval?from=2026-03-02T00%3A00%3A00%2B08%3A00" in page.text
    abandons = await client.get(
        "/reports/abandons", params={"start": "2026-03-02", "end": "2026-03-02"}
    )
    assert "共 3 通放弃来电" in abandons.text
    assert "139****5678" in abandons.text
    assert "13912345678" not in abandons.text
    assert 'id="download-full"' in abandons.text
    agents = await client.get("/reports/agents", params={"start": "2026-03-02", "agent": "a1"})
    assert agents.status_code == 200, agents.text
    table = agents.text.split('id="agent-table"')[1]
    assert "<td>a1</td>" in table
    assert "<td>a2</td>" not in table
    assert 'data-chart="chart-agents"' in agents.text
    unknown = await client.get("/reports/agents", params={"agent": "zz"})
    assert unknown.status_code == 422
    standards = await client.get(
        "/reports/standards", params={"start": "2026-03-01", "end": "2026-03-02"}
    )
    assert standards.status_code == 200, standards.text
    assert "75% 来电 120 秒内接通" in standards.text
    assert standards.text.count('class="std-missed"') == 6  # 3 per row: 03-02 and the period
    assert 'class="std-met"' in standards.text  # the ASA
    card = await client.get("/reports/scorecard", params={"start": "2026-03-02"})
    assert card.status_code == 200, card.text
    assert 'id="tile-service_level"' in card.text
    assert "28.6%" in card.text  # 2 of 7 within 20 s
    origin = await client.get("/reports/origin", params={"start": "2026-03-02"})
    assert origin.status_code == 200, origin.text
    assert 'data-chart="chart-origin"' in origin.text
    assert "北京市" in origin.text  # 138… numbers of the morning
    heavy = await client.get("/reports/heavy-callers", params={"threshold": "5"})
    assert heavy.status_code == 200, heavy.text
    assert "138****8000</a></td><td>7</td>" in heavy.text
    refused = await client.get("/reports/heavy-callers", params={"threshold": "1"})
    assert refused.status_code == 422
    assert "2–10000" in refused.text


async def test_the_heavy_callers_page_starts_from_the_live_alert_setting(
    app: Any, client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """Opened without a threshold or dates, the page asks what the live alert does: its
    HOTLINE_FLOOR__HEAVY_CALLER_CALLS over the last HOTLINE_FLOOR__HEAVY_CALLER_DAYS days."""
    await seed_day(app_sessionmaker)
    await create_user(app_sessionmaker, "boss", Role.DIRECTOR)
    await _sign_in(client, "boss")
    floor = app.state.hotline.settings.floor
    floor.heavy_caller_calls, floor.heavy_caller_days = 7, 3
    page = await client.get("/reports/heavy-callers")
    assert page.status_code == 200, page.text
    assert 'max="10000" value="7"' in page.text
    assert 'id="report-start" value="2026-02-28"' in page.text  # three days ending today (03-02)
    assert "138****8000</a></td><td>7</td>" in page.text
    floor.heavy_caller_calls = 8
    assert "138****8000" not in (await client.get("/reports/heavy-callers")).text


async def test_bad_choices_say_what_to_change_and_agents_are_sent_home(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_day(app_sessionmaker)
    await create_user(app_sessionmaker, "planner", Role.OPS)
    await create_user(app_sessionmaker, "li.na", Role.AGENT)
    await _sign_in(client, "planner")
    reversed_ = await client.get(
        "/reports/interval", params={"start": "2026-03-05", "end": "2026-03-02"}
    )
    assert reversed_.status_code == 422
    assert "请修改查询条件：结束日期不能早于开始日期" in reversed_.text
    unknown = await client.get("/reports/interval", params={"line": "customs"})
    assert unknown.status_code == 422
    assert "没有该业务线" in unknown.text
    garbled = await client.get("/reports/abandons", params={"start": "March"})
    assert garbled.status_code == 422
    assert "YYYY-MM-DD" in garbled.text
    no_full = await client.get("/reports/abandons")
    assert 'id="download-full"' not in no_full.text  # ops read masked numbers only
    client.cookies.clear()
    await _sign_in(client, "li.na")
    assert (await client.get("/reports")).headers["location"] == "/home"


async def test_plotly_comes_from_the_wheel(client: httpx.AsyncClient) -> None:
    script = await client.get("/reports/plotly.min.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert b"plotly.js" in script.content[:2000]


async def test_the_agents_page_shows_adherence_with_its_definition(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """Adherence (the API's per-agent figures) on the page, with the definitions beside it;
    without shifts, a note saying how to enter them instead of a zero."""
    await seed_day(app_sessionmaker)
    await create_user(app_sessionmaker, "boss", Role.DIRECTOR)
    await _sign_in(client, "boss")
    params = {"start": "2026-03-02", "end": "2026-03-02"}
    before = await client.get("/reports/agents", params=params)
    assert before.status_code == 200, before.text
    assert 'id="adherence-none"' in before.text
    assert 'id="adherence-table"' not in before.text
    async with app_sessionmaker() as session, session.begin():
        a2 = await session.scalar(select(Agent.id).where(Agent.code == "a2"))
        assert a2 is not None
        session.add(AgentShift(agent_id=a2, starts_at=at(9, 0), ends_at=at(10, 0)))
    page = await client.get("/reports/agents", params=params)
    assert page.status_code == 200, page.text
    table = re.sub(r">\s+<", "><", page.text.split('id="adherence-table"')[1].split("</table>")[0])
    assert '<tr id="adherence-a2"><td>a2</td><td>3600.0</td><td>2700.0</td>' in table
    assert "adherence-a1" not in table  # a1 has no shift: no row, not a zero
    assert "<td>1340.0</td><td>37.2%</td></tr>" in table  # 2700 s less a2's break; a share
    assert "排班遵从率" in table  # the figure's name, linked to its definition
    defs = page.text.split('id="adherence-defs"')[1].split("</dl>")[0]
    assert "排班内可服务时长 / 排班时长" in defs
