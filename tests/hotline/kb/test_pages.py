"""The read-only knowledge-base pages, through the app with a signed-in session."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.roles import Role
from hotline.web.i18n import LANG_COOKIE
from tests.fixtures.app import TEST_PASSWORD, create_user
from tests.hotline.kb.helpers import SAMPLE, import_sample, seed_topics

pytestmark = pytest.mark.asyncio


async def _sign_in(client: httpx.AsyncClient, username: str) -> None:
    form = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    signed = await client.post(
        "/login", data={"username": username, "password": TEST_PASSWORD, "csrf_token": token[1]}
    )
    assert signed.status_code == 303


async def test_search_and_read_pages(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession], tmp_path: object
) -> None:
    await seed_topics(app_sessionmaker)
    await import_sample(app_sessionmaker, SAMPLE)
    await create_user(app_sessionmaker, "li.na", Role.AGENT)
    assert (await client.get("/kb")).status_code in (303, 307)  # signed out: to the login
    await _sign_in(client, "li.na")
    page = await client.get(
        "/kb", params={"q": "专票红冲", "region": "wenzhou", "day": "2026-03-01"}
    )
    assert page.status_code == 200
    assert "<mark>" in page.text
    assert 'href="/kb/articles/kb-inv-003?version=' in page.text
    old = await client.get("/kb/articles/kb-iit-001", params={"day": "2023-04-12"})
    assert "kb-iit-001-v2023" in old.text
    assert "1000元" in old.text
    missing = await client.get("/kb/articles/kb-nope-001")
    assert missing.status_code == 404
    bad = await client.get("/kb", params={"q": "个税", "day": "2026-13-01"})
    assert "YYYY-MM-DD" in bad.text


async def test_the_editor_pages_refuse_non_writers_and_name_the_field_to_fix(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_topics(app_sessionmaker)
    await create_user(app_sessionmaker, "li.na", Role.AGENT)
    await create_user(app_sessionmaker, "spec1", Role.SPECIALIST)
    await _sign_in(client, "li.na")
    refused = await client.get("/kb/new")
    assert refused.status_code == 403
    assert "kbedit-refused" in refused.text
    await _sign_in(client, "spec1")
    headers = {"X-CSRF-Token": client.cookies["hotline_csrf"], "HX-Request": "true"}
    form = {
        "id": "kb-test-001",
        "department": "national_tax_iit",
        "owner": "个人所得税科",
        "editors": "spec1",
        "title": "测试标题",
        "question": "测试问题？",
        "answer": "答复<script>alert(1)</script>",
        "regions": "zhejiang",
        "effective_from": "2026-01-01",
        "topic_codes": "IIT.NOPE",
        "reason": "新建",
    }
    bad = await client.post("/kb/new", data=form, headers=headers)
    assert 'id="err-topic_codes"' in bad.text
    assert "IIT.NOPE" in bad.text  # the rest of the form kept
    no_region = await client.post(
        "/kb/new", data={**form, "regions": [], "topic_codes": ""}, headers=headers
    )
    assert 'id="err-regions"' in no_region.text
    made = await client.post("/kb/new", data={**form, "topic_codes": "IIT.DEDUCT"}, headers=headers)
    assert made.headers["HX-Redirect"] == "/kb/articles/kb-test-001/history"
    preview = await client.post(
        "/kb/preview", data={"answer": "**a**<script>x</script>"}, headers=headers
    )
    assert "<strong>a</strong>" in preview.text
    assert "<script>" not in preview.text
    history = await client.get("/kb/articles/kb-test-001/history")
    assert 'id="submit-1"' in history.text
    diff = await client.get("/kb/articles/kb-test-001/diff", params={"a": 1, "b": 1})
    assert diff.status_code == 200
    # A refusal is worded in the page's language: zh-CN unless the switch chose English.
    early = await client.post("/kb/articles/kb-test-001/versions/1/publish", headers=headers)
    assert "状态为“草稿”的版本不能执行“审核通过并发布”（只能从：待审核）" in early.text
    correction = {"text": "这篇知识的税率写错了"}
    nothing = await client.post(
        "/kb/articles/kb-nope-001/corrections", data=correction, headers=headers
    )
    assert "没有这篇知识" in nothing.text
    client.cookies.set(LANG_COOKIE, "en")
    nothing = await client.post(
        "/kb/articles/kb-nope-001/corrections", data=correction, headers=headers
    )
    assert "no such article" in nothing.text
    early = await client.post("/kb/articles/kb-test-001/versions/1/publish", headers=headers)
    assert "cannot publish a version that is draft (only from review)" in early.text
