"""The live inbox stream (``GET /api/v1/inbox/events``) over a real server on loopback: new,
returned and urged orders arrive as events whose ids are the inbox rows', and a browser that
reconnects with ``Last-Event-ID`` gets exactly what it missed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from hotline.deps import AppState
from tests.hotline.live.servers import serve_on_loopback
from tests.hotline.workorders.conftest import Centre

SSE = {"Accept": "text/event-stream"}


async def _events(response: httpx.Response) -> AsyncIterator[dict[str, str]]:
    """The stream's events (comments dropped), each as its fields."""
    frame: dict[str, str] = {}
    async for line in response.aiter_lines():
        if line == "":
            if frame:
                yield frame
            frame = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(": ")
            frame[name] = value


async def _next(events: AsyncIterator[dict[str, str]]) -> dict[str, str]:
    return await asyncio.wait_for(anext(events), timeout=10)


@pytest.mark.asyncio
async def test_notices_arrive_live_and_a_reconnect_resumes_after_the_last_id(
    app: FastAPI, centre: Centre
) -> None:
    state: AppState = app.state.hotline
    state.extras["inbox_watch_s"] = 0.05
    state.extras["sse_heartbeat_s"] = 0.2
    async with serve_on_loopback(app) as base, httpx.AsyncClient(base_url=base) as http:
        liaison = {**SSE, **centre.headers("liaison_a")}
        async with http.stream("GET", "/api/v1/inbox/events", headers=liaison) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            events = _events(response)
            order = await centre.dispatched()  # new in the liaison's department
            first = await _next(events)
            assert first["event"] == "notification"
            item = json.loads(first["data"])
            assert (item["kind"], item["order_id"]) == ("dispatch", order["id"])
            assert first["id"] == str(item["id"])

        # Offline: the order is urged (督办) and another one dispatched.
        await centre.act(order["id"], "supervise", "supervisor", reason="the taxpayer called again")
        await centre.dispatched()
        resumed = {**liaison, "Last-Event-ID": first["id"]}
        async with http.stream("GET", "/api/v1/inbox/events", headers=resumed) as response:
            events = _events(response)
            missed = [json.loads((await _next(events))["data"]) for _ in range(2)]
        assert [entry["kind"] for entry in missed] == ["supervise", "dispatch"]
        assert missed[0]["order_id"] == order["id"]

        # The dispatcher hears of a returned order; nobody hears another person's notices.
        supervisor = {**SSE, **centre.headers("supervisor")}
        async with http.stream("GET", "/api/v1/inbox/events", headers=supervisor) as response:
            events = _events(response)
            await centre.act(order["id"], "return", "specialist_a", reason="not ours")
            returned = json.loads((await _next(events))["data"])
        assert (returned["kind"], returned["order_id"]) == ("return", order["id"])


@pytest.mark.asyncio
async def test_the_stream_refuses_a_plain_get(centre: Centre) -> None:
    response = await centre.client.get("/api/v1/inbox/events", headers=centre.headers("agent"))
    assert response.status_code == 406
    assert "text/event-stream" in response.json()["detail"]


@pytest.mark.asyncio
async def test_an_action_in_this_process_wakes_the_stream_without_waiting_for_the_poll(
    app: FastAPI, centre: Centre
) -> None:
    state: AppState = app.state.hotline
    state.extras["inbox_watch_s"] = 600.0  # the poll alone would take ten minutes
    state.extras["sse_heartbeat_s"] = 600.0
    async with serve_on_loopback(app) as base, httpx.AsyncClient(base_url=base) as http:
        liaison = {**SSE, **centre.headers("liaison_a")}
        async with http.stream("GET", "/api/v1/inbox/events", headers=liaison) as response:
            events = _events(response)
            await asyncio.sleep(0.2)  # the watcher's first read is done: it now sleeps
            order = await centre.dispatched()
            item = json.loads((await _next(events))["data"])
    assert (item["kind"], item["order_id"]) == ("dispatch", order["id"])
