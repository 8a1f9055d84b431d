"""Who may open the callbacks page and what each role may do there (both databases)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.roles import Role
from tests.fixtures.app import FixedClock, create_user
from tests.hotline.telephony.builders import seed_directory
from tests.hotline.test_callbacks_api import _add_callback
from tests.hotline.web.test_pages import _sign_in

pytestmark = pytest.mark.asyncio


@pytest.mark.parametrize(
    ("role", "status", "forms"),
    [
        (Role.SUPERVISOR, 200, 2),
        (Role.ADMIN, 200, 2),
        (Role.DIRECTOR, 200, 0),
        (Role.AGENT, 403, 0),
    ],
)
async def test_readers_see_the_list_and_only_managers_get_the_forms(
    client: httpx.AsyncClient,
    app_sessionmaker: async_sessionmaker[AsyncSession],
    clock: FixedClock,
    role: Role,
    status: int,
    forms: int,
) -> None:
    seeded = await seed_directory(app_sessionmaker)
    await _add_callback(
        app_sessionmaker, seeded, 1, due=clock.now() + timedelta(hours=1), at=clock.now()
    )
    await create_user(app_sessionmaker, "someone", role)
    await _sign_in(client, "someone")
    page = await client.get("/callbacks", params={"state": ["pending", "bogus"], "day": "x"})
    assert page.status_code == status
    if status == 200:
        assert "139****0003" in page.text
        assert (
            page.text.count('class="cb-reschedule"') + page.text.count('class="cb-cancel"') == forms
        )
        assert "日期格式应为 YYYY-MM-DD" in page.text  # the bad day, said in words
    else:
        assert "此页面仅供班长、管理员和主任使用" in page.text
