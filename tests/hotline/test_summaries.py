"""Call summaries and topics through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import Agent, Site, User
from hotline.db.models.call import Call
from hotline.db.session import transaction
from hotline.roles import Role
from tests.fixtures.app import Users, create_user, login

pytestmark = pytest.mark.asyncio
T0 = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)
SUMMARY = {
    "topic_code": "IIT.DEDUCT",
    "question": "子女教育扣除怎么填？",
    "answer": "在个税APP填报。",
    "kb_articles": [{"id": "demo-iit-deduct", "title": "专项附加扣除", "version": 1}],
    "result": "answered",
    "taxpayer": {"name": "张三"},
}


async def _topics(client: httpx.AsyncClient, users: Users) -> None:
    admin = users.headers(Role.ADMIN)
    area = {"code": "IIT", "name_zh": "个人所得税", "name_en": "Individual income tax"}
    subject = {
        "code": "IIT.DEDUCT",
        "parent_code": "IIT",
        "name_zh": "专项附加扣除",
        "name_en": "Special additional deductions",
    }
    assert (await client.put("/api/v1/topics/IIT", json=area, headers=admin)).status_code == 200
    put = await client.put("/api/v1/topics/IIT.DEDUCT", json=subject, headers=admin)
    assert put.status_code == 200, put.text


async def _calls(maker: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """Two calls from the same number handled by agent-user, one handled by another agent."""
    await create_user(maker, "other.agent", Role.AGENT)
    async with transaction(maker) as session:
        site = Site(code="hz", name="Hangzhou", ari_url="http://x/ari", ari_username="u",
                    ari_password="p")  # fmt: skip
        session.add(site)
        await session.flush()
        ids = {}
        for username in ("agent-user", "other.agent"):
            user_id = await session.scalar(select(User.id).where(User.username == username))
            agent = Agent(code=username, name=username, languages=["zh"], user_id=user_id)
            session.add(agent)
            await session.flush()
            ids[username] = agent.id
        calls = {}
        for n, (label, agent) in enumerate(
            [("earlier", "agent-user"), ("now", "agent-user"), ("others", "other.agent")]
        ):
            call = Call(
                site_id=site.id, channel_id=f"c{n}", caller_number="13905710001",
                dialled="12366", region="浙江省杭州市", agent_id=ids[agent], outcome="answered",
                arrived_at=T0 + timedelta(minutes=n), answered_at=T0 + timedelta(minutes=n),
                talk_s=60.0 * (n + 1), language="zh", business_line="national_tax",
            )  # fmt: skip
            session.add(call)
            await session.flush()
            calls[label] = call.id
    return calls


async def test_an_agent_files_the_summary_of_their_call_once_and_supervisors_read_it(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _topics(client, users)
    calls = await _calls(app_sessionmaker)
    me = users.headers(Role.AGENT)
    url = f"/api/v1/calls/{calls['now']}/summary"
    first = await client.put(url, json=SUMMARY, headers=me)
    assert first.status_code == 201, first.text
    again = await client.put(url, json=SUMMARY | {"answer": "改正"}, headers=me)
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    read = await client.get(
        f"/api/v1/calls/{calls['now']}/summaries", headers=users.headers(Role.SUPERVISOR)
    )
    assert [(s["topic_code"], s["answer"]) for s in read.json()] == [("IIT.DEDUCT", "改正")]
    other = await client.put(f"/api/v1/calls/{calls['others']}/summary", json=SUMMARY, headers=me)
    assert (other.status_code, other.json()["error"]) == (403, "forbidden")
    peek = await client.get(f"/api/v1/calls/{calls['others']}/summaries", headers=me)
    assert peek.status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"topic_code": "IIT.NOPE"}, "topic_code"),
        ({"topic_code": "IIT"}, "topic_code"),
        ({"result": "maybe"}, "result"),
        ({"question": ""}, "question"),
    ],
)
async def test_a_bad_summary_is_refused_naming_the_field(
    client: httpx.AsyncClient,
    users: Users,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    change: dict[str, str],
    field: str,
) -> None:
    await _topics(client, users)
    calls = await _calls(app_sessionmaker)
    response = await client.put(
        f"/api/v1/calls/{calls['now']}/summary",
        json=SUMMARY | change,
        headers=users.headers(Role.AGENT),
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "validation_error"
    assert field in [loc for item in response.json()["detail"] for loc in item["loc"]]


async def test_only_admins_edit_topics_and_subjects_sit_under_an_area(
    client: httpx.AsyncClient, users: Users
) -> None:
    await _topics(client, users)
    body = {"code": "VAT", "name_zh": "增值税", "name_en": "VAT"}
    for role in (Role.AGENT, Role.SUPERVISOR):
        refused = await client.put("/api/v1/topics/VAT", json=body, headers=users.headers(role))
        assert refused.status_code == 403
    orphan = await client.put(
        "/api/v1/topics/VAT.SMALL",
        json={"code": "VAT.SMALL", "parent_code": "VAT", "name_zh": "小规模", "name_en": "Small"},
        headers=users.headers(Role.ADMIN),
    )
    assert orphan.status_code == 422
    assert orphan.json()["detail"][0]["loc"] == ["body", "parent_code"]
    tree = await client.get("/api/v1/topics", headers=users.headers(Role.AGENT))
    assert [(t["code"], [c["code"] for c in t["children"]]) for t in tree.json()] == [
        ("IIT", ["IIT.DEDUCT"])
    ]


async def test_the_caller_panel_shows_earlier_calls_with_their_summaries(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _topics(client, users)
    calls = await _calls(app_sessionmaker)
    me = users.headers(Role.AGENT)
    await client.put(f"/api/v1/calls/{calls['earlier']}/summary", json=SUMMARY, headers=me)
    panel = await client.get(f"/api/v1/calls/{calls['now']}/caller", headers=me)
    assert panel.status_code == 200, panel.text
    body = panel.json()
    assert body["caller_number"] == "13905710001"
    assert [c["call_id"] for c in body["previous_calls"]] == [calls["earlier"]]
    assert body["previous_calls"][0]["summaries"][0]["question"] == SUMMARY["question"]
    assert body["taxpayer"] == {"name": "张三"}
    refused = await client.get(f"/api/v1/calls/{calls['others']}/caller", headers=me)
    assert refused.status_code == 403
    other_token = await login(client, "other.agent")
    today = await client.get(
        "/api/v1/agent/today", headers={"Authorization": f"Bearer {other_token}"}
    )
    assert today.status_code == 200
    assert today.json()["calls"] == 1


async def test_the_kb_search_is_the_real_base_and_finds_nothing_for_nothing(
    client: httpx.AsyncClient, users: Users
) -> None:
    me = users.headers(Role.AGENT)
    empty = await client.get("/api/v1/kb/search", params={"q": "  "}, headers=me)
    assert empty.json() == []
    # No articles imported: nothing, and no placeholder items (tests/hotline/kb covers search).
    hits = await client.get("/api/v1/kb/search", params={"q": "发票"}, headers=me)
    assert "x-hotline-placeholder" not in hits.headers
    assert hits.json() == []


async def test_a_work_order_refers_only_to_a_summary_of_its_own_call(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _topics(client, users)
    calls = await _calls(app_sessionmaker)
    me = users.headers(Role.AGENT)
    filed = await client.put(f"/api/v1/calls/{calls['earlier']}/summary", json=SUMMARY, headers=me)
    order = {"category": "enquiry", "subject": "子女教育扣除", "call_id": calls["now"]}
    for summary_id in ("999999", "x", str(filed.json()["id"])):
        refused = await client.post(
            "/api/v1/workorders", json=order | {"call_summary_id": summary_id}, headers=me
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"][0]["loc"] == ["body", "call_summary_id"]
