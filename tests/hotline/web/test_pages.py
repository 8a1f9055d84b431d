"""Login, session cookie, CSRF, redirects, language and the offline API docs, through the app."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.roles import Role
from tests.fixtures.app import TEST_PASSWORD, FixedClock, create_user

pytestmark = pytest.mark.asyncio


async def _sign_in(
    client: httpx.AsyncClient, username: str, next_path: str = "/"
) -> httpx.Response:
    form = await client.get("/login", params={"next": next_path})
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    return await client.post(
        "/login",
        data={"username": username, "password": TEST_PASSWORD, "csrf_token": token[1],
              "next": next_path},
    )  # fmt: skip


async def test_the_login_page_is_chinese_by_default_and_switches_to_english(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/login")
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    assert "用户名" in page.text
    switched = await client.get("/lang/en", params={"next": "/login"})
    assert (switched.status_code, switched.headers["location"]) == (303, "/login")
    english = await client.get("/login")
    assert "Username" in english.text
    assert "用户名" not in english.text


async def test_signing_in_sets_an_http_only_cookie_and_sends_each_role_home(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await create_user(app_sessionmaker, "li.na", Role.AGENT)
    await create_user(app_sessionmaker, "boss", Role.SUPERVISOR)
    signed = await _sign_in(client, "li.na", "/desk")
    assert (signed.status_code, signed.headers["location"]) == (303, "/desk")
    cookie = next(c for c in signed.headers.get_list("set-cookie") if "hotline_session=" in c)
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    home = await client.get("/")
    assert home.headers["location"] == "/desk"
    me = await client.get("/api/v1/auth/me")  # the API accepts the same cookie
    assert me.json()["username"] == "li.na"
    client.cookies.clear()
    await _sign_in(client, "boss")
    assert (await client.get("/")).headers["location"] == "/floor"  # the floor is their home
    assert (await client.get("/desk")).headers["location"] == "/home"


async def test_the_navigation_offers_each_role_only_its_own_pages(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await create_user(app_sessionmaker, "li.na", Role.AGENT)
    await create_user(app_sessionmaker, "boss", Role.SUPERVISOR)
    await _sign_in(client, "li.na")
    desk = await client.get("/kb")
    links = set(
        re.findall(r'<nav class="areas"[^>]*>(.*?)</nav>', desk.text, re.S)[0].split("</a>")
    )
    hrefs = {m for link in links for m in re.findall(r'href="([^"]+)"', link)}
    assert {"/desk", "/kb"} <= hrefs
    client.cookies.clear()
    await _sign_in(client, "boss")
    home = await client.get("/home")
    assert 'href="/kb"' in home.text
    assert 'href="/desk"' not in home.text


async def test_the_current_page_marks_only_its_own_link() -> None:
    from hotline.web import nav

    links = [
        nav.NavLink("nav.kb", "/kb", frozenset()),
        nav.NavLink("nav.kbedit", "/kb/inbox", frozenset()),
        nav.NavLink("nav.desk", "/desk", frozenset()),
    ]
    assert nav.current(links, "/kb/inbox") == "/kb/inbox"
    assert nav.current(links, "/kb/articles/vat-1") == "/kb"
    assert nav.current(links, "/kbx") is None
    assert nav.current(links, "/home") is None


async def test_bad_logins_say_why_and_an_open_redirect_is_refused(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await create_user(app_sessionmaker, "li.na", Role.AGENT)
    await client.get("/login")
    forged = await client.post(
        "/login", data={"username": "li.na", "password": TEST_PASSWORD, "csrf_token": "forged"}
    )
    assert forged.status_code == 403
    assert "页面已过期" in forged.text
    form = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    wrong = await client.post(
        "/login", data={"username": "li.na", "password": "nope", "csrf_token": token[1]}
    )
    assert wrong.status_code == 401
    assert "用户名或密码不正确" in wrong.text
    away = await _sign_in(client, "li.na", "//evil.example/x")
    assert away.headers["location"] == "/"


async def test_a_page_without_a_session_or_with_an_expired_one_goes_to_login_keeping_the_path(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    await create_user(app_sessionmaker, "li.na", Role.AGENT)
    anonymous = await client.get("/desk")
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/login?next=/desk")
    await _sign_in(client, "li.na")
    clock.advance(hours=9)  # past the 480-minute token lifetime
    expired = await client.get("/desk")
    assert expired.headers["location"] == "/login?next=/desk&expired=1"
    page = await client.get(expired.headers["location"])
    assert "登录已过期" in page.text


async def test_a_state_change_signed_in_by_cookie_needs_the_csrf_header(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await create_user(app_sessionmaker, "admin1", Role.ADMIN)
    await _sign_in(client, "admin1")
    body = {"code": "VAT", "name_zh": "增值税", "name_en": "VAT"}
    refused = await client.put("/api/v1/topics/VAT", json=body)
    assert (refused.status_code, refused.json()["error"]) == (403, "csrf_failed")
    token = client.cookies["hotline_csrf"]
    accepted = await client.put("/api/v1/topics/VAT", json=body, headers={"X-CSRF-Token": token})
    assert accepted.status_code == 200, accepted.text
    # Swagger UI's Authorize posts the password login from the same browser: not refused.
    again = await client.post(
        "/api/v1/auth/token", data={"username": "admin1", "password": TEST_PASSWORD}
    )
    assert again.status_code == 200
    logout = await client.post("/logout", data={"csrf_token": token})
    assert logout.headers["location"] == "/login"
    assert "hotline_session" not in client.cookies
    assert (await client.get("/api/v1/auth/me")).status_code == 401


async def test_the_api_docs_load_nothing_from_the_internet_and_offer_authorize(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/docs", "/redoc"):
        page = await client.get(path)
        assert page.status_code == 200
        sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert sources
        assert all(s.startswith("/") for s in sources), sources
    schema = (await client.get("/openapi.json")).json()
    flow = schema["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]["password"]
    assert flow["tokenUrl"] == "/api/v1/auth/token"
    bundle = await client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")
    assert bundle.status_code == 200
