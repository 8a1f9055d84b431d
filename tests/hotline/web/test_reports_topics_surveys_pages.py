"""The topics and surveys pages through the app: what they show, what they refuse, numbers
masked."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import Call
from hotline.roles import Role
from tests.fixtures.app import TEST_PASSWORD, FixedClock, create_user
from tests.hotline.reports.floor_day import at, seed_day
from tests.hotline.reports.test_topics_api import seed_topics

pytestmark = pytest.mark.asyncio


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(at(15, 0))


async def _sign_in(client: httpx.AsyncClient, username: str) -> None:
    form = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    await client.post(
        "/login",
        data={"username": username, "password": TEST_PASSWORD, "csrf_token": token[1],
              "next": "/"},
    )  # fmt: skip


async def test_topics_and_surveys_pages(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    day = await seed_day(app_sessionmaker)
    await seed_topics(app_sessionmaker, day)
    async with app_sessionmaker() as session, session.begin():
        call = await session.get(Call, day.calls["c2"])
        assert call is not None
        call.survey_score = 1
    await create_user(app_sessionmaker, "ops1", Role.OPS)
    await _sign_in(client, "ops1")
    index = await client.get("/reports")
    assert 'href="/reports/topics"' in index.text
    assert 'href="/reports/surveys"' in index.text
    day_params = {"start": "2026-03-02", "end": "2026-03-02"}
    topics = await client.get("/reports/topics", params=day_params)
    assert topics.status_code == 200, topics.text
    areas = topics.text.split('id="topic-areas"')[1].split("</table>")[0]
    assert "个人所得税" in areas
    assert "<td>3</td>" in areas  # three IIT summaries that morning
    assert "留抵退税" in topics.text.split('id="search-misses"')[1]
    assert 'data-chart="chart-topics"' in topics.text
    assert "/api/v1/reports/topics?from=2026-03-02T00%3A00%3A00%2B08%3A00" in topics.text
    surveys = await client.get("/reports/surveys", params=day_params)
    assert surveys.status_code == 200, surveys.text
    low = surveys.text.split('id="survey-low"')[1].split("</table>")[0]
    assert "138****8000" in low
    assert "13800138000" not in surveys.text
    assert "没有文字或语音意见" in surveys.text
    reversed_ = await client.get(
        "/reports/surveys", params={"start": "2026-03-03", "end": "2026-03-02"}
    )
    assert reversed_.status_code == 422
    assert 'role="alert"' in reversed_.text
    bad = await client.get("/reports/topics", params={"start": "yesterday"})
    assert bad.status_code == 422


async def test_agents_are_sent_home_from_the_topics_page(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await create_user(app_sessionmaker, "agent1", Role.AGENT)
    await _sign_in(client, "agent1")
    response = await client.get("/reports/surveys")
    assert response.status_code == 303
    assert response.headers["location"] == "/home"


async def test_scorecard_origin_and_heavy_caller_pages_link_their_exports(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_day(app_sessionmaker)
    await create_user(app_sessionmaker, "sup1", Role.SUPERVISOR)
    await _sign_in(client, "sup1")
    day_params = {"start": "2026-03-02", "end": "2026-03-02"}
    for page, report in (
        ("scorecard", "scorecard"),
        ("origin", "origin"),
        ("heavy-callers", "heavy-callers"),
    ):
        response = await client.get(f"/reports/{page}", params=day_params)
        assert response.status_code == 200, response.text
        link = re.search(r'id="download-csv"', response.text)
        assert link is not None, page
        csv_url = re.search(r'href="([^"]+format=csv)"', response.text)
        assert csv_url is not None
        assert csv_url[1].startswith(f"/api/v1/reports/{report}?from=2026-03-02")
        export = await client.get(csv_url[1].replace("&amp;", "&"))
        assert export.status_code == 200, export.text
        assert export.headers["content-type"].startswith("text/csv")
    heavy = await client.get("/reports/heavy-callers", params={**day_params, "threshold": "5"})
    assert 'id="download-full"' in heavy.text  # a supervisor may export full numbers, audited
