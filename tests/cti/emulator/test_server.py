"""The emulator over real HTTP and WebSocket: auth, ws loss, REST over ws, control API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import pytest_asyncio
import websockets
from websockets.asyncio.client import ClientConnection

from cti.emulator import (
    AgentScript,
    Emulator,
    LabConfig,
    RunningEmulator,
    TaxpayerScript,
    run_emulator,
)
from cti.emulator.apps import AppRegistry, Audience
from cti.emulator.clock import ManualScheduler
from cti.emulator.server import SocketSink
from tests.waiting import WAIT_S

from .replay import API_DOCS

SPEED = 50.0
AUTH = ("hotline", "secret")
Event = dict[str, Any]


class Listener:
    """An events websocket with everything it received, and a way to wait for one event."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.events: list[Event] = []
        self._arrived = asyncio.Event()
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for text in self.socket:
                self.events.append(json.loads(text))
                self._arrived.set()
        except websockets.ConnectionClosed:
            return

    async def wait_for(self, match: Callable[[Event], bool], timeout: float = WAIT_S) -> Event:
        async def scan() -> Event:
            while True:
                for event in self.events:
                    if match(event):
                        return event
                self._arrived.clear()
                await self._arrived.wait()

        return await asyncio.wait_for(scan(), timeout)

    def types(self) -> list[str]:
        return [e["type"] for e in self.events]

    async def close(self) -> None:
        await self.socket.close()
        await self._task


@pytest_asyncio.fixture
async def emu() -> AsyncIterator[RunningEmulator]:
    config = LabConfig(api_docs=str(API_DOCS))  # every event and body checked against the spec
    async with run_emulator(port=0, speed=SPEED, config=config) as running:
        yield running
        assert running.core.spec_errors == []


@pytest_asyncio.fixture
async def ari(emu: RunningEmulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=emu.ari_url, auth=AUTH) as client:
        yield client


async def listen(emu: RunningEmulator, app: str = "hotline", extra: str = "") -> Listener:
    url = f"{emu.ws_url}?app={app}&api_key=hotline:secret{extra}"
    return Listener(await websockets.connect(url))


def is_type(event_type: str, channel_id: str | None = None) -> Callable[[Event], bool]:
    def match(event: Event) -> bool:
        if event["type"] != event_type:
            return False
        return channel_id is None or event.get("channel", {}).get("id") == channel_id

    return match


async def inbound_call(ari: httpx.AsyncClient, listener: Listener, caller: str) -> str:
    """The lab's simulated trunk call; returns the `;2` channel that entered Stasis."""
    response = await ari.post(
        "/channels",
        params={
            "endpoint": "Local/12366@inbound",
            "context": "sim",
            "extension": "caller",
            "callerId": f'"Taxpayer" <{caller}>',
        },
    )
    assert response.status_code == 200
    start = await listener.wait_for(
        lambda e: e["type"] == "StasisStart" and e["channel"]["caller"]["number"] == caller
    )
    return str(start["channel"]["id"])


class TestAuthentication:
    @pytest.mark.asyncio
    async def test_api_key_and_basic_auth_are_accepted(self, emu: RunningEmulator) -> None:
        async with httpx.AsyncClient(base_url=emu.ari_url) as client:
            by_key = await client.get("/channels", params={"api_key": "hotline:secret"})
            by_basic = await client.get("/channels", auth=AUTH)
        assert (by_key.status_code, by_basic.status_code) == (200, 200)

    @pytest.mark.asyncio
    async def test_bad_password_gets_401_with_asterisk_body(self, emu: RunningEmulator) -> None:
        async with httpx.AsyncClient(base_url=emu.ari_url, auth=("hotline", "nope")) as client:
            response = await client.get("/channels")
        assert response.status_code == 401
        assert response.json() == {"message": "Authentication required"}

    @pytest.mark.asyncio
    async def test_read_only_user_cannot_write(self, emu: RunningEmulator) -> None:
        async with httpx.AsyncClient(base_url=emu.ari_url, auth=("viewer", "viewer")) as client:
            assert (await client.get("/bridges")).status_code == 200
            denied = await client.post("/bridges", params={"type": "mixing"})
        assert (denied.status_code, denied.json()) == (403, {"message": "Write access denied"})

    @pytest.mark.asyncio
    async def test_websocket_upgrade_without_app_is_refused_with_html(
        self, emu: RunningEmulator
    ) -> None:
        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(f"{emu.ws_url}?app=&api_key=hotline:secret")
        assert refused.value.response.status_code == 400
        assert b"missing param: [app]" in (refused.value.response.body or b"")


class TestWebsocketLoss:
    @pytest.mark.asyncio
    async def test_app_keeps_its_channels_drops_events_and_resumes_after_reconnect(
        self, emu: RunningEmulator, ari: httpx.AsyncClient
    ) -> None:
        first = await listen(emu)
        line = await inbound_call(ari, first, "13800138000")
        assert (await ari.post(f"/channels/{line}/answer")).status_code == 204
        await ari.post("/bridges", params={"type": "mixing", "bridgeId": "b1"})
        await ari.post("/bridges/b1/addChannel", params={"channel": line})
        await first.wait_for(is_type("ChannelEnteredBridge", line))
        await first.close()

        app = (await ari.get("/applications/hotline")).json()
        assert (app["channel_ids"], app["bridge_ids"]) == ([line], ["b1"])
        played = await ari.post(f"/channels/{line}/play", params={"media": "sound:hello-world"})
        assert played.status_code == 201  # REST keeps working without a socket
        before = {c["id"] for c in (await ari.get("/channels")).json()}
        second_call = await ari.post(
            "/channels",
            params={"endpoint": "Local/12366@inbound", "context": "sim", "extension": "caller"},
        )
        assert second_call.status_code == 200
        await asyncio.sleep(0.05)
        after = {c["id"] for c in (await ari.get("/channels")).json()}
        assert after == before  # Stasis(hotline) failed at once: the new call is gone
        while not any(e["type"] == "PlaybackStarted" for e in emu.core.apps.dropped):
            await asyncio.sleep(0.01)  # the prompt started while nobody listened

        second = await listen(emu)
        phone = next(c["id"] for c in (await ari.get("/channels")).json() if c["id"] != line)
        await ari.delete(f"/channels/{phone}")
        await second.wait_for(is_type("StasisEnd", line))
        assert "PlaybackStarted" not in second.types()  # missed events are never replayed
        assert second.types() == ["ChannelHangupRequest", "ChannelLeftBridge", "StasisEnd"]
        await second.close()

    @pytest.mark.asyncio
    async def test_second_socket_replaces_the_first_which_then_hears_nothing(
        self, emu: RunningEmulator, ari: httpx.AsyncClient
    ) -> None:
        old = await listen(emu)
        new = await listen(emu)
        await old.wait_for(is_type("ApplicationReplaced"))
        line = await inbound_call(ari, new, "13900139000")
        assert line
        assert old.types() == ["ApplicationReplaced"]
        await old.close()
        await new.close()

    @pytest.mark.asyncio
    async def test_app_without_resources_is_destroyed_when_its_socket_closes(
        self, emu: RunningEmulator, ari: httpx.AsyncClient
    ) -> None:
        listener = await listen(emu)
        assert (await ari.get("/applications/hotline")).status_code == 200
        await listener.close()
        await asyncio.sleep(0.05)
        gone = await ari.get("/applications/hotline")
        assert (gone.status_code, gone.json()) == (404, {"message": "Application not found"})


class TestRestOverWebsocket:
    @pytest.mark.asyncio
    async def test_rest_request_gets_a_rest_response_with_a_json_string_body(
        self, emu: RunningEmulator
    ) -> None:
        listener = await listen(emu)
        request = {
            "type": "RESTRequest",
            "transaction_id": "t1",
            "request_id": "r1",
            "method": "POST",
            "uri": "bridges?type=mixing&bridgeId=ws-1",
        }
        await listener.socket.send(json.dumps(request))
        reply = await listener.wait_for(is_type("RESTResponse"))
        assert (reply["status_code"], reply["uri"], reply["request_id"]) == (200, "bridges", "r1")
        assert json.loads(reply["message_body"])["id"] == "ws-1"
        await listener.socket.send(json.dumps({"type": "bogus"}))
        bad = await listener.wait_for(lambda e: e.get("status_code") == 400)
        assert json.loads(bad["message_body"]) == {"message": "Unknown request type."}
        await listener.close()


class TestControlApi:
    @pytest.mark.asyncio
    async def test_calls_and_endpoints_can_be_driven_over_http(
        self, emu: RunningEmulator, ari: httpx.AsyncClient
    ) -> None:
        listener = await listen(emu)
        async with httpx.AsyncClient(base_url=emu.base_url, auth=AUTH) as control:
            added = await control.post(
                "/_emulator/endpoints",
                json={"endpoint": "PJSIP/agent1001", "behaviour": "busy", "answer_after_s": 1},
            )
            assert added.status_code == 201
            placed = await control.post(
                "/_emulator/calls", json={"caller_number": "+8613800138000", "dtmf": [[1, "3"]]}
            )
            assert placed.status_code == 201
            line = placed.json()["channel_id"]
            await listener.wait_for(is_type("StasisStart", line))
            await ari.post(f"/channels/{line}/answer")
            digit = await listener.wait_for(is_type("ChannelDtmfReceived", line))
            assert digit["digit"] == "3"
            leg = (
                await ari.post(
                    "/channels", params={"endpoint": "PJSIP/agent1001", "app": "hotline"}
                )
            ).json()["id"]
            busy = await listener.wait_for(
                lambda e: e["type"] == "Dial" and e["dialstatus"] == "BUSY"
            )
            assert busy["peer"]["id"] == leg
            state = (await control.get("/_emulator/state")).json()
            assert state["endpoints"] == ["PJSIP/agent1001"]
            assert line in {c["id"] for c in state["channels"]}
            hung_up = await control.delete(f"/_emulator/calls/{placed.json()['phone_channel_id']}")
            assert hung_up.status_code == 204
            await listener.wait_for(is_type("StasisEnd", line))
            anonymous = await httpx.AsyncClient(base_url=emu.base_url).get("/_emulator/state")
            assert anonymous.status_code == 401
        await listener.close()

    @pytest.mark.asyncio
    async def test_in_process_scripting_matches_the_http_api(self, emu: RunningEmulator) -> None:
        listener = await listen(emu)
        emu.add_endpoint("PJSIP/agent2001", AgentScript(behaviour="no_answer"))
        ids = emu.place_call(TaxpayerScript(caller_number="+8613912345678"))
        start = await listener.wait_for(is_type("StasisStart", ids["channel_id"]))
        assert start["channel"]["state"] == "Ring"
        await listener.close()


def test_held_events_are_released_in_order_after_the_response() -> None:
    registry = AppRegistry(ManualScheduler(), "02:fc:00:00:00:01")
    sent: list[str] = []

    class Sink:
        def send(self, message: Event) -> None:
            sent.append(message["type"])

    registry.attach(["hotline"], Sink(), subscribe_all=True)
    registry.hold()
    registry.publish("StasisStart", {}, audience=_everyone())
    registry.publish("ChannelStateChange", {}, audience=_everyone())
    assert sent == []
    registry.release()
    assert sent == ["StasisStart", "ChannelStateChange"]


def _everyone() -> Audience:
    return Audience()


@pytest.mark.asyncio
@pytest.mark.parametrize("race", ["response_first", "random(7)"])
async def test_every_race_setting_delivers_the_same_call_flow(race: str) -> None:
    async with (
        run_emulator(port=0, speed=SPEED, race=race) as running,
        httpx.AsyncClient(base_url=running.ari_url, auth=AUTH) as ari,
    ):
        listener = await listen(running)
        line = await inbound_call(ari, listener, "13700137000")
        assert (await ari.post(f"/channels/{line}/answer")).status_code == 204
        state = await listener.wait_for(is_type("ChannelStateChange", line))
        assert state["channel"]["state"] == "Up"
        await listener.close()


def test_unknown_race_setting_is_rejected() -> None:
    with pytest.raises(ValueError, match="race must be"):
        Emulator(race="sometimes")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("race", "event_before_response"), [("events_first", True), ("response_first", False)]
)
async def test_race_setting_decides_whether_events_beat_their_response(
    race: str, event_before_response: bool
) -> None:
    async with (
        run_emulator(port=0, speed=SPEED, race=race) as running,
        httpx.AsyncClient(base_url=running.ari_url, auth=AUTH) as ari,
    ):
        listener = await listen(running)
        await inbound_call(ari, listener, "13600136000")  # returns once StasisStart arrived
        journal = list(running.emulator.journal)
        start = journal.index(("event", "StasisStart"))
        response = journal.index(("response", "POST /channels"))
        assert (start < response) is event_before_response
        await listener.close()


class _GatedSocket:
    """Stands in for a starlette WebSocket: records what is sent, can be made to stall."""

    def __init__(self, name: str, log: list[str]) -> None:
        self.name = name
        self.log = log
        self.open = asyncio.Event()
        self.open.set()

    async def send_text(self, text: str) -> None:
        await self.open.wait()
        self.log.append(f"{self.name}:{json.loads(text)['type']}")


class TestSocketSinkBarrier:
    @pytest.mark.asyncio
    async def test_a_reply_waits_for_the_events_queued_before_it_on_another_socket(
        self,
    ) -> None:
        log: list[str] = []
        events_socket, rest_socket = _GatedSocket("events", log), _GatedSocket("rest", log)
        events, rest = SocketSink(events_socket), SocketSink(rest_socket)  # type: ignore[arg-type]
        writers = [asyncio.create_task(sink.run_writer()) for sink in (events, rest)]
        try:
            events_socket.open.clear()  # the events socket is slow to write
            events.send({"type": "ChannelStateChange"})
            rest.send({"type": "RESTResponse"}, after=((events, events.queued),))
            events.send({"type": "PlaybackStarted"})  # queued after the reply: not waited for
            for _ in range(5):
                await asyncio.sleep(0)
            assert log == []  # the reply must not overtake the event its request caused
            events_socket.open.set()
            await asyncio.wait_for(rest.flushed(), 3.0)
            await asyncio.wait_for(events.flushed(), 3.0)
            assert log.index("events:ChannelStateChange") < log.index("rest:RESTResponse")
            assert sorted(log) == [
                "events:ChannelStateChange",
                "events:PlaybackStarted",
                "rest:RESTResponse",
            ]
        finally:
            events_socket.open.set()
            for sink in (events, rest):
                sink.stop()
            await asyncio.wait_for(asyncio.gather(*writers), 3.0)
