"""A standby shows the leader's live state, and a takeover keeps recording the calls in talk
(issue 18).

With two instances behind a load balancer, a supervisor's floor and call pages, the roster and
queue figures, a recording's audio: whichever instance answers, they are the leader's (the
standby forwards them over real HTTP). When no instance leads, the pages say so in words. When
the leader is killed during a talk, the new leader records the call to its end: it keeps the old
leader's recording when Asterisk still runs it, and records the rest as the next segment when
it does not; the call lists every segment.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from cti.emulator import AgentScript, LabConfig, run_emulator
from hotline.auth.principal import SESSION_COOKIE
from hotline.cluster.leadership import leader_only
from hotline.config import ClusterSettings, Settings
from hotline.db.models import Call, Site
from hotline.db.session import transaction
from hotline.demo.runner import import_centre
from hotline.main import create_app
from hotline.roles import Role
from hotline.web.i18n import LANG_COOKIE
from tests.fixtures.app import create_user, login
from tests.hotline.cluster.instances import (
    AGENTS,
    agents_ready,
    centre,
    instance,
    taxpayer,
    token,
    wait_for_leader,
)
from tests.hotline.cluster.test_forwarding import _held_elsewhere
from tests.hotline.live.test_demo_flow import ARI_PASSWORD
from tests.ports import refusing_port

pytestmark = pytest.mark.postgres

T = TypeVar("T")
RECORD_ALL = {"HOTLINE_RECORDING__MODE": "all"}


async def _until(
    read: Callable[[], Awaitable[T]], ok: Callable[[T], bool], what: str, timeout_s: float = 30
) -> T:
    deadline = time.monotonic() + timeout_s
    while True:
        value = await read()
        if ok(value):
            return value
        assert time.monotonic() < deadline, f"{what}: last seen {value!r}"
        await asyncio.sleep(0.1)


def _notice(page: httpx.Response) -> str:
    """The text of the floor's notice when it has no live data."""
    found = re.search(r'id="telephony-off"[^>]*>([^<]*)</div>', page.text)
    assert found is not None, page.text
    return found[1]


def _skip_on_sqlite(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("a cluster needs PostgreSQL: on SQLite the one instance always leads")


@contextlib.asynccontextmanager
async def _standby(database_url: str) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    settings = Settings(
        database_url=database_url,
        cluster=ClusterSettings(instance_id="node-b", advertise_url="http://node-b.test"),
    )
    app: FastAPI = create_app(settings, components=[leader_only([])])
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hotline.test") as http:
            yield app, http


async def _live_call(maker: async_sessionmaker[AsyncSession]) -> int:
    async with transaction(maker) as session:
        site = Site(code="hz", name="杭州", ari_url="http://x", ari_username="u", ari_password="p")
        session.add(site)
        await session.flush()
        call = Call(
            site_id=site.id, channel_id="live-1", caller_number="13900000000",
            arrived_at=datetime.now(UTC),
        )  # fmt: skip
        session.add(call)
        await session.flush()
        return call.id


@pytest.mark.asyncio
async def test_with_no_leader_the_pages_say_so_in_words(database_url: str) -> None:
    _skip_on_sqlite(database_url)
    # No leader at all, then a leader whose advertised URL answers nothing (a port held
    # bound and refusing, so nothing else can start listening there meanwhile).
    with refusing_port() as dead_port:
        await _pages_with_no_leader_answering(database_url, dead_port)


async def _pages_with_no_leader_answering(database_url: str, dead_port: int) -> None:
    for leader_url in ("", f"http://127.0.0.1:{dead_port}"):
        async with _held_elsewhere(database_url, leader_url), _standby(database_url) as (app, http):
            maker = app.state.hotline.sessionmaker
            if not leader_url:
                await create_user(maker, "boss", Role.SUPERVISOR)
                call_id = await _live_call(maker)
            bearer = await login(http, "boss")
            assert (await http.get("/readyz")).json()["role"] == "standby"
            http.cookies.set(SESSION_COOKIE, bearer)
            floor = await http.get("/floor")
            snapshot = await http.get("/floor/snapshot")
            call_page = await http.get(f"/calls/{call_id}")
            detail = await http.get(
                f"/api/v1/calls/{call_id}", headers={"Authorization": f"Bearer {bearer}"}
            )
            http.cookies.set(LANG_COOKIE, "en")
            hall = await http.get("/floor/hall")
            roster = await http.get(
                "/api/v1/agents/roster", headers={"Authorization": f"Bearer {bearer}"}
            )
        assert floor.status_code == 200, floor.text
        assert _notice(floor).startswith("当前没有实例在运行话务引擎")
        assert hall.status_code == 200
        assert _notice(hall).startswith("No instance runs the call engine just now")
        assert (snapshot.json()["running"], snapshot.json()["reason"]) == (False, "no_leader")
        # The call page and the call's detail: what the database has, and the page says why.
        assert call_page.status_code == 200
        assert 'id="no-leader"' in call_page.text
        assert "当前没有实例在运行话务引擎" in call_page.text
        assert (detail.status_code, detail.json()["live_phase"]) == (200, None)
        # The API's reads of the live engine answer in the project's error shape.
        assert roster.status_code == 503
        assert roster.json()["error"] == "no_leader"


@pytest.mark.asyncio
async def test_a_standby_shows_the_leaders_floor_and_a_takeover_records_the_talk_to_the_end(
    database_url: str,
) -> None:
    _skip_on_sqlite(database_url)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)}, event_log_size=1_000_000)
    async with contextlib.AsyncExitStack() as stack:
        emulator = await stack.enter_async_context(run_emulator(port=0, speed=20.0, config=lab))
        await import_centre(Settings(database_url=database_url), centre(emulator.base_url))
        for endpoint in AGENTS.values():
            emulator.add_endpoint(endpoint, AgentScript(answer_after_s=2.0, talk_s=100_000.0))
        first = await stack.enter_async_context(instance(database_url, "node-0", RECORD_ALL))
        leader = await wait_for_leader([first])
        standby = await stack.enter_async_context(instance(database_url, "node-1", RECORD_ALL))
        assert await standby.role() == "standby"
        await agents_ready(standby.base_url)
        http = await stack.enter_async_context(
            httpx.AsyncClient(base_url=standby.base_url, timeout=15)
        )
        boss = await token(http, "boss")

        for number in ("13905710001", "13905710002"):
            # Talk until the agent hangs up, whatever the takeover takes.
            emulator.place_call(replace(taxpayer(number), hangup_after_answer_s=100_000.0))

        async def talking() -> list[dict[str, Any]]:
            items = (await http.get("/api/v1/calls", headers=boss)).json()["items"]
            found = [(await http.get(f"/api/v1/calls/{c['id']}", headers=boss)) for c in items]
            return [reply.json() for reply in found]

        calls = await _until(
            talking,
            lambda cs: (
                len(cs) == 2 and all(c["live_phase"] == "talk" and c["recording"] for c in cs)
            ),
            "two calls in talk, recorded, seen through the standby",
        )
        # The standby's floor is the leader's: both agents on their calls.
        roster = (await http.get("/api/v1/agents/roster", headers=boss)).json()["items"]
        assert sorted(a["status"] for a in roster) == ["on_call", "on_call"]
        assert sorted(a["call_id"] for a in roster) == sorted(c["id"] for c in calls)
        tiles = await http.get("/api/v1/queues", headers=boss)
        assert tiles.status_code == 200, tiles.text
        http.cookies.set(SESSION_COOKIE, boss["Authorization"].removeprefix("Bearer "))
        floor = await http.get("/floor")
        assert floor.status_code == 200
        assert '"running": true' in floor.text

        kept, interrupted = sorted(calls, key=lambda c: int(c["id"]))
        leader.kill()
        # Asterisk stops the second call's recording while no instance leads (as a recording
        # does when its file system fills or its bridge is changed): the new leader finds the
        # first still running and keeps it, and records the second's rest as a new segment.
        emulator.core.stop_recording(f"hotline-call-{interrupted['id']}")
        leader = await wait_for_leader([standby])
        standby = await stack.enter_async_context(instance(database_url, "node-2", RECORD_ALL))
        http = await stack.enter_async_context(
            httpx.AsyncClient(base_url=standby.base_url, timeout=15)
        )

        async def journal(call_id: int) -> list[str]:
            body = (await http.get(f"/api/v1/calls/{call_id}", headers=boss)).json()
            return [entry["kind"] for entry in body.get("timeline", [])]

        await _until(
            lambda: journal(kept["id"]), lambda k: "recording_adopted" in k, "kept recording"
        )
        await _until(
            lambda: journal(interrupted["id"]),
            lambda k: "recording_started" in k and k.count("recording_started") == 2,
            "second segment",
        )
        live = set(emulator.core.live_recordings)
        assert f"hotline-call-{kept['id']}" in live
        assert f"hotline-call-{interrupted['id']}-2" in live

        # The agents hang up (through the new standby, forwarded): each recording stops.
        for username in AGENTS:
            agent = await token(http, username)
            desk = (await http.get("/api/v1/agent/desk", headers=agent)).json()
            call_id = desk["call"]["call_id"]
            hangup = await http.post(f"/api/v1/calls/{call_id}/hangup", headers=agent)
            assert hangup.status_code == 202, hangup.text

        async def ended() -> list[dict[str, Any]]:
            return [
                (await http.get(f"/api/v1/calls/{c['id']}", headers=boss)).json()
                for c in (kept, interrupted)
            ]

        done = await _until(
            ended,
            lambda cs: all(c["recording"]["duration_s"] is not None for c in cs),
            "recordings stopped at the end of talk",
        )
        second = await http.get(
            f"/api/v1/calls/{interrupted['id']}/recording", params={"segment": 2}, headers=boss
        )
        missing = await http.get(
            f"/api/v1/calls/{kept['id']}/recording", params={"segment": 2}, headers=boss
        )
        http.cookies.set(SESSION_COOKIE, boss["Authorization"].removeprefix("Bearer "))
        page = await http.get(f"/calls/{interrupted['id']}")
        stored = set(emulator.core.stored_recordings)
        still_live = set(emulator.core.live_recordings)

    kept_done, interrupted_done = done
    assert [s["segment"] for s in kept_done["recording"]["segments"]] == [1]
    assert [s["segment"] for s in interrupted_done["recording"]["segments"]] == [1, 2]
    assert interrupted_done["recording"]["segments"][1]["url"].endswith("?segment=2")
    assert {
        f"hotline-call-{kept['id']}",
        f"hotline-call-{interrupted['id']}",
        f"hotline-call-{interrupted['id']}-2",
    } <= stored
    assert still_live == set()
    assert (second.status_code, second.headers["content-type"]) == (200, "audio/wav")
    assert missing.status_code == 404
    assert "no segment 2" in missing.json()["detail"]
    assert page.status_code == 200
    assert 'id="recording-segments"' in page.text
    assert f"/api/v1/calls/{interrupted['id']}/recording?segment=2" in page.text
