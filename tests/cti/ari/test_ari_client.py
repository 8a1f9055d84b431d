"""AriClient through httpx.MockTransport: requests on the wire, parsing, errors, retries."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from cti.ari import models
from cti.ari.client import AriClient, new_id
from cti.errors import (
    AriAuthError,
    AriBadRequestError,
    AriConflictError,
    AriHttpError,
    AriNotFoundError,
    AriResponseError,
    AriServerError,
    AriUnavailableError,
)
from tests.waiting import WAIT_S

from .ari_traces import load_trace, rest_responses

PASSWORD = "s3cret-pa55"
BASIC = "Basic " + base64.b64encode(f"hotline:{PASSWORD}".encode()).decode()


def _trace_body(trace: str, method: str, path: str) -> Any:
    return next(
        line["body"]
        for line in rest_responses(trace)
        if line["method"] == method and line["path"] == path and line["status"] < 300
    )


class Recorder:
    """A MockTransport handler that records requests and answers from a fixed script."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.requests: list[httpx.Request] = []
        self._answers = list(answers)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self._answers.pop(0) if len(self._answers) > 1 else self._answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


def _client(recorder: Recorder, base_url: str = "http://pbx.test:8088") -> AriClient:
    return AriClient(
        base_url, "hotline", PASSWORD, "hotline", transport=httpx.MockTransport(recorder)
    )


def _query(request: httpx.Request) -> dict[str, str]:
    return dict(request.url.params)


def _assert_safe(request: httpx.Request) -> None:
    assert request.headers["Authorization"] == BASIC
    assert PASSWORD not in str(request.url)
    assert "api_key" not in request.url.params


@pytest.mark.asyncio
async def test_originate_sends_ids_endpoint_app_and_variables() -> None:
    channel = _trace_body("answered_call", "POST", "/ari/channels")
    recorder = Recorder(httpx.Response(200, json=channel))
    async with _client(recorder) as client:
        result = await client.originate(
            "Local/1001@agents",
            channel_id="agent-1",
            other_channel_id="agent-1-2",
            app="hotline",
            app_args=["agent", "1001", "caller-7"],
            caller_id='"12366" <12366>',
            timeout=20,
            variables={"CALL_ID": "c-7"},
        )
    request = recorder.last
    _assert_safe(request)
    assert (request.method, request.url.path) == ("POST", "/ari/channels")
    assert _query(request) == {
        "endpoint": "Local/1001@agents",
        "channelId": "agent-1",
        "otherChannelId": "agent-1-2",
        "app": "hotline",
        "appArgs": "agent,1001,caller-7",
        "callerId": '"12366" <12366>',
        "timeout": "20",
    }
    assert json.loads(request.content) == {"variables": {"CALL_ID": "c-7"}}
    assert isinstance(result, models.Channel)
    assert result.id == channel["id"]


Call = Callable[[AriClient], Awaitable[object]]


@pytest.mark.parametrize(
    ("call", "method", "path", "query"),
    [
        (lambda c: c.answer("ch.1"), "POST", "/ari/channels/ch.1/answer", {}),
        (lambda c: c.ring("ch.1"), "POST", "/ari/channels/ch.1/ring", {}),
        (lambda c: c.ring_stop("ch.1"), "DELETE", "/ari/channels/ch.1/ring", {}),
        (lambda c: c.hangup("ch.1"), "DELETE", "/ari/channels/ch.1", {}),
        (
            lambda c: c.hangup("ch.1", reason_code=17),
            "DELETE",
            "/ari/channels/ch.1",
            {"reason_code": "17"},
        ),
        (
            lambda c: c.hangup("ch.1", reason="busy"),
            "DELETE",
            "/ari/channels/ch.1",
            {"reason": "busy"},
        ),
        (
            lambda c: c.dial("ch.1", caller="ch.0", timeout=15),
            "POST",
            "/ari/channels/ch.1/dial",
            {"caller": "ch.0", "timeout": "15"},
        ),
        (
            lambda c: c.start_channel_moh("ch.1", "default"),
            "POST",
            "/ari/channels/ch.1/moh",
            {"mohClass": "default"},
        ),
        (lambda c: c.stop_channel_moh("ch.1"), "DELETE", "/ari/channels/ch.1/moh", {}),
        (lambda c: c.hold("ch.1"), "POST", "/ari/channels/ch.1/hold", {}),
        (lambda c: c.unhold("ch.1"), "DELETE", "/ari/channels/ch.1/hold", {}),
        (lambda c: c.mute("ch.1", "in"), "POST", "/ari/channels/ch.1/mute", {"direction": "in"}),
        (lambda c: c.unmute("ch.1"), "DELETE", "/ari/channels/ch.1/mute", {"direction": "both"}),
        (
            lambda c: c.send_dtmf("ch.1", "*2", duration=100),
            "POST",
            "/ari/channels/ch.1/dtmf",
            {"dtmf": "*2", "duration": "100"},
        ),
        (
            lambda c: c.set_channel_variable("ch.1", "QUEUE", "vat"),
            "POST",
            "/ari/channels/ch.1/variable",
            {"variable": "QUEUE", "value": "vat"},
        ),
        (
            lambda c: c.continue_in_dialplan("ch.1", context="after-stasis", extension="s"),
            "POST",
            "/ari/channels/ch.1/continue",
            {"context": "after-stasis", "extension": "s"},
        ),
        (
            lambda c: c.move("ch.1", "survey", app_args=["csat", "c-7"]),
            "POST",
            "/ari/channels/ch.1/move",
            {"app": "survey", "appArgs": "csat,c-7"},
        ),
        (
            lambda c: c.redirect("ch.1", "PJSIP/2001"),
            "POST",
            "/ari/channels/ch.1/redirect",
            {"endpoint": "PJSIP/2001"},
        ),
        (lambda c: c.destroy_bridge("b-1"), "DELETE", "/ari/bridges/b-1", {}),
        (
            lambda c: c.add_channel("b-1", ["ch.1", "ch.2"], role="participant"),
            "POST",
            "/ari/bridges/b-1/addChannel",
            {"channel": "ch.1,ch.2", "role": "participant"},
        ),
        (
            lambda c: c.add_channel("b-1", "ch.1", absorb_dtmf=False, mute=True),
            "POST",
            "/ari/bridges/b-1/addChannel",
            {"channel": "ch.1", "absorbDTMF": "false", "mute": "true"},
        ),
        (
            lambda c: c.remove_channel("b-1", "ch.1"),
            "POST",
            "/ari/bridges/b-1/removeChannel",
            {"channel": "ch.1"},
        ),
        (lambda c: c.start_bridge_moh("b-1"), "POST", "/ari/bridges/b-1/moh", {}),
        (lambda c: c.stop_bridge_moh("b-1"), "DELETE", "/ari/bridges/b-1/moh", {}),
        (lambda c: c.stop_playback("p-1"), "DELETE", "/ari/playbacks/p-1", {}),
        (
            lambda c: c.control_playback("p-1", "pause"),
            "POST",
            "/ari/playbacks/p-1/control",
            {"operation": "pause"},
        ),
        (lambda c: c.stop_recording("rec-1"), "POST", "/ari/recordings/live/rec-1/stop", {}),
        (
            lambda c: c.set_device_state("Stasis:agent1001", "INUSE"),
            "PUT",
            "/ari/deviceStates/Stasis:agent1001",
            {"deviceState": "INUSE"},
        ),
        (
            lambda c: c.delete_device_state("Stasis:agent1001"),
            "DELETE",
            "/ari/deviceStates/Stasis:agent1001",
            {},
        ),
    ],
)
@pytest.mark.asyncio
async def test_void_operations_hit_the_right_route(
    call: Call, method: str, path: str, query: dict[str, str]
) -> None:
    recorder = Recorder(httpx.Response(204))
    async with _client(recorder) as client:
        assert await call(client) is None
    request = recorder.last
    _assert_safe(request)
    assert (request.method, request.url.path, _query(request)) == (method, path, query)
    assert request.content == b""


@pytest.mark.parametrize(
    ("call", "method", "path", "query", "trace", "model"),
    [
        (
            lambda c: c.play_on_channel(
                "hotline-lab-1795325526.1", "sound:hello-world", playback_id="welcome-1"
            ),
            "POST",
            "/ari/channels/hotline-lab-1795325526.1/play",
            {"media": "sound:hello-world", "playbackId": "welcome-1"},
            "answered_call",
            models.Playback,
        ),
        (
            lambda c: c.create_bridge("holding", bridge_id="queue-vat", name="queue-vat"),
            "POST",
            "/ari/bridges",
            {"type": "holding", "bridgeId": "queue-vat", "name": "queue-vat"},
            "queued_then_answered",
            models.Bridge,
        ),
        (
            lambda c: c.get_info(),
            "GET",
            "/ari/asterisk/info",
            {},
            "rest_queries",
            models.AsteriskInfo,
        ),
        (
            lambda c: c.ping(),
            "GET",
            "/ari/asterisk/ping",
            {},
            "rest_queries",
            models.AsteriskPing,
        ),
        (
            lambda c: c.get_application(),
            "GET",
            "/ari/applications/hotline",
            {},
            "rest_queries",
            models.Application,
        ),
        (
            lambda c: c.subscribe("deviceState:Stasis:agent1001"),
            "POST",
            "/ari/applications/hotline/subscription",
            {"eventSource": "deviceState:Stasis:agent1001"},
            "device_states",
            models.Application,
        ),
    ],
)
@pytest.mark.asyncio
async def test_model_operations_parse_real_answers(
    call: Call,
    method: str,
    path: str,
    query: dict[str, str],
    trace: str,
    model: type[models.AriModel],
) -> None:
    body = _trace_body(trace, method, path)
    recorder = Recorder(httpx.Response(200, json=body))
    async with _client(recorder) as client:
        result = await call(client)
    request = recorder.last
    _assert_safe(request)
    assert (request.method, request.url.path) == (method, path)
    assert _query(request) == query
    assert isinstance(result, model)


@pytest.mark.asyncio
async def test_lists_parse_into_models() -> None:
    body = _trace_body("rest_queries", "GET", "/ari/channels")
    recorder = Recorder(httpx.Response(200, json=body))
    async with _client(recorder) as client:
        channels = await client.list_channels()
    assert [channel.id for channel in channels] == [item["id"] for item in body]
    assert all(isinstance(channel, models.Channel) for channel in channels)


@pytest.mark.asyncio
async def test_opaque_ids_are_escaped_in_paths() -> None:
    recorder = Recorder(httpx.Response(404, json={"message": "Resource not found"}))
    async with _client(recorder) as client:
        with pytest.raises(AriNotFoundError):
            await client.get_device_state("Local/1001@agents")
    assert recorder.last.url.raw_path == b"/ari/deviceStates/Local%2F1001@agents"


@pytest.mark.asyncio
async def test_base_url_may_end_with_ari() -> None:
    recorder = Recorder(httpx.Response(204))
    async with _client(recorder, "https://pbx.test:8089/ari/") as client:
        await client.answer("c")
    assert str(recorder.last.url) == "https://pbx.test:8089/ari/channels/c/answer"


def test_credentials_in_the_base_url_are_refused() -> None:
    with pytest.raises(ValueError, match="never in the base URL"):
        AriClient("http://hotline:pw@pbx.test:8088", "hotline", "pw", "hotline")


@pytest.mark.asyncio
async def test_hangup_takes_one_kind_of_reason() -> None:
    recorder = Recorder(httpx.Response(204))
    async with _client(recorder) as client:
        with pytest.raises(ValueError, match="not both"):
            await client.hangup("c", reason_code=16, reason="normal")
    assert recorder.requests == []


def _trace_errors() -> list[dict[str, Any]]:
    seen: dict[tuple[int, str], dict[str, Any]] = {}
    for trace in ("rest_queries", "agent_busy_reject", "device_states"):
        for line in load_trace(trace):
            if line["dir"] == "response" and line.get("status", 0) >= 400:
                body = line["body"]
                seen.setdefault((line["status"], json.dumps(body)), line)
    return list(seen.values())


EXPECTED_CLASS = {
    400: AriBadRequestError,
    401: AriAuthError,
    403: AriAuthError,
    404: AriNotFoundError,
    409: AriConflictError,
    422: AriBadRequestError,
    500: AriServerError,
}


@pytest.mark.parametrize(
    "line", _trace_errors(), ids=lambda line: f"{line['status']}-{line['path']}"
)
@pytest.mark.asyncio
async def test_real_error_bodies_map_to_typed_errors(line: dict[str, Any]) -> None:
    body = line["body"]
    if isinstance(body, str):
        answer = httpx.Response(line["status"], text=body, headers={"content-type": "text/html"})
        expected_message = "HTTP request is missing param: [app]"
    else:
        answer = httpx.Response(line["status"], json=body)
        expected_message = body.get("message", body.get("error"))
    recorder = Recorder(answer)
    async with _client(recorder) as client:
        with pytest.raises(AriHttpError) as caught:
            await client.get_channel("some-id")
    error = caught.value
    assert type(error) is EXPECTED_CLASS[line["status"]]
    assert (error.status, error.message) == (line["status"], expected_message)
    assert (error.method, error.path) == ("GET", "/ari/channels/some-id")
    assert PASSWORD not in str(error)


def test_the_traces_cover_every_error_family() -> None:
    assert {line["status"] for line in _trace_errors()} >= set(EXPECTED_CLASS)
    assert any(line["body"] == {"error": "Allocation failed"} for line in _trace_errors())


@pytest.mark.asyncio
async def test_unlisted_status_is_a_plain_http_error() -> None:
    recorder = Recorder(httpx.Response(418, text="teapot"))
    async with _client(recorder) as client:
        with pytest.raises(AriHttpError) as caught:
            await client.ping()
    assert type(caught.value) is AriHttpError
    assert caught.value.message == "teapot"


@pytest.mark.asyncio
async def test_a_post_is_never_retried_on_a_connection_error() -> None:
    recorder = Recorder(httpx.ConnectError("connection refused"), httpx.Response(200, json={}))
    async with _client(recorder) as client:
        with pytest.raises(AriUnavailableError):
            await client.create_bridge(bridge_id="b-1")
    assert len(recorder.requests) == 1


@pytest.mark.asyncio
async def test_a_get_is_retried_once_on_a_connection_error() -> None:
    body = _trace_body("rest_queries", "GET", "/ari/asterisk/ping")
    recorder = Recorder(httpx.ConnectError("reset"), httpx.Response(200, json=body))
    async with _client(recorder) as client:
        pong = await client.ping()
    assert pong.ping == body["ping"]
    assert len(recorder.requests) == 2


@pytest.mark.asyncio
async def test_a_get_gives_up_after_the_second_connection_error() -> None:
    recorder = Recorder(httpx.ConnectError("refused"))
    async with _client(recorder) as client:
        with pytest.raises(AriUnavailableError, match="GET /ari/asterisk/ping"):
            await client.ping()
    assert len(recorder.requests) == 2


@pytest.mark.asyncio
async def test_timeouts_are_unavailable_and_not_retried() -> None:
    recorder = Recorder(httpx.ReadTimeout("slow"))
    async with _client(recorder) as client:
        with pytest.raises(AriUnavailableError, match="timed out"):
            await client.list_bridges()
    assert len(recorder.requests) == 1


@pytest.mark.asyncio
async def test_a_success_with_a_foreign_body_is_a_response_error() -> None:
    async with _client(Recorder(httpx.Response(200, json={"unexpected": True}))) as client:
        with pytest.raises(AriResponseError, match="not a Bridge"):
            await client.get_bridge("b-1")
    async with _client(Recorder(httpx.Response(200, text="<html>"))) as client:
        with pytest.raises(AriResponseError, match="not JSON"):
            await client.get_bridge("b-1")


@pytest.mark.asyncio
async def test_the_password_never_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    recorder = Recorder(httpx.ConnectError("refused"))
    async with _client(recorder) as client:
        with pytest.raises(AriUnavailableError):
            await client.ping()
        endpoint = client.event_endpoint()
        logging.getLogger("test").info("%r %r %r", client, endpoint, endpoint.url)
    assert PASSWORD not in caplog.text
    assert BASIC.split()[1] not in caplog.text


def test_event_endpoint_authenticates_by_header() -> None:
    client = _client(Recorder(httpx.Response(204)), "https://pbx.test:8089")
    endpoint = client.event_endpoint(subscribe_all=True)
    assert endpoint.url == "wss://pbx.test:8089/ari/events?app=hotline&subscribeAll=true"
    assert endpoint.headers == {"Authorization": BASIC}
    assert PASSWORD not in repr(endpoint)
    assert BASIC not in repr(endpoint)
    plain = _client(Recorder(httpx.Response(204))).event_endpoint()
    assert plain.url == "ws://pbx.test:8088/ari/events?app=hotline"


def test_new_id_is_unique_and_keeps_the_prefix() -> None:
    ids = {new_id("agent") for _ in range(100)}
    assert len(ids) == 100
    assert all(item.startswith("agent-") for item in ids)
    with pytest.raises(ValueError, match="URL-safe"):
        new_id("bad/prefix")


@pytest.mark.asyncio
async def test_http_requests_beyond_the_pool_wait_their_turn_before_being_sent() -> None:
    in_flight: list[str] = []
    most = 0
    release = asyncio.Event()

    async def slow_pbx(request: httpx.Request) -> httpx.Response:
        nonlocal most
        in_flight.append(request.url.path)
        most = max(most, len(in_flight))
        await release.wait()
        in_flight.remove(request.url.path)
        return httpx.Response(204)

    sent: list[str] = []
    client = AriClient(
        "http://pbx.test:8088",
        "hotline",
        PASSWORD,
        "hotline",
        transport=httpx.MockTransport(slow_pbx),
        limits=httpx.Limits(max_connections=2),
    )
    client.observe_requests(lambda method, path, query: sent.append(path))
    async with client:
        answers = [asyncio.create_task(client.answer(f"c-{n}")) for n in range(5)]
        while len(in_flight) < 2:
            await asyncio.sleep(0)
        for _ in range(5):
            await asyncio.sleep(0)
        # Observers hear of a request when it goes out, not while it waits for a connection.
        assert sent == ["channels/c-0/answer", "channels/c-1/answer"]
        release.set()
        await asyncio.wait_for(asyncio.gather(*answers), WAIT_S)
    assert most == 2
    assert len(sent) == 5
