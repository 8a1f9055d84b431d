"""AriClient with REST over the websocket (Asterisk 22 ``RESTRequest``/``RESTResponse``).

Against the emulator over real loopback sockets, and against a bare websocket server for the
failure cases: a dropped socket, an answer that never comes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve

from cti.ari.client import AriClient, RestTransport
from cti.emulator import run_emulator
from cti.emulator.scripts import TaxpayerScript
from cti.errors import (
    AriBadRequestError,
    AriConflictError,
    AriNotFoundError,
    AriUnavailableError,
)


def _websocket_client(base_url: str, *, timeout: float = 5.0) -> AriClient:
    return AriClient(
        base_url, "hotline", "secret", "hotline", rest_transport="websocket", timeout=timeout
    )


@pytest.mark.asyncio
async def test_typed_methods_and_errors_work_over_the_websocket() -> None:
    async with run_emulator(speed=50) as emulator, _websocket_client(emulator.base_url) as client:
        bridge = await client.create_bridge("holding", bridge_id="ws-b1")
        assert (bridge.id, bridge.bridge_type) == ("ws-b1", "holding")
        with pytest.raises(AriConflictError):
            await client.create_bridge("holding", bridge_id="ws-b1")
        with pytest.raises(AriNotFoundError, match="Channel not found"):
            await client.get_channel("nobody")
        assert [b.id for b in await client.list_bridges()] == ["ws-b1"]
        await client.destroy_bridge("ws-b1")
        assert await client.list_bridges() == []


@pytest.mark.asyncio
async def test_concurrent_requests_get_their_own_answers() -> None:
    async with run_emulator(speed=50) as emulator, _websocket_client(emulator.base_url) as client:
        ids = [f"ws-b{n}" for n in range(30)]
        bridges = await asyncio.gather(*(client.create_bridge(bridge_id=i) for i in ids))
        assert [bridge.id for bridge in bridges] == ids


@pytest.mark.asyncio
async def test_the_events_socket_of_the_app_is_not_replaced() -> None:
    async with (
        run_emulator(speed=50) as emulator,
        connect(f"{emulator.ws_url}?app=hotline&api_key=hotline:secret") as events,
        _websocket_client(emulator.base_url) as client,
    ):
        await client.list_channels()  # opens the REST socket (of app hotline-rest)
        emulator.place_call(TaxpayerScript())
        first = json.loads(await asyncio.wait_for(events.recv(), 5))
        assert first["type"] == "StasisStart"
        assert first["application"] == "hotline"


Behaviour = Callable[[ServerConnection, dict[str, Any]], Awaitable[None]]


@asynccontextmanager
async def _fake_asterisk(behaviour: Behaviour) -> AsyncIterator[list[dict[str, Any]]]:
    """A websocket server that hands every received request to ``behaviour``."""
    received: list[dict[str, Any]] = []

    async def handler(connection: ServerConnection) -> None:
        async for text in connection:
            request = json.loads(text)
            received.append(request)
            await behaviour(connection, request)

    async with serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        received.append({"port": port})
        yield received


async def _hang_up(connection: ServerConnection, request: dict[str, Any]) -> None:
    await connection.close()


async def _never_answer(connection: ServerConnection, request: dict[str, Any]) -> None:
    return None


@pytest.mark.asyncio
async def test_a_post_whose_socket_drops_is_unavailable_and_never_resent() -> None:
    async with _fake_asterisk(_hang_up) as received:
        port = received.pop()["port"]
        async with _websocket_client(f"http://127.0.0.1:{port}") as client:
            with pytest.raises(AriUnavailableError):
                await client.answer("chan-1")
            assert [(r["method"], r["uri"]) for r in received] == [
                ("POST", "channels/chan-1/answer")
            ]
            # A GET may be repeated once, on a new socket.
            with pytest.raises(AriUnavailableError):
                await client.get_channel("chan-1")
            assert [r["method"] for r in received] == ["POST", "GET", "GET"]


@pytest.mark.asyncio
async def test_a_missing_answer_times_out_as_unavailable() -> None:
    async with _fake_asterisk(_never_answer) as received:
        port = received.pop()["port"]
        async with _websocket_client(f"http://127.0.0.1:{port}", timeout=0.2) as client:
            with pytest.raises(AriUnavailableError, match="timed out"):
                await client.hangup("chan-1", reason="normal")
            assert received == [
                {
                    "type": "RESTRequest",
                    "transaction_id": "1",
                    "request_id": "1",
                    "method": "DELETE",
                    "uri": "channels/chan-1?reason=normal",
                }
            ]


@pytest.mark.asyncio
async def test_nobody_listening_is_unavailable() -> None:
    async with _fake_asterisk(_never_answer) as received:
        port = received.pop()["port"]
    async with _websocket_client(f"http://127.0.0.1:{port}") as client:
        with pytest.raises(AriUnavailableError):
            await client.answer("chan-1")


@pytest.mark.parametrize("rest_transport", ["http", "websocket"])
@pytest.mark.asyncio
async def test_observers_see_every_request_on_either_wire(rest_transport: RestTransport) -> None:
    seen: list[tuple[str, str, dict[str, str]]] = []
    async with (
        run_emulator(speed=50) as emulator,
        AriClient(
            emulator.base_url, "hotline", "secret", "hotline", rest_transport=rest_transport
        ) as client,
    ):
        client.observe_requests(lambda method, path, query: seen.append((method, path, {**query})))
        await client.create_bridge(bridge_id="ws-b1")
        with pytest.raises(AriBadRequestError, match="Channel not found"):
            await client.add_channel("ws-b1", "nobody")
    assert seen == [
        ("POST", "bridges", {"type": "mixing", "bridgeId": "ws-b1"}),
        ("POST", "bridges/ws-b1/addChannel", {"channel": "nobody"}),
    ]


@pytest.mark.asyncio
async def test_the_emulator_negotiates_no_compression_like_asterisk() -> None:
    async with (
        run_emulator(speed=50) as emulator,
        connect(f"{emulator.ws_url}?app=hotline&api_key=hotline:secret") as events,
    ):
        assert events.response is not None
        assert "Sec-WebSocket-Extensions" not in events.response.headers
