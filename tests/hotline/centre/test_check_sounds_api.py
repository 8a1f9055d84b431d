"""POST /api/v1/config/check-sounds: the emulator (real HTTP) asked for every sound a document or
the version in force plays; missing ones named per language; bad input is a 4xx naming the field."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from cti.emulator import LabConfig, run_emulator
from hotline.db.models import Site
from hotline.db.session import transaction
from hotline.roles import Role
from tests.fixtures.app import Users

from .helpers import EXAMPLE, staff_every_line

pytestmark = pytest.mark.asyncio

URL = "/api/v1/config/check-sounds"


async def _add_site(app: FastAPI, ari_url: str) -> None:
    async with transaction(app.state.hotline.sessionmaker) as session:
        session.add(
            Site(
                code="wz",
                name="Wenzhou",
                ari_url=ari_url,
                ari_username="hotline",
                ari_password="secret",
            )
        )


async def test_a_sound_missing_in_one_language_is_named_with_its_paths(
    app: FastAPI, client: httpx.AsyncClient, users: Users
) -> None:
    source = EXAMPLE.read_text(encoding="utf-8")
    config = LabConfig(absent_sounds=("ko/hotline/goodbye",))
    async with run_emulator(port=0, config=config) as running:
        await _add_site(app, running.base_url)
        checked = await client.post(
            URL,
            json={"site": "wz", "source": source, "name": "centre.yaml"},
            headers=users.headers(Role.OPS),
        )
        no_version = await client.post(URL, json={"site": "wz"}, headers=users.headers(Role.OPS))
        unknown = await client.post(
            URL, json={"site": "gz", "source": source}, headers=users.headers(Role.ADMIN)
        )
        agent = await client.post(
            URL, json={"site": "wz", "source": source}, headers=users.headers(Role.AGENT)
        )
    assert checked.status_code == 200, checked.text
    body = checked.json()
    assert (body["site"], body["source"], body["complete"]) == ("wz", "centre.yaml", False)
    by_language = {entry["language"]: entry for entry in body["languages"]}
    assert by_language["ko"]["missing"] == [{"sound": "goodbye", "paths": ["prompts.goodbye"]}]
    assert by_language["zh"]["missing"] == []
    assert by_language["ko"]["present"] == by_language["ko"]["needed"] - 1
    assert no_version.status_code == 422
    assert "no version in force" in no_version.text
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "site"]
    assert "no site 'gz'" in unknown.json()["detail"][0]["msg"]
    assert agent.status_code == 403


async def test_the_version_in_force_on_a_complete_site_and_a_silent_asterisk(
    app: FastAPI, client: httpx.AsyncClient, users: Users
) -> None:
    await staff_every_line(app.state.hotline.sessionmaker)
    published = await client.post(
        "/api/v1/config/versions",
        json={
            "source": EXAMPLE.read_text(encoding="utf-8"),
            "reason": "first",
            "base_version": None,
        },
        headers=users.headers(Role.ADMIN),
    )
    assert published.status_code == 201, published.text
    async with run_emulator(port=0, config=LabConfig()) as running:
        await _add_site(app, running.base_url)
        checked = await client.post(URL, json={"site": "wz"}, headers=users.headers(Role.ADMIN))
    # The emulator has stopped: the same question now gets a 503 naming the site.
    silent = await client.post(URL, json={"site": "wz"}, headers=users.headers(Role.ADMIN))
    assert checked.status_code == 200, checked.text
    assert checked.json()["complete"] is True
    assert checked.json()["source"] == "version 1"
    assert silent.status_code == 503
    assert "wz" in silent.text
