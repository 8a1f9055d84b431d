"""/admin/config through the app with a signed-in session: the version in force, check with
every problem listed (in the page's language), compare, publish (admins only), roll back, a
version's page."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.roles import Role
from tests.fixtures.app import TEST_PASSWORD, create_user

from .helpers import EXAMPLE, staff_every_line

pytestmark = pytest.mark.asyncio


async def _sign_in(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    form = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    signed = await client.post(
        "/login", data={"username": username, "password": TEST_PASSWORD, "csrf_token": token[1]}
    )
    assert signed.status_code == 303
    return {"X-CSRF-Token": client.cookies["hotline_csrf"], "HX-Request": "true"}


async def test_check_compare_publish_and_roll_back(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await staff_every_line(app_sessionmaker)
    await create_user(app_sessionmaker, "wang.admin", Role.ADMIN)
    headers = await _sign_in(client, "wang.admin")
    page = await client.get("/admin/config")
    assert page.status_code == 200
    assert 'id="config-publish"' in page.text
    source = EXAMPLE.read_text(encoding="utf-8")
    form = {"source": source, "base_version": "", "reason": "first", "at": ""}

    bad = await client.post(
        "/admin/config/submit",
        data={**form, "source": source.replace("after_s: 45", "after_s: 10"), "action": "validate"},
        headers=headers,
    )
    assert bad.status_code == 422
    assert (
        "<code>centre.yaml: routing.default.stages[2].after_s</code>: 必须大于 stages[1].after_s"
        in bad.text
    )

    valid = await client.post(
        "/admin/config/submit", data={**form, "action": "validate"}, headers=headers
    )
    assert 'id="config-valid"' in valid.text
    published = await client.post(
        "/admin/config/submit", data={**form, "action": "publish"}, headers=headers
    )
    assert published.status_code == 200, published.text
    assert published.headers["HX-Refresh"] == "true"
    page = await client.get("/admin/config")
    assert '<dd id="in-force-version">1</dd>' in page.text

    edited = {
        **form,
        "source": source.replace("max_wait_s: 600", "max_wait_s: 300"),
        "base_version": "1",
        "reason": "shorter",
    }
    diff = await client.post(
        "/admin/config/submit", data={**edited, "action": "diff"}, headers=headers
    )
    assert "<code>routing.default.max_wait_s</code></td><td>600</td><td>300</td>" in diff.text
    assert (
        await client.post(
            "/admin/config/submit", data={**edited, "action": "publish"}, headers=headers
        )
    ).status_code == 200
    stale = await client.post(
        "/admin/config/submit", data={**edited, "action": "publish"}, headers=headers
    )
    assert stale.status_code == 409
    assert "在你编辑期间已有他人发布了版本 2：请刷新页面，查看差异后再发布。" in stale.text
    assert (await client.get("/lang/en", params={"next": "/admin/config"})).status_code == 303
    again = await client.post(
        "/admin/config/submit", data={**edited, "action": "publish"}, headers=headers
    )
    assert again.status_code == 409
    assert "Someone published version 2 while you edited: reload the page" in again.text
    assert (await client.get("/lang/zh-CN", params={"next": "/admin/config"})).status_code == 303

    back = await client.post(
        "/admin/config/versions/1/rollback", data={"reason": "undo"}, headers=headers
    )
    assert back.status_code == 200
    version = await client.get("/admin/config/versions/3")
    assert "max_wait_s: 600" in version.text
    assert "-    max_wait_s: 300" in version.text  # the diff against its base, version 2


async def test_ops_may_check_but_not_publish_and_agents_are_sent_home(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await staff_every_line(app_sessionmaker)
    await create_user(app_sessionmaker, "zhao.ops", Role.OPS)
    headers = await _sign_in(client, "zhao.ops")
    page = await client.get("/admin/config")
    assert page.status_code == 200
    assert 'id="config-publish"' not in page.text
    form = {"source": EXAMPLE.read_text(encoding="utf-8"), "reason": "mine", "base_version": ""}
    checked = await client.post(
        "/admin/config/submit", data={**form, "action": "validate"}, headers=headers
    )
    assert 'id="config-valid"' in checked.text
    refused = await client.post(
        "/admin/config/submit", data={**form, "action": "publish"}, headers=headers
    )
    assert refused.status_code == 403
    await create_user(app_sessionmaker, "li.agent", Role.AGENT)
    client.cookies.clear()
    await _sign_in(client, "li.agent")
    assert (await client.get("/admin/config")).status_code == 303


BROKEN = {
    "after_s: 45": "after_s: 10",
    "calendar: chinese": "calendar: lunar",
    "greeting: welcome": "greeting: no-such-sound",
    'digit: "2", language: en': 'digit: "1", language: en',
}


async def test_the_problems_are_listed_in_the_page_s_language(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await create_user(app_sessionmaker, "qian.ops", Role.OPS)
    headers = await _sign_in(client, "qian.ops")
    source = EXAMPLE.read_text(encoding="utf-8")
    for old, new in BROKEN.items():
        assert old in source
        source = source.replace(old, new)
    form = {"source": source, "base_version": "", "reason": "", "at": "", "action": "validate"}

    chinese = await client.post("/admin/config/submit", data=form, headers=headers)
    assert chinese.status_code == 422
    items = re.findall(r"<li>(.*?)</li>", chinese.text)
    assert items == [
        "<code>centre.yaml: routing.default.stages[2].after_s</code>: 必须大于 stages[1].after_s",
        "<code>centre.yaml: hours.calendar</code>: 未知的日历 &#39;lunar&#39;：应为 chinese 或 "
        "weekdays",
        "<code>centre.yaml: ivr.languages[1].digit</code>: 按键 &#39;1&#39; 已被 "
        "ivr.languages[0] 使用",
        "<code>centre.yaml: ivr.greeting</code>: 未知的语音 &#39;no-such-sound&#39;",
    ]
    assert "配置有以下问题" in chinese.text

    switched = await client.get("/lang/en", params={"next": "/admin/config"})
    assert switched.status_code == 303
    english = await client.post("/admin/config/submit", data=form, headers=headers)
    assert english.status_code == 422
    assert re.findall(r"<li>(.*?)</li>", english.text) == [
        "<code>centre.yaml: routing.default.stages[2].after_s</code>: must be &gt; "
        "stages[1].after_s",
        "<code>centre.yaml: hours.calendar</code>: unknown calendar &#39;lunar&#39;: chinese or "
        "weekdays",
        "<code>centre.yaml: ivr.languages[1].digit</code>: &#39;1&#39; is already ivr.languages[0]",
        "<code>centre.yaml: ivr.greeting</code>: unknown sound &#39;no-such-sound&#39;",
    ]
    assert "Fix these problems" in english.text
