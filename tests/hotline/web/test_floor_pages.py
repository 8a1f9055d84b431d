"""The floor's pages through the app (no browser): who lands where, who may open what, and a
floor without telephony saying so."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.roles import Role
from tests.fixtures.app import create_user
from tests.hotline.web.test_pages import _sign_in

pytestmark = pytest.mark.asyncio


def _boot(page: httpx.Response) -> dict[str, object]:
    found = re.search(r'<script id="floor-boot" type="application/json">(.*?)</script>', page.text)
    assert found is not None
    boot: dict[str, object] = json.loads(found[1])
    return boot


async def test_each_floor_role_lands_on_its_page_and_only_supervisors_get_the_actions(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    for name, role in (("boss", Role.SUPERVISOR), ("chief", Role.DIRECTOR), ("tv", Role.WALLBOARD)):
        await create_user(app_sessionmaker, name, role)
    await _sign_in(client, "boss")
    assert (await client.get("/")).headers["location"] == "/floor"
    floor = await client.get("/floor")
    assert floor.status_code == 200
    assert 'id="confirm"' in floor.text  # the confirmation dialog of the actions
    assert _boot(floor)["canAct"] is True
    # No telephony in this app: the page says so instead of showing an empty floor as live.
    assert _boot(floor)["snapshot"] == {
        "running": False,
        "reason": "not_running",  # no cluster: this one process has no telephony
        "tiles": [],
        "agents": [],
        "position": _boot(floor)["snapshot"]["position"],  # type: ignore[index]
        "monitors": [],  # the running monitors, from the database
    }
    assert "话务服务未在本进程运行" in floor.text

    client.cookies.clear()
    await _sign_in(client, "chief")
    assert (await client.get("/")).headers["location"] == "/reports"  # a director's home: reports
    floor = await client.get("/floor")
    assert floor.status_code == 200
    assert 'id="confirm"' not in floor.text
    assert _boot(floor)["canAct"] is False

    client.cookies.clear()
    await _sign_in(client, "tv")
    assert (await client.get("/")).headers["location"] == "/floor/hall"
    hall = await client.get("/floor/hall")
    assert hall.status_code == 200
    assert "<button" not in hall.text  # no controls on the TV
    assert (await client.get("/floor")).headers["location"] == "/home"
    snapshot = await client.get("/floor/snapshot")
    assert snapshot.json()["running"] is False


async def test_other_roles_are_sent_home_and_refused_the_snapshot(
    client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await create_user(app_sessionmaker, "li.na", Role.AGENT)
    await _sign_in(client, "li.na")
    for path in ("/floor", "/floor/hall"):
        assert (await client.get(path)).headers["location"] == "/home"
    refused = await client.get("/floor/snapshot")
    assert (refused.status_code, refused.json()["error"]) == (403, "forbidden")
    client.cookies.clear()
    anonymous = await client.get("/floor/hall")
    assert anonymous.headers["location"] == "/login?next=/floor/hall"
