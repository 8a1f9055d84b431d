"""Who may play a call's recording: supervisors and directors, and the specialist who handles a
work order raised from that call; not another specialist, an agent or an admin."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.db.models import Site, User, WorkOrderRow
from hotline.db.models.call import Call
from hotline.db.session import transaction
from hotline.roles import Role
from tests.fixtures.app import Users, create_user, login

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


async def _call_with_an_order(maker: async_sessionmaker[AsyncSession], handler: str) -> int:
    async with transaction(maker) as session:
        site = Site(code="hz", name="Hangzhou", ari_url="http://127.0.0.1:1", ari_username="u",
                    ari_password="p")  # fmt: skip
        session.add(site)
        await session.flush()
        call = Call(site_id=site.id, channel_id="c-1", caller_number="13905710001",
                    arrived_at=T0)  # fmt: skip
        session.add(call)
        await session.flush()
        user_id = await session.scalar(select(User.id).where(User.username == handler))
        assert user_id is not None
        session.add(
            WorkOrderRow(
                id=str(uuid.uuid4()), reference="12366-20261207-0001", category="consult",
                priority="normal", status="dispatched", subject="s", created_by=user_id,
                created_at=T0, policy_version=1, call_id=call.id, handler_user_id=user_id,
            )
        )  # fmt: skip
        return call.id


@pytest.mark.asyncio
async def test_only_the_allowed_roles_and_the_orders_specialist_may_play(
    client: httpx.AsyncClient, users: Users, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    for name in ("spec.handler", "spec.other"):
        await create_user(app_sessionmaker, name, Role.SPECIALIST)
    call_id = await _call_with_an_order(app_sessionmaker, "spec.handler")
    url = f"/api/v1/calls/{call_id}/recording"

    async def status(headers: dict[str, str]) -> int:
        return (await client.get(url, headers=headers)).status_code

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    handler = bearer(await login(client, "spec.handler"))
    other = bearer(await login(client, "spec.other"))
    # Allowed ones get past the rule to "not recorded" (404), the others are refused (403).
    assert await status(users.headers(Role.SUPERVISOR)) == 404
    assert await status(users.headers(Role.DIRECTOR)) == 404
    assert await status(handler) == 404
    assert "not recorded" in (await client.get(url, headers=handler)).json()["detail"]
    assert await status(other) == 403
    for role in (Role.AGENT, Role.ADMIN, Role.LIAISON, Role.OPS):
        assert await status(users.headers(role)) == 403, role
