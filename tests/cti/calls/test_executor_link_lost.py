"""An offer whose originate meets no Asterisk is lost with the link, not the agent's fault.

A real :class:`~cti.ari.AriClient` over HTTP against a port where nothing listens (Asterisk
restarting): the originate cannot be sent or its answer never came, and the lookup by the leg's
id fails the same way, so nobody knows whether the phone rang.
"""

from __future__ import annotations

import pytest

from cti.ari.client import AriClient
from cti.calls import actions as act
from cti.calls import signals as sig
from cti.calls.executor import ActionExecutor
from cti.calls.ports import CallKey, LegFailure
from cti.calls.timers import CallTimers
from tests.cti.calls.emulated import RecordingDirector
from tests.ports import refusing_port


@pytest.mark.asyncio
async def test_an_originate_with_no_link_is_lost_not_unreachable() -> None:
    # Held bound, never listening: connects are refused for the whole test (a port probed and
    # released could be listening again, someone else's, by the time the client connects).
    with refusing_port() as port:
        produced = await _originate(port)
    assert produced == [sig.LegFailed("leg-1", LegFailure.LOST)]


async def _originate(port: int) -> list[sig.CallEvent]:
    client = AriClient(f"http://127.0.0.1:{port}", "hotline", "secret", "hotline")

    def fire(key: CallKey, name: str, token: int) -> None:
        raise AssertionError("no timer expected")

    executor = ActionExecutor(client, RecordingDirector(), CallTimers(fire), lambda key: None)
    try:
        return await executor.run(
            CallKey("bj", "caller-1"),
            [act.Originate("leg-1", "PJSIP/1001", 15, ("agent", "1001", "caller-1"))],
        )
    finally:
        await client.aclose()
