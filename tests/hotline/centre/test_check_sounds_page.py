"""/admin/config's "check sounds": the chosen site's Asterisk (the emulator, real HTTP) asked for
every sound the edited document plays; missing ones listed per language, or all present."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.emulator import LabConfig, run_emulator
from hotline.db.models import Site
from hotline.db.session import transaction
from hotline.roles import Role
from tests.fixtures.app import create_user

from .helpers import EXAMPLE, staff_every_line
from .test_pages import _sign_in

pytestmark = pytest.mark.asyncio


async def test_check_sounds_lists_what_the_site_lacks_then_passes(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await staff_every_line(app_sessionmaker)
    await create_user(app_sessionmaker, "li.ops", Role.OPS)
    form = {"source": EXAMPLE.read_text(encoding="utf-8"), "action": "sounds", "site": "wz"}
    async with run_emulator(
        port=0, config=LabConfig(absent_sounds=("ko/hotline/goodbye",))
    ) as running:
        async with transaction(app_sessionmaker) as session:
            session.add(
                Site(
                    code="wz",
                    name="Wenzhou",
                    ari_url=running.base_url,
                    ari_username="hotline",
                    ari_password="secret",
                )
            )
        headers = await _sign_in(client, "li.ops")
        page = await client.get("/admin/config")
        missing = await client.post("/admin/config/submit", data=form, headers=headers)
        unknown = await client.post(
            "/admin/config/submit", data={**form, "site": "gz"}, headers=headers
        )
    silent = await client.post("/admin/config/submit", data=form, headers=headers)
    assert 'id="config-sounds"' in page.text
    assert '<option value="wz">' in page.text
    assert missing.status_code == 200, missing.text
    assert 'id="config-sounds-missing"' in missing.text
    assert "<code>ko</code>: <code>hotline/goodbye</code> (prompts.goodbye)" in missing.text
    assert missing.text.count("<li>") == 1
    assert unknown.status_code == 422
    assert 'id="config-message"' in unknown.text
    assert silent.status_code == 503
    async with run_emulator(port=0, config=LabConfig()) as complete:
        async with transaction(app_sessionmaker) as session:
            site = await session.get(Site, (await _site_id(session)))
            assert site is not None
            site.ari_url = complete.base_url
        passed = await client.post("/admin/config/submit", data=form, headers=headers)
    assert 'id="config-sounds-complete"' in passed.text


async def _site_id(session: AsyncSession) -> int:
    from sqlalchemy import select

    found = await session.scalar(select(Site.id).where(Site.code == "wz"))
    assert found is not None
    return found
