"""The knowledge-base API over real HTTP handling: workflow, who may publish, bad input, search."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.roles import Role
from tests.fixtures.app import Users
from tests.hotline.kb.helpers import seed_topics

pytestmark = pytest.mark.asyncio

EDITOR = "specialist-user"


def _article(**content: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "电子税务局密码重置",
        "question": "电子税务局登录密码忘了怎么办？",
        "answer": "可在登录页点击**忘记密码**，通过手机验证码重置。<script>alert(1)</script>",
        "regions": ["zhejiang"],
        "effective_from": "2026-01-01",
        "topic_codes": ["SVC.ETAX"],
    }
    return {
        "id": "kb-test-001",
        "department": "service_hall",
        "owner": "纳税服务科",
        "editors": [EDITOR],
        "content": body | content,
    }


async def _step(client: httpx.AsyncClient, users: Users, role: Role, n: int, action: str) -> Any:
    return await client.post(
        f"/api/v1/kb/articles/kb-test-001/versions/{n}/{action}",
        json={"note": action},
        headers=users.headers(role),
    )


async def test_write_review_publish_then_search_and_read(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_topics(app_sessionmaker)
    created = await client.post(
        "/api/v1/kb/articles", json=_article(), headers=users.headers(Role.SPECIALIST)
    )
    assert created.status_code == 201, created.text
    assert "<script>" not in created.json()["version"]["answer_html"]
    assert "&lt;script&gt;" in created.json()["version"]["answer_html"]
    assert (await _step(client, users, Role.SPECIALIST, 1, "submit")).status_code == 200
    # A supervisor may write but is not an editor of the owning department: 403 with the reason.
    refused = await _step(client, users, Role.SUPERVISOR, 1, "publish")
    assert refused.status_code == 403
    assert refused.json()["error"] == "forbidden"
    assert "supervisor-user" in refused.json()["detail"]
    assert "service_hall" in refused.json()["detail"]
    published = await _step(client, users, Role.SPECIALIST, 1, "publish")
    assert published.json()["version"]["status"] == "published"
    # A retried publish (its answer lost) answers the same and records nothing more.
    retried = await _step(client, users, Role.SPECIALIST, 1, "publish")
    assert (retried.status_code, retried.json()) == (200, published.json())

    hits = await client.get(
        "/api/v1/kb/search",
        params={"q": "电子税务局密码忘了", "region": "wenzhou"},
        headers=users.headers(Role.AGENT),
    )
    assert hits.status_code == 200
    top = hits.json()[0]
    assert (top["id"], top["version"], top["demo"]) == ("kb-test-001-r1", 1, False)
    assert "<mark>" in top["title_html"]
    assert hits.headers.get("X-Hotline-Placeholder") is None
    # Before it takes effect it is not found.
    early = await client.get(
        "/api/v1/kb/search",
        params={"q": "电子税务局密码", "date": "2025-12-31"},
        headers=users.headers(Role.AGENT),
    )
    assert early.json() == []

    # A new version from 2026-06-01 ends the first one the day before; the past stays readable.
    v2 = await client.post(
        "/api/v1/kb/articles/kb-test-001/versions",
        json={
            "content": _article(effective_from="2026-06-01", answer="新流程")["content"],
            "reason": "新登录方式",
        },
        headers=users.headers(Role.SPECIALIST),
    )
    assert v2.status_code == 201, v2.text
    await _step(client, users, Role.SPECIALIST, 2, "submit")
    assert (await _step(client, users, Role.SPECIALIST, 2, "publish")).status_code == 200
    past = await client.get(
        "/api/v1/kb/articles/kb-test-001",
        params={"date": "2026-03-01"},
        headers=users.headers(Role.AGENT),
    )
    later = await client.get(
        "/api/v1/kb/articles/kb-test-001",
        params={"date": "2026-07-01"},
        headers=users.headers(Role.AGENT),
    )
    assert past.json()["version"]["number"] == 1
    assert past.json()["version"]["effective_to"] == "2026-05-31"
    assert later.json()["version"]["number"] == 2
    history = await client.get(
        "/api/v1/kb/articles/kb-test-001/history", headers=users.headers(Role.DIRECTOR)
    )
    actions = [(e["version"], e["action"], e["actor"]) for e in history.json()["events"]]
    assert (2, "publish", EDITOR) in actions
    assert (1, "closed", EDITOR) in actions
    assert actions.count((1, "publish", EDITOR)) == 1
    assert history.json()["versions"][1]["reason"] == "新登录方式"


async def test_bad_input_is_named(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_topics(app_sessionmaker)
    headers = users.headers(Role.SPECIALIST)
    unknown = await client.post(
        "/api/v1/kb/articles", json=_article(topic_codes=["SVC.NOPE"]), headers=headers
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"] == "invalid_article"
    assert unknown.json()["detail"]["field"] == "topics"
    no_owner = await client.post(
        "/api/v1/kb/articles", json=_article() | {"owner": ""}, headers=headers
    )
    assert no_owner.status_code == 422
    assert no_owner.json()["detail"]["field"] == "owner"
    # Two versions of one article in force for Hangzhou on the same days.
    await client.post(
        "/api/v1/kb/articles", json=_article(effective_to="2026-12-31"), headers=headers
    )
    await _step(client, users, Role.SPECIALIST, 1, "submit")
    await _step(client, users, Role.SPECIALIST, 1, "publish")
    clash = _article(effective_from="2026-06-01", regions=["hangzhou"])["content"]
    await client.post(
        "/api/v1/kb/articles/kb-test-001/versions",
        json={"content": clash, "reason": "杭州口径"},
        headers=headers,
    )
    await _step(client, users, Role.SPECIALIST, 2, "submit")
    overlap = await _step(client, users, Role.SPECIALIST, 2, "publish")
    assert overlap.status_code == 409
    assert overlap.json()["error"] == "overlapping_versions"
    assert "v1" in overlap.json()["detail"]["message"]


async def test_a_correction_from_an_agent_reaches_the_editors_inbox(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_topics(app_sessionmaker)
    await client.post(
        "/api/v1/kb/articles", json=_article(), headers=users.headers(Role.SPECIALIST)
    )
    proposed = await client.post(
        "/api/v1/kb/articles/kb-test-001/corrections",
        json={"text": "验证码渠道已改为个税APP", "version_key": "kb-test-001-r1"},
        headers=users.headers(Role.AGENT),
    )
    assert proposed.status_code == 201
    inbox = await client.get("/api/v1/kb/corrections", headers=users.headers(Role.SPECIALIST))
    assert [c["proposed_by"] for c in inbox.json()] == ["agent-user"]
    others = await client.get("/api/v1/kb/corrections", headers=users.headers(Role.SUPERVISOR))
    assert others.json() == []
    closed = await client.post(
        f"/api/v1/kb/corrections/{proposed.json()['id']}/close",
        json={"resolution": "已更新"},
        headers=users.headers(Role.SPECIALIST),
    )
    assert closed.json()["status"] == "closed"


async def test_an_article_past_its_review_date_is_flagged_to_its_editors(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_topics(app_sessionmaker)
    # The test clock says 2026-03-02.
    body = _article() | {"review_due": "2026-03-01"}
    await client.post("/api/v1/kb/articles", json=body, headers=users.headers(Role.SPECIALIST))
    fresh = _article() | {"id": "kb-test-002", "review_due": "2026-09-01"}
    await client.post("/api/v1/kb/articles", json=fresh, headers=users.headers(Role.SPECIALIST))
    mine = await client.get("/api/v1/kb/review-due", headers=users.headers(Role.SPECIALIST))
    assert [a["id"] for a in mine.json()] == ["kb-test-001"]
    theirs = await client.get("/api/v1/kb/review-due", headers=users.headers(Role.ADMIN))
    assert theirs.json() == []


async def test_searches_that_found_nothing_reach_the_usage_report(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_topics(app_sessionmaker)
    me = users.headers(Role.AGENT)
    for q in ["车船税怎么退", "车船税怎么退", "？？"]:
        assert (await client.get("/api/v1/kb/search", params={"q": q}, headers=me)).json() == []
    report = await client.get("/api/v1/kb/reports/usage", headers=users.headers(Role.DIRECTOR))
    assert report.status_code == 200
    assert [(u["query"], u["searches"]) for u in report.json()["unanswered"]] == [
        ("车船税怎么退", 2)
    ]
