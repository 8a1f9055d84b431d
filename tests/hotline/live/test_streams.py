"""The SSE streams over a real server on loopback: framing, heartbeat, masking, audit, close."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline.api.streams import agent_topic, format_event
from hotline.db.models import AuditLog
from hotline.db.session import transaction
from hotline.deps import AppState
from hotline.roles import Role
from hotline.schemas.directory import AgentCreate
from hotline.services import directory
from tests.fixtures.app import Users, create_user, login
from tests.hotline.live.servers import serve_on_loopback

SSE = {"Accept": "text/event-stream"}
OFFER = {
    "type": "offer",
    "call_id": 41,
    "caller_number": "13905710001",
    "region": "浙江省杭州市",
    "ivr_choices": {"language": "zh", "line": "national_tax"},
    "previous_calls": [],
}


async def _agent_for(maker: async_sessionmaker[AsyncSession], username: str) -> int:
    async with transaction(maker) as session:
        agent = await directory.create_agent(
            session,
            AgentCreate(code="a-" + username, name=username, languages=["zh"], username=username),
        )
        await session.flush()
        return agent.id


async def _frames(response: httpx.Response) -> AsyncIterator[dict[str, str]]:
    """Parse the stream into frames: {"comment": ...} or {"id", "event", "data"}."""
    frame: dict[str, str] = {}
    async for line in response.aiter_lines():
        if line == "":
            if frame:
                yield frame
            frame = {}
        elif line.startswith(":"):
            yield {"comment": line[1:].strip()}
        else:
            field, _, value = line.partition(": ")
            frame[field] = value


async def _next_event(frames: AsyncIterator[dict[str, str]]) -> dict[str, str]:
    async for frame in frames:
        if "comment" not in frame:
            return frame
    raise AssertionError("the stream ended")


async def _wait_until(condition: object, *, timeout: float = 30.0) -> None:
    async def poll() -> None:
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


def test_a_frame_has_an_id_an_event_name_and_one_line_of_json() -> None:
    frame = format_event(3, {"type": "state", "note": "two\nlines"})
    assert frame == b'event: state\ndata: {"type":"state","note":"two\\nlines"}\nid: 3\n\n'


def test_an_event_name_never_breaks_the_frame() -> None:
    frame = format_event(1, {"type": "bad\nname\revent"})
    assert frame.startswith(b"event: bad name event\ndata: ")


@pytest.mark.asyncio
async def test_the_agent_stream_delivers_own_events_with_ids_and_audits_the_screen_pop(
    app: FastAPI, client: httpx.AsyncClient, app_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    state: AppState = app.state.hotline
    await create_user(app_sessionmaker, "li.na", Role.AGENT)
    agent_id = await _agent_for(app_sessionmaker, "li.na")
    token = await login(client, "li.na")
    topic = agent_topic(agent_id)
    async with serve_on_loopback(app) as base, httpx.AsyncClient(base_url=base) as http:
        headers = {**SSE, "Authorization": f"Bearer {token}"}
        async with http.stream("GET", "/api/v1/agent/events", headers=headers) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            frames = _frames(response)
            assert await anext(frames) == {"comment": "connected"}
            await _wait_until(lambda: state.bus.subscriber_count(topic) == 1)
            state.bus.publish(agent_topic(agent_id + 1), {"type": "offer", "call_id": 1})
            state.bus.publish(topic, OFFER)
            state.bus.publish(topic, {"type": "state", "status": "talking"})
            first, second = await _next_event(frames), await _next_event(frames)
        assert (first["id"], first["event"]) == ("1", "offer")
        assert '"caller_number":"13905710001"' in first["data"]  # the handling agent sees it
        assert (second["id"], second["event"]) == ("2", "state")
        # The client went away: the server notices and drops the subscription.
        await _wait_until(lambda: state.bus.subscriber_count(topic) == 0)
    async with app_sessionmaker() as session:
        reads = (
            await session.scalars(select(AuditLog).where(AuditLog.action == "personal_data_read"))
        ).all()
    assert [(r.actor_username, r.subject_type, r.subject_id) for r in reads] == [
        ("li.na", "call", "41")
    ]


@pytest.mark.asyncio
async def test_the_wallboard_masks_numbers_and_sends_heartbeats(app: FastAPI, users: Users) -> None:
    state: AppState = app.state.hotline
    state.extras["sse_heartbeat_s"] = 0.05
    async with serve_on_loopback(app) as base, httpx.AsyncClient(base_url=base) as http:
        headers = {**SSE, **users.headers(Role.DIRECTOR)}
        async with http.stream("GET", "/api/v1/wallboard/events", headers=headers) as response:
            assert response.status_code == 200
            frames = _frames(response)
            assert await anext(frames) == {"comment": "connected"}
            assert await anext(frames) == {"comment": "heartbeat"}
            state.bus.publish("wallboard", {**OFFER, "type": "call_queued"})
            event = await _next_event(frames)
        assert event["event"] == "call_queued"
        assert '"caller_number":"139****0001"' in event["data"]
        await _wait_until(lambda: state.bus.subscriber_count("wallboard") == 0)


@pytest.mark.asyncio
async def test_a_wallboard_that_reconnects_gets_what_it_missed(app: FastAPI, users: Users) -> None:
    """Ids are ``<epoch>.<seq>``; ``Last-Event-ID`` (or ``?last_event_id=``) replays the rest."""
    state: AppState = app.state.hotline
    headers = {**SSE, **users.headers(Role.SUPERVISOR)}
    async with serve_on_loopback(app) as base, httpx.AsyncClient(base_url=base) as http:
        async with http.stream("GET", "/api/v1/wallboard/events", headers=headers) as response:
            frames = _frames(response)
            assert await anext(frames) == {"comment": "connected"}
            state.bus.publish("wallboard", {"type": "state", "agent_id": 7, "status": "idle"})
            seen = await _next_event(frames)
        epoch, _, seq = seen["id"].partition(".")
        assert (epoch, seq) == (state.bus.epoch, "1")
        # While the wallboard is away, two changes happen.
        state.bus.publish("wallboard", {"type": "state", "agent_id": 7, "status": "on_call"})
        state.bus.publish("wallboard", {"type": "queues", "queues": []})
        resume = {**headers, "Last-Event-ID": seen["id"]}
        async with http.stream("GET", "/api/v1/wallboard/events", headers=resume) as response:
            frames = _frames(response)
            replayed = [await _next_event(frames), await _next_event(frames)]
        assert [(f["id"], f["event"]) for f in replayed] == [
            (f"{epoch}.2", "state"),
            (f"{epoch}.3", "queues"),
        ]
        # A position from another process (the service restarted): reset, the page reloads.
        url = "/api/v1/wallboard/events?last_event_id=0ld3p0ch.12"
        async with http.stream("GET", url, headers=headers) as response:
            reset = await _next_event(_frames(response))
        assert reset["event"] == "reset"
        assert '"reason":"unknown_position"' in reset["data"]


REFUSALS = [
    ("/api/v1/wallboard/events", Role.AGENT, SSE, 403, "forbidden"),
    ("/api/v1/wallboard/events", Role.OPS, SSE, 403, "forbidden"),
    ("/api/v1/wallboard/events", Role.ADMIN, SSE, 403, "forbidden"),
    ("/api/v1/wallboard/events", Role.SUPERVISOR, {}, 406, "not_acceptable"),
    ("/api/v1/agent/events", Role.SUPERVISOR, SSE, 403, "forbidden"),
    ("/api/v1/agent/events", Role.AGENT, {}, 406, "not_acceptable"),
    ("/api/v1/agent/events", Role.AGENT, SSE, 404, "not_found"),  # no agent for this user
]


@pytest.mark.asyncio
async def test_streams_refuse_with_a_reason(client: httpx.AsyncClient, users: Users) -> None:
    for path, role, accept, status, error in REFUSALS:
        response = await client.get(path, headers={**accept, **users.headers(role)})
        assert (response.status_code, response.json()["error"]) == (status, error), (path, role)
        assert (await client.get(path, headers=SSE)).status_code == 401
