"""The principal cache saves the user read on repeated requests with one token, yet a logout,
a role change, a deactivation or a deletion still refuses the token on the very next request;
a change made outside this process (another instance, the CLI) is seen within the cache's
lifetime (``auth.principal_cache_s``)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import User
from hotline.db.session import create_engine, transaction
from hotline.roles import Role
from hotline.schemas.users import UserUpdate
from hotline.services import users as user_service
from tests.fixtures.app import FixedClock, create_user, login

pytestmark = pytest.mark.asyncio

ME = "/api/v1/auth/me"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class UserReads:
    """Counts the principal's read (the user joined with their roles) on the app's engine."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, _conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "JOIN user_role" in statement:
            self.count += 1


@pytest.fixture
def user_reads(app: FastAPI) -> Iterator[UserReads]:
    counter = UserReads()
    engine = app.state.hotline.engine.sync_engine
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)


async def test_repeated_requests_with_one_token_read_the_user_once(
    client: httpx.AsyncClient,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    user_reads: UserReads,
) -> None:
    await create_user(app_sessionmaker, "shen.li", Role.SUPERVISOR)
    token = await login(client, "shen.li")
    for _ in range(5):
        assert (await client.get(ME, headers=_bearer(token))).status_code == 200
    assert user_reads.count == 1


async def test_a_logout_refuses_a_cached_token_on_the_next_request(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await create_user(app_sessionmaker, "han.mei", Role.AGENT)
    laptop, phone = await login(client, "han.mei"), await login(client, "han.mei")
    for token in (laptop, phone):  # both now cached
        assert (await client.get(ME, headers=_bearer(token))).status_code == 200
    assert (await client.post("/api/v1/auth/logout", headers=_bearer(laptop))).status_code == 204
    for token in (laptop, phone):
        response = await client.get(ME, headers=_bearer(token))
        assert response.status_code == 401
        assert response.json()["detail"] == "token revoked: sign in again"


async def test_a_role_change_or_deactivation_applies_to_a_cached_token_at_once(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await create_user(app_sessionmaker, "qin.yu", Role.SUPERVISOR)
    token = await login(client, "qin.yu")
    assert (await client.get(ME, headers=_bearer(token))).json()["roles"] == ["supervisor"]
    async with transaction(app_sessionmaker) as session:
        await user_service.update_user(session, user.id, UserUpdate(roles=[Role.AGENT]))
    assert (await client.get(ME, headers=_bearer(token))).status_code == 401
    fresh = await login(client, "qin.yu")
    assert (await client.get(ME, headers=_bearer(fresh))).json()["roles"] == ["agent"]
    async with transaction(app_sessionmaker) as session:
        await user_service.update_user(session, user.id, UserUpdate(is_active=False))
    assert (await client.get(ME, headers=_bearer(fresh))).status_code == 401


async def test_a_bulk_update_through_a_session_applies_at_once(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await create_user(app_sessionmaker, "wei.na", Role.AGENT)
    token = await login(client, "wei.na")
    assert (await client.get(ME, headers=_bearer(token))).status_code == 200
    async with transaction(app_sessionmaker) as session:
        await session.execute(update(User).where(User.id == user.id).values(is_active=False))
    assert (await client.get(ME, headers=_bearer(token))).status_code == 401


async def test_a_deleted_users_cached_token_is_refused(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await create_user(app_sessionmaker, "temp.sup", Role.SUPERVISOR)
    token = await login(client, "temp.sup")
    assert (await client.get(ME, headers=_bearer(token))).status_code == 200
    async with transaction(app_sessionmaker) as session:
        await user_service.delete_user(session, user.id)
    assert (await client.get(ME, headers=_bearer(token))).status_code == 401


async def test_a_change_from_another_process_is_seen_within_the_cache_lifetime(
    client: httpx.AsyncClient,
    app: FastAPI,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
) -> None:
    user = await create_user(app_sessionmaker, "lu.bo", Role.AGENT)
    token = await login(client, "lu.bo")
    assert (await client.get(ME, headers=_bearer(token))).status_code == 200
    # Another process: its own engine, plain SQL, nothing this process's sessions see.
    other = create_engine(app.state.hotline.settings.database_url)
    try:
        async with other.begin() as connection:
            await connection.execute(update(User).where(User.id == user.id).values(is_active=False))
    finally:
        await other.dispose()
    lifetime = app.state.hotline.settings.auth.principal_cache_s
    assert lifetime <= 5  # the promise documented for the setting stays short
    assert (await client.get(ME, headers=_bearer(token))).status_code == 200  # still cached
    clock.advance(seconds=lifetime)
    assert (await client.get(ME, headers=_bearer(token))).status_code == 401


async def test_a_zero_lifetime_reads_the_user_on_every_request(
    client: httpx.AsyncClient,
    app: FastAPI,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    user_reads: UserReads,
) -> None:
    app.state.hotline.settings.auth.principal_cache_s = 0
    await create_user(app_sessionmaker, "zhao.xin", Role.SUPERVISOR)
    token = await login(client, "zhao.xin")
    for _ in range(3):
        assert (await client.get(ME, headers=_bearer(token))).status_code == 200
    assert user_reads.count == 3
