"""Tokens that cannot be forged or outlive their revocation; login throttling and lockout; the
password policy and changing one's own password."""

from __future__ import annotations

import httpx
import jwt
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.auth import passwords
from hotline.config import PUBLISHED_JWT_SECRET, LoginSettings
from hotline.db.models import AuditLog
from hotline.db.session import transaction
from hotline.roles import Role
from hotline.schemas.users import UserUpdate
from hotline.services import users as user_service
from tests.fixtures.app import TEST_PASSWORD, FixedClock, create_user, login

pytestmark = pytest.mark.asyncio

TOKEN_URL = "/api/v1/auth/token"
LIMITS = LoginSettings()
# Failures this far apart stay under the per-user rate: only the lockout rule can refuse them.
SPACED_S = LIMITS.window_s / (LIMITS.user_failures - 1) + 1


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _actions(sessionmaker: async_sessionmaker[AsyncSession]) -> list[tuple[str, str | None]]:
    async with sessionmaker() as session:
        rows = (await session.scalars(select(AuditLog).order_by(AuditLog.id))).all()
    return [(r.action, r.actor_username) for r in rows]


async def _attempt(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(TOKEN_URL, data={"username": username, "password": password})


# ------------------------------------------------------------------ forged and stale tokens


async def test_a_token_signed_with_the_published_placeholder_is_refused(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    admin = await create_user(app_sessionmaker, "admin.one", Role.ADMIN)
    now = int(clock.now().timestamp())
    claims = {"sub": str(admin.id), "iat": now, "exp": now + 3600, "iss": "hotline"}
    claims["stm"] = admin.token_stamp  # even knowing the stamp does not help
    forged = jwt.encode(claims, PUBLISHED_JWT_SECRET, algorithm="HS256")
    response = await client.get("/api/v1/users", headers=_bearer(forged))
    assert response.status_code == 401
    assert response.json()["detail"].startswith("invalid token")


async def test_logout_revokes_every_earlier_token_of_the_user(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await create_user(app_sessionmaker, "gao.fei", Role.AGENT)
    laptop, phone = await login(client, "gao.fei"), await login(client, "gao.fei")
    assert (await client.post("/api/v1/auth/logout", headers=_bearer(laptop))).status_code == 204
    for token in (laptop, phone):
        response = await client.get("/api/v1/auth/me", headers=_bearer(token))
        assert response.status_code == 401
        assert response.json()["detail"] == "token revoked: sign in again"
    fresh = await login(client, "gao.fei")
    assert (await client.get("/api/v1/auth/me", headers=_bearer(fresh))).status_code == 200
    assert ("logged_out", "gao.fei") in await _actions(app_sessionmaker)


async def test_an_admin_password_reset_revokes_earlier_tokens(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await create_user(app_sessionmaker, "xu.ming", Role.AGENT)
    token = await login(client, "xu.ming")
    async with transaction(app_sessionmaker) as session:
        update = UserUpdate(password=SecretStr("a brand new passphrase"))
        await user_service.update_user(session, user.id, update)
    assert (await client.get("/api/v1/auth/me", headers=_bearer(token))).status_code == 401
    # An update that changes nothing that matters keeps the tokens.
    token = await login(client, "xu.ming", "a brand new passphrase")
    async with transaction(app_sessionmaker) as session:
        await user_service.update_user(session, user.id, UserUpdate(full_name="Xu Ming"))
    assert (await client.get("/api/v1/auth/me", headers=_bearer(token))).status_code == 200


async def test_a_deleted_users_token_never_signs_in_a_later_user_with_the_same_id(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    first = await create_user(app_sessionmaker, "temp.admin", Role.ADMIN)
    token = await login(client, "temp.admin")
    async with transaction(app_sessionmaker) as session:
        await user_service.delete_user(session, first.id)
    later = await create_user(app_sessionmaker, "new.admin", Role.ADMIN)
    if app_sessionmaker.kw["bind"].dialect.name == "sqlite":
        assert later.id == first.id  # SQLite hands the freed id out again
    response = await client.get("/api/v1/auth/me", headers=_bearer(token))
    assert response.status_code == 401


# ------------------------------------------------------------------ throttling and lockout


async def test_failed_logins_for_one_user_are_throttled_with_retry_after(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    await create_user(app_sessionmaker, "ma.lin", Role.AGENT)
    for _ in range(LIMITS.user_failures):
        assert (await _attempt(client, "ma.lin", "wrong password!")).status_code == 401
    for _ in range(2):  # even the right password waits: the check is not run at all
        refused = await _attempt(client, "ma.lin", TEST_PASSWORD)
        assert refused.status_code == 429
        assert refused.json()["error"] == "too_many_requests"
        assert "this user" in refused.json()["detail"]
        assert 1 <= int(refused.headers["retry-after"]) <= LIMITS.window_s
    audited = await _actions(app_sessionmaker)
    assert audited.count(("login_throttled", "ma.lin")) == 1  # once per episode, not per request
    clock.advance(seconds=LIMITS.window_s + 1)
    assert (await _attempt(client, "ma.lin", TEST_PASSWORD)).status_code == 200


async def test_failed_logins_from_one_address_are_throttled(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await create_user(app_sessionmaker, "ye.qing", Role.AGENT)
    for n in range(LIMITS.address_failures):  # a spray: one guess per username
        assert (await _attempt(client, f"guess{n}", "wrong password!")).status_code == 401
    refused = await _attempt(client, "ye.qing", TEST_PASSWORD)
    assert refused.status_code == 429
    assert "this address" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) >= 1
    assert ("login_throttled", "ye.qing") in await _actions(app_sessionmaker)


async def test_repeated_failures_lock_the_user_for_a_while(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    await create_user(app_sessionmaker, "du.juan", Role.AGENT)
    statuses = []
    for _ in range(LIMITS.lockout_after):
        clock.advance(seconds=SPACED_S)  # under the rate limit
        statuses.append((await _attempt(client, "du.juan", "wrong password!")).status_code)
    assert statuses == [401] * (LIMITS.lockout_after - 1) + [429]
    clock.advance(seconds=LIMITS.window_s * 2)  # the rate limit is over; the lockout is not
    locked = await _attempt(client, "du.juan", TEST_PASSWORD)
    assert locked.status_code == 429
    assert "locked" in locked.json()["detail"]
    assert int(locked.headers["retry-after"]) <= LIMITS.lockout_s
    assert ("account_locked", "du.juan") in await _actions(app_sessionmaker)
    clock.advance(seconds=LIMITS.lockout_s)
    assert (await _attempt(client, "du.juan", TEST_PASSWORD)).status_code == 200


async def test_a_success_clears_the_run_of_failures(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> None:
    await create_user(app_sessionmaker, "lu.yao", Role.AGENT)
    for _ in range(3):
        for _ in range(LIMITS.lockout_after - 1):
            clock.advance(seconds=SPACED_S)
            assert (await _attempt(client, "lu.yao", "wrong password!")).status_code == 401
        assert (await _attempt(client, "lu.yao", TEST_PASSWORD)).status_code == 200


# ------------------------------------------------------------------ policy and password change


async def test_users_change_their_own_password(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await create_user(app_sessionmaker, "zhou.xun", Role.SUPERVISOR)
    old = await login(client, "zhou.xun")
    url = "/api/v1/auth/password"

    async def change(current: str, new: str) -> httpx.Response:
        body = {"current_password": current, "new_password": new}
        return await client.post(url, json=body, headers=_bearer(old))

    wrong = await change("not my password", "tea on the west lake at dawn")
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["body", "current_password"]
    for bad, rule in (("password123", "most common"), ("zhou.xun-2026!", "username")):
        refused = await change(TEST_PASSWORD, bad)
        assert refused.status_code == 422
        assert rule in refused.json()["detail"][0]["msg"]
        assert bad not in refused.text  # never echoed
    changed = await change(TEST_PASSWORD, "tea on the west lake at dawn")
    assert changed.status_code == 200, changed.text
    assert (await client.get("/api/v1/auth/me", headers=_bearer(old))).status_code == 401
    new = changed.json()["access_token"]
    assert (await client.get("/api/v1/auth/me", headers=_bearer(new))).status_code == 200
    assert (await _attempt(client, "zhou.xun", TEST_PASSWORD)).status_code == 401
    await login(client, "zhou.xun", "tea on the west lake at dawn")
    assert ("password_changed", "zhou.xun") in await _actions(app_sessionmaker)


async def test_an_admin_cannot_set_a_common_password(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await create_user(app_sessionmaker, "root.admin", Role.ADMIN)
    token = await login(client, "root.admin")
    body = {"username": "new.agent", "full_name": "New", "password": "qwerty123456"}
    response = await client.post(
        "/api/v1/users", json={**body, "roles": ["agent"]}, headers=_bearer(token)
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "password"]


async def test_too_many_waiting_password_checks_answer_503_with_retry_after(
    client: httpx.AsyncClient,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await create_user(app_sessionmaker, "qin.feng", Role.AGENT)
    monkeypatch.setattr(passwords, "MAX_PENDING", 0)  # as if the pool were full already
    busy = await _attempt(client, "qin.feng", TEST_PASSWORD)
    assert busy.status_code == 503
    assert busy.json()["error"] == "unavailable"
    assert busy.headers["retry-after"] == "1"
    monkeypatch.setattr(passwords, "MAX_PENDING", 32)
    assert (await _attempt(client, "qin.feng", TEST_PASSWORD)).status_code == 200
