from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import AuditLog
from hotline.db.session import transaction
from hotline.roles import Role
from hotline.schemas.users import UserUpdate
from hotline.services import users as user_service
from tests.fixtures.app import TEST_PASSWORD, FixedClock, create_user, login

pytestmark = pytest.mark.asyncio


async def _audit(sessionmaker: async_sessionmaker[AsyncSession]) -> list[AuditLog]:
    async with sessionmaker() as session:
        return list((await session.scalars(select(AuditLog).order_by(AuditLog.id))).all())


async def test_login_issues_a_token_that_identifies_the_user(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await create_user(app_sessionmaker, "li.na", Role.SUPERVISOR, Role.DIRECTOR)
    token = await login(client, "li.na")
    me = await client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["username"] == "li.na"
    assert me.json()["roles"] == ["director", "supervisor"]
    entries = await _audit(app_sessionmaker)
    assert [(e.action, e.actor_username) for e in entries] == [("login_succeeded", "li.na")]
    assert entries[0].request_id


async def test_failed_logins_are_refused_and_audited(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await create_user(app_sessionmaker, "wang.wei", Role.AGENT)
    wrong_password = await client.post(
        "/api/v1/auth/token", data={"username": "wang.wei", "password": "not the password"}
    )
    unknown_user = await client.post(
        "/api/v1/auth/token", data={"username": "nobody", "password": "whatever-123"}
    )
    for response in (wrong_password, unknown_user):
        assert response.status_code == 401
        assert {k: v for k, v in response.json().items() if k in ("error", "detail")} == {
            "error": "not_authenticated",
            "detail": "incorrect username or password",
        }
    actions = [(e.action, e.actor_username) for e in await _audit(app_sessionmaker)]
    assert actions == [("login_failed", "wang.wei"), ("login_failed", "nobody")]


async def test_missing_form_fields_are_a_validation_error(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/token", data={"username": "x"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_error"
    assert body["detail"][0]["loc"] == ["body", "password"]


async def test_token_expires_by_the_injected_clock(
    client: httpx.AsyncClient,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
) -> None:
    await create_user(app_sessionmaker, "zhao.min", Role.AGENT)
    headers = {"Authorization": f"Bearer {await login(client, 'zhao.min')}"}
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    clock.advance(hours=9)  # default lifetime: 8 hours
    response = await client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "token expired"


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Bearer not.a.jwt", "invalid token"),
        ("Basic dXNlcjpwYXNz", "unsupported authorization scheme"),
    ],
)
async def test_malformed_credentials_are_refused(
    client: httpx.AsyncClient, header: str, detail: str
) -> None:
    response = await client.get("/api/v1/auth/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["detail"].startswith(detail)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_disabled_user_loses_access_at_once(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await create_user(app_sessionmaker, "chen.jie", Role.AGENT)
    headers = {"Authorization": f"Bearer {await login(client, 'chen.jie')}"}
    async with transaction(app_sessionmaker) as session:
        await user_service.update_user(session, user.id, UserUpdate(is_active=False))
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 401
    refused = await client.post(
        "/api/v1/auth/token", data={"username": "chen.jie", "password": TEST_PASSWORD}
    )
    assert refused.status_code == 401


async def test_a_role_change_revokes_earlier_tokens(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await create_user(app_sessionmaker, "sun.li", Role.ADMIN)
    headers = {"Authorization": f"Bearer {await login(client, 'sun.li')}"}
    assert (await client.get("/api/v1/sites", headers=headers)).status_code == 200
    async with transaction(app_sessionmaker) as session:
        await user_service.update_user(session, user.id, UserUpdate(roles=[Role.AGENT]))
    revoked = await client.get("/api/v1/sites", headers=headers)
    assert revoked.status_code == 401
    assert revoked.json()["detail"] == "token revoked: sign in again"
    # Signed in again, the user holds the new role only.
    headers = {"Authorization": f"Bearer {await login(client, 'sun.li')}"}
    assert (await client.get("/api/v1/sites", headers=headers)).status_code == 403


async def test_the_session_cookie_carries_the_same_token(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await create_user(app_sessionmaker, "he.tao", Role.SUPERVISOR)
    token = await login(client, "he.tao")
    client.cookies.set("hotline_session", token)
    response = await client.get("/api/v1/auth/me")
    assert response.status_code == 200
    assert response.json()["username"] == "he.tao"


async def test_token_times_follow_the_injected_clock_even_ahead_of_the_os(
    client: httpx.AsyncClient,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
) -> None:
    clock.current = datetime(2031, 1, 1, tzinfo=UTC)  # a simulation clock running ahead
    await create_user(app_sessionmaker, "lin.yu", Role.AGENT)
    headers = {"Authorization": f"Bearer {await login(client, 'lin.yu')}"}
    assert (await client.get("/api/v1/auth/me", headers=headers)).status_code == 200
    clock.current = datetime(2030, 12, 31, tzinfo=UTC)  # the clock jumps back a day
    response = await client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "token issued in the future"
