"""The fence of ``AriClient.gate_commands``: while the gate is closed, nothing but a GET leaves.

This is what keeps an instance that lost its leader lease from commanding Asterisk while
another instance takes over; the cluster partition test shows it end to end, this shows the
gate itself against the emulator over real sockets, for both REST transports."""

from __future__ import annotations

import pytest

from cti.ari.client import AriClient
from cti.emulator import run_emulator
from cti.errors import AriFencedError


@pytest.mark.asyncio
@pytest.mark.parametrize("transport", ["http", "websocket"])
async def test_a_closed_gate_refuses_commands_before_they_leave(transport: str) -> None:
    open_ = True
    async with (
        run_emulator(speed=50) as emulator,
        AriClient(
            emulator.base_url, "hotline", "secret", "hotline", rest_transport=transport
        ) as client,
    ):
        client.gate_commands(lambda: open_)
        await client.create_bridge("mixing", bridge_id="term-1")

        open_ = False
        with pytest.raises(AriFencedError):
            await client.create_bridge("mixing", bridge_id="term-2")
        with pytest.raises(AriFencedError):
            await client.destroy_bridge("term-1")
        # Reading stays allowed (a standby may look), and shows nothing was sent.
        assert [bridge.id for bridge in await client.list_bridges()] == ["term-1"]

        open_ = True
        await client.destroy_bridge("term-1")
        assert await client.list_bridges() == []
