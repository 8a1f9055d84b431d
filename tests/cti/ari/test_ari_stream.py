"""EventStream against a real websockets server on 127.0.0.1 (no Asterisk needed)."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from cti.ari.backoff import Backoff
from cti.ari.client import EventEndpoint
from cti.ari.models import Event
from cti.ari.stream import EventStream

from .ari_traces import trace_events

AUTH = {"Authorization": "Basic aG90bGluZTpzM2NyZXQ="}
WAIT = 2.0  # safety net only: every wait below ends on an event long before this


def _recorded(trace: str, event_type: str) -> dict[str, Any]:
    return copy.deepcopy(next(e for e in trace_events(trace) if e["type"] == event_type))


def stasis_start(channel_id: str) -> str:
    raw = _recorded("answered_call", "StasisStart")
    raw["channel"]["id"] = channel_id
    return json.dumps(raw)


def dtmf(channel_id: str, digit: str) -> str:
    raw = _recorded("dtmf_ivr", "ChannelDtmfReceived")
    raw["channel"]["id"] = channel_id
    raw["digit"] = digit
    return json.dumps(raw)


class FakeAri:
    """Accepts ARI websocket connections and lets the test drive each one."""

    def __init__(self) -> None:
        self.connections: asyncio.Queue[ServerConnection] = asyncio.Queue()
        self.requests: list[Request] = []
        self.reject_next_with: int | None = None
        self.server: Server | None = None

    def _check(self, connection: ServerConnection, request: Request) -> Response | None:
        self.requests.append(request)
        if self.reject_next_with is not None:
            status, self.reject_next_with = self.reject_next_with, None
            body = json.dumps({"message": "Authentication required"}).encode()
            return Response(status, "Rejected", Headers(), body)
        return None

    async def _handle(self, connection: ServerConnection) -> None:
        await self.connections.put(connection)
        await connection.wait_closed()

    async def start(self) -> None:
        self.server = await serve(self._handle, "127.0.0.1", 0, process_request=self._check)

    @property
    def endpoint(self) -> EventEndpoint:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return EventEndpoint(f"ws://127.0.0.1:{port}/ari/events?app=hotline", AUTH)

    async def next_connection(self) -> ServerConnection:
        return await asyncio.wait_for(self.connections.get(), WAIT)


class Recorder:
    """Handler that records events and wakes waiters as they arrive."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Event]] = []
        self._changed = asyncio.Condition()

    async def __call__(self, site: str, event: Event) -> None:
        async with self._changed:
            self.events.append((site, event))
            self._changed.notify_all()

    async def wait_for_count(self, count: int) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(self.events) >= count), WAIT)


async def no_wait(delay: float) -> None:
    await asyncio.sleep(0)


@pytest_asyncio.fixture
async def fake_ari() -> AsyncIterator[FakeAri]:
    fake = FakeAri()
    await fake.start()
    assert fake.server is not None
    try:
        yield fake
    finally:
        fake.server.close()
        await fake.server.wait_closed()


def make_stream(fake: FakeAri, handler: Any, **options: Any) -> EventStream:
    options.setdefault("sleep", no_wait)
    options.setdefault("random_source", lambda: 0.5)
    return EventStream("bj", fake.endpoint, handler, **options)


@pytest.mark.asyncio
async def test_receives_events_with_header_auth(fake_ari: FakeAri) -> None:
    recorder = Recorder()
    stream = make_stream(fake_ari, recorder)
    stream.start()
    try:
        server_side = await fake_ari.next_connection()
        await asyncio.wait_for(stream.wait_connected(), WAIT)
        await server_side.send(stasis_start("c-1"))
        await recorder.wait_for_count(1)
        site, event = recorder.events[0]
        assert site == "bj"
        assert event.type == "StasisStart"
        request = fake_ari.requests[0]
        assert request.headers["Authorization"] == AUTH["Authorization"]
        assert request.path == "/ari/events?app=hotline"
        assert stream.health.connected
        assert stream.health.since is not None
        assert stream.health.events_received == 1
    finally:
        await stream.close()
    assert not stream.health.connected


@pytest.mark.asyncio
async def test_malformed_unknown_and_failing_events_never_stop_the_stream(
    fake_ari: FakeAri,
) -> None:
    recorder = Recorder()

    async def handler(site: str, event: Event) -> None:
        if getattr(event, "digit", None) == "9":
            raise RuntimeError("handler bug")
        await recorder(site, event)

    stream = make_stream(fake_ari, handler)
    stream.start()
    try:
        server_side = await fake_ari.next_connection()
        for message in [
            "{not json",
            json.dumps({"type": "ChannelQuantumLeap", "application": "hotline"}),
            json.dumps({"type": "StasisStart", "application": "hotline"}),  # fails validation
            dtmf("c-1", "9"),
            dtmf("c-1", "1"),
        ]:
            await server_side.send(message)
        await recorder.wait_for_count(1)
        await asyncio.wait_for(stream.drain(), WAIT)
        assert [event.digit for _, event in recorder.events] == ["1"]  # type: ignore[attr-defined]
        health = stream.health
        assert (health.events_received, health.events_malformed, health.events_unknown) == (5, 2, 1)
        assert health.handler_errors == 1
        assert health.connected
    finally:
        await stream.close()


@pytest.mark.asyncio
async def test_a_router_gets_every_event_inline_in_arrival_order(fake_ari: FakeAri) -> None:
    routed: list[tuple[str, str, str]] = []
    got_all = asyncio.Event()

    def router(site: str, event: Event) -> None:
        digit = event.digit  # type: ignore[attr-defined]
        if digit == "9":
            raise RuntimeError("router bug")
        routed.append((site, event.channel.id, digit))  # type: ignore[attr-defined]
        if len(routed) == 4:
            got_all.set()

    stream = make_stream(fake_ari, None, router=router)
    stream.start()
    try:
        server_side = await fake_ari.next_connection()
        sent = [("a", "1"), ("b", "1"), ("a", "9"), ("a", "2"), ("{bad", ""), ("b", "2")]
        for channel, digit in sent:
            await server_side.send(dtmf(channel, digit) if digit else channel)
        await asyncio.wait_for(got_all.wait(), WAIT)
        # Across channels too: the order is the socket's, the router owns what happens next.
        assert routed == [("bj", "a", "1"), ("bj", "b", "1"), ("bj", "a", "2"), ("bj", "b", "2")]
        health = stream.health
        assert (health.events_received, health.events_malformed, health.handler_errors) == (6, 1, 1)
        assert stream.dispatcher.active_lanes == 0  # no lanes: the router queues the work itself
    finally:
        await stream.close()


def test_a_stream_needs_exactly_one_of_handler_and_router(fake_ari: FakeAri) -> None:
    def router(site: str, event: Event) -> None:
        return None

    with pytest.raises(ValueError, match="either a handler or a router"):
        EventStream("bj", fake_ari.endpoint)
    with pytest.raises(ValueError, match="either a handler or a router"):
        EventStream("bj", fake_ari.endpoint, Recorder(), router=router)


@pytest.mark.asyncio
async def test_reconnects_after_a_drop_and_resyncs_each_time(fake_ari: FakeAri) -> None:
    recorder = Recorder()
    resyncs: list[str] = []
    delays: list[float] = []

    async def resync(site: str) -> None:
        resyncs.append(site)

    async def record_sleep(delay: float) -> None:
        delays.append(delay)
        await asyncio.sleep(0)

    stream = make_stream(
        fake_ari,
        recorder,
        on_connected=resync,
        sleep=record_sleep,
        backoff=Backoff(initial=1.0, maximum=8.0),
    )
    stream.start()
    try:
        first = await fake_ari.next_connection()
        await asyncio.wait_for(stream.wait_connected(), WAIT)
        await first.close()
        second = await fake_ari.next_connection()
        await second.send(stasis_start("c-2"))
        await recorder.wait_for_count(1)
        assert resyncs == ["bj", "bj"]
        assert stream.health.reconnects == 1
        assert stream.health.connected
        assert stream.health.last_error == "closed by Asterisk"
        assert delays == [0.75]  # first attempt after a healthy connection: 1.0 * (0.5 + 0.5/2)
    finally:
        await stream.close()


@pytest.mark.asyncio
async def test_connected_only_after_the_resync_and_events_wait_for_it(fake_ari: FakeAri) -> None:
    recorder = Recorder()
    resync_started = asyncio.Event()
    finish_resync = asyncio.Event()

    async def resync(site: str) -> None:
        resync_started.set()
        await finish_resync.wait()

    stream = make_stream(fake_ari, recorder, on_connected=resync)
    stream.start()
    try:
        server_side = await fake_ari.next_connection()
        await asyncio.wait_for(resync_started.wait(), WAIT)
        await server_side.send(stasis_start("c-3"))
        await asyncio.sleep(0.05)  # give a wrong implementation the chance to misbehave
        assert not stream.connected
        assert recorder.events == []
        finish_resync.set()
        await asyncio.wait_for(stream.wait_connected(), WAIT)
        await recorder.wait_for_count(1)
        assert recorder.events[0][1].type == "StasisStart"
    finally:
        await stream.close()


@pytest.mark.asyncio
async def test_a_failing_resync_means_not_connected_and_a_new_attempt(fake_ari: FakeAri) -> None:
    attempts: list[int] = []

    async def resync(site: str) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("GET /channels failed")

    stream = make_stream(fake_ari, Recorder(), on_connected=resync)
    stream.start()
    try:
        await fake_ari.next_connection()
        await fake_ari.next_connection()
        await asyncio.wait_for(stream.wait_connected(), WAIT)
        assert len(attempts) == 2
        assert stream.health.reconnects == 0  # the first connection never counted as connected
        assert stream.health.last_error == "before resync: ConnectionError: GET /channels failed"
    finally:
        await stream.close()


@pytest.mark.asyncio
async def test_one_slow_channel_does_not_hold_up_another(fake_ari: FakeAri) -> None:
    release_a = asyncio.Event()
    handled: list[tuple[str, str]] = []
    b_done = asyncio.Event()

    async def handler(site: str, event: Event) -> None:
        channel = event.channel.id  # type: ignore[attr-defined]
        digit = event.digit  # type: ignore[attr-defined]
        if (channel, digit) == ("a", "1"):
            await release_a.wait()
        handled.append((channel, digit))
        if (channel, digit) == ("b", "2"):
            b_done.set()

    stream = make_stream(fake_ari, handler)
    stream.start()
    try:
        server_side = await fake_ari.next_connection()
        for channel, digit in [("a", "1"), ("b", "1"), ("a", "2"), ("b", "2"), ("a", "3")]:
            await server_side.send(dtmf(channel, digit))
        await asyncio.wait_for(b_done.wait(), WAIT)
        assert handled == [("b", "1"), ("b", "2")]
        release_a.set()
        await asyncio.sleep(0)
        while len(handled) < 5:
            await asyncio.wait_for(stream.drain(), WAIT)
        assert [item for item in handled if item[0] == "a"] == [("a", "1"), ("a", "2"), ("a", "3")]
    finally:
        await stream.close()


@pytest.mark.asyncio
async def test_application_replaced_leads_to_a_reconnect(fake_ari: FakeAri) -> None:
    replaced = _recorded("ws_reconnect", "ApplicationReplaced")
    recorder = Recorder()
    stream = make_stream(fake_ari, recorder)
    stream.start()
    try:
        first = await fake_ari.next_connection()
        await first.send(json.dumps(replaced))
        second = await fake_ari.next_connection()  # the old socket stays open, we still move on
        await asyncio.wait_for(stream.wait_connected(), WAIT)
        await second.send(stasis_start("c-4"))
        await recorder.wait_for_count(2)
        assert [event.type for _, event in recorder.events] == [
            "ApplicationReplaced",
            "StasisStart",
        ]
        assert stream.health.last_error == "ApplicationReplaced"
    finally:
        await stream.close()


@pytest.mark.asyncio
async def test_a_refused_handshake_is_retried(fake_ari: FakeAri) -> None:
    fake_ari.reject_next_with = 401
    stream = make_stream(fake_ari, Recorder())
    stream.start()
    try:
        await fake_ari.next_connection()
        await asyncio.wait_for(stream.wait_connected(), WAIT)
        assert len(fake_ari.requests) == 2
        assert "401" in (stream.health.last_error or "")
    finally:
        await stream.close()


@pytest.mark.asyncio
async def test_close_is_prompt_while_waiting_to_reconnect(fake_ari: FakeAri) -> None:
    sleeping = asyncio.Event()

    async def long_sleep(delay: float) -> None:
        sleeping.set()
        await asyncio.sleep(3600)

    fake_ari.reject_next_with = 503
    stream = make_stream(fake_ari, Recorder(), sleep=long_sleep)
    stream.start()
    await asyncio.wait_for(sleeping.wait(), WAIT)
    await asyncio.wait_for(stream.close(), WAIT)
    assert not stream.connected


@pytest.mark.asyncio
async def test_close_is_prompt_while_a_handler_is_stuck(fake_ari: FakeAri) -> None:
    stuck = asyncio.Event()

    async def handler(site: str, event: Event) -> None:
        stuck.set()
        await asyncio.Event().wait()

    stream = make_stream(fake_ari, handler)
    stream.start()
    server_side = await fake_ari.next_connection()
    await server_side.send(stasis_start("c-5"))
    await asyncio.wait_for(stuck.wait(), WAIT)
    await asyncio.wait_for(stream.close(), WAIT)
    assert stream.dispatcher.active_lanes == 0


@pytest.mark.asyncio
async def test_the_credentials_are_not_logged_even_at_debug(
    fake_ari: FakeAri, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    stream = make_stream(fake_ari, Recorder())
    stream.start()
    try:
        await fake_ari.next_connection()
        await asyncio.wait_for(stream.wait_connected(), WAIT)
    finally:
        await stream.close()
    # The test server's own logger prints what it received; only our side matters here.
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("cti."))
    assert "Authorization: <redacted>" in ours  # websockets did log the handshake headers...
    assert AUTH["Authorization"].split()[1] not in ours  # ...but not the secret


async def _delays_while_down(stream: EventStream, delays: list[float], count: int) -> None:
    async def until() -> None:
        while len(delays) < count:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(until(), WAIT * 5)


@pytest.mark.asyncio
async def test_a_site_that_worked_is_retried_at_most_two_seconds_apart(fake_ari: FakeAri) -> None:
    """Asterisk restarts under a healthy link: the socket closes, then connects are refused for
    a while. Each retry comes within 2 s (the defaults), however many fail; before the cap the
    delays reached 30 s, and calls went to the dialplan's fallback all that time."""
    delays: list[float] = []

    async def record_sleep(delay: float) -> None:
        delays.append(delay)
        await asyncio.sleep(0)

    stream = make_stream(fake_ari, Recorder(), sleep=record_sleep, random_source=lambda: 0.999)
    stream.start()
    try:
        first = await fake_ari.next_connection()
        await asyncio.wait_for(stream.wait_connected(), WAIT)
        assert fake_ari.server is not None
        fake_ari.server.close()  # stops listening: every later connect is refused
        await first.close()
        await fake_ari.server.wait_closed()
        await _delays_while_down(stream, delays, 10)
        assert not stream.connected
        assert max(delays) <= 2.0
        assert delays[-1] == pytest.approx(2.0, rel=1e-2)  # the cap, not the bottom
    finally:
        await stream.close()


@pytest.mark.asyncio
async def test_a_site_that_never_worked_backs_off_further(fake_ari: FakeAri) -> None:
    delays: list[float] = []

    async def record_sleep(delay: float) -> None:
        delays.append(delay)
        await asyncio.sleep(0)

    assert fake_ari.server is not None
    endpoint = fake_ari.endpoint
    fake_ari.server.close()
    await fake_ari.server.wait_closed()
    stream = EventStream(
        "bj", endpoint, Recorder(), sleep=record_sleep, random_source=lambda: 0.999
    )
    stream.start()
    try:
        await _delays_while_down(stream, delays, 8)
        assert max(delays) > 20.0  # a wrong address is not hammered every two seconds
    finally:
        await stream.close()
