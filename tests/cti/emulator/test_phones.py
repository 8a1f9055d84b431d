"""A person's phone in the emulator: it rings until answered through the control API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from cti.emulator import RunningEmulator
from tests.waiting import WAIT_S

from .test_server import AUTH, Listener, ari, emu, is_type, listen

__all__ = ["ari", "emu"]  # the fixtures, imported from the server tests

pytestmark = pytest.mark.asyncio

PHONE = "PJSIP/1001"


class PhoneEvents:
    """The server-sent events of one phone, read as they come."""

    def __init__(self, control: httpx.AsyncClient, endpoint: str) -> None:
        self.states: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task = asyncio.create_task(self._read(control, endpoint))

    async def _read(self, control: httpx.AsyncClient, endpoint: str) -> None:
        async with control.stream("GET", f"/_emulator/phones/{endpoint}/events") as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    await self.states.put(json.loads(line[6:]))

    async def next(self) -> dict[str, Any]:
        return await asyncio.wait_for(self.states.get(), WAIT_S)

    async def close(self) -> None:
        self._task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self._task


async def _offer(ari: httpx.AsyncClient, listener: Listener) -> str:
    """The CTI rings the agent, as the controller does for an offer."""
    response = await ari.post(
        "/channels",
        params={
            "endpoint": PHONE,
            "app": "hotline",
            "appArgs": "agent,1001",
            "callerId": '"Taxpayer" <13800138000>',
            "timeout": "30",
        },
    )
    assert response.status_code == 200, response.text
    leg: str = response.json()["id"]
    await listener.wait_for(lambda e: e["type"] == "Dial" and e["dialstatus"] == "RINGING")
    return leg


@pytest_asyncio.fixture
async def control(emu: RunningEmulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=emu.base_url, auth=AUTH) as client:
        added = await client.post("/_emulator/phones", json={"endpoint": PHONE})
        assert added.status_code == 201, added.text
        yield client


async def test_the_phone_rings_and_a_person_answers_it(
    emu: RunningEmulator, ari: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    listener = await listen(emu)
    events = PhoneEvents(control, PHONE)
    assert (await events.next())["state"] == "idle"

    leg = await _offer(ari, listener)
    ringing = await events.next()
    assert ringing == {
        "endpoint": PHONE,
        "state": "ringing",
        "channel_id": leg,
        "caller_number": "13800138000",
        "caller_name": "Taxpayer",
    }
    assert (await control.get(f"/_emulator/phones/{PHONE}")).json()["state"] == "ringing"

    answered = await control.post(f"/_emulator/phones/{PHONE}/answer")
    assert answered.status_code == 204
    # The CTI sees the agent's leg answered, as with a real phone.
    await listener.wait_for(lambda e: e["type"] == "Dial" and e["dialstatus"] == "ANSWER")
    await listener.wait_for(is_type("ChannelStateChange", leg))
    assert (await events.next())["state"] == "talking"
    again = await control.post(f"/_emulator/phones/{PHONE}/answer")
    assert again.status_code == 409
    assert again.json() == {"message": f"{PHONE} is not ringing"}

    # The CTI ends the call: the phone is idle again, ready for the next offer.
    assert (await ari.delete(f"/channels/{leg}")).status_code == 204
    assert (await events.next())["state"] == "idle"
    await events.close()
    await listener.close()


async def test_a_person_rejects_a_ringing_call_and_hangs_up_a_talking_one(
    emu: RunningEmulator, ari: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    listener = await listen(emu)
    leg = await _offer(ari, listener)
    assert (await control.post(f"/_emulator/phones/{PHONE}/hangup")).status_code == 204
    rejected = await listener.wait_for(is_type("ChannelDestroyed", leg))
    assert rejected["cause"] == 21
    idle = await control.post(f"/_emulator/phones/{PHONE}/hangup")
    assert idle.status_code == 409

    second = await _offer(ari, listener)
    assert (await control.post(f"/_emulator/phones/{PHONE}/answer")).status_code == 204
    assert (await control.post(f"/_emulator/phones/{PHONE}/hangup")).status_code == 204
    ended = await listener.wait_for(is_type("ChannelDestroyed", second))
    assert ended["cause"] == 16
    await listener.close()


async def test_bad_phone_requests_say_what_is_wrong(emu: RunningEmulator) -> None:
    async with httpx.AsyncClient(base_url=emu.base_url, auth=AUTH) as control:
        unknown = await control.post("/_emulator/phones/PJSIP/9999/answer")
        assert unknown.status_code == 404
        assert unknown.json() == {"message": "PJSIP/9999 is not a person's phone"}
        missing = await control.post("/_emulator/phones", json={})
        assert missing.status_code == 400
        assert "endpoint" in missing.json()["message"]
        bad = await control.post("/_emulator/phones", json={"endpoint": "1001"})
        assert bad.status_code == 400
        assert "PJSIP/1001" in bad.json()["message"]
        twice = [await control.post("/_emulator/phones", json={"endpoint": PHONE}) for _ in "ab"]
        assert [r.status_code for r in twice] == [201, 201]
        idle = await control.post(f"/_emulator/phones/{PHONE}/answer")
        assert (idle.status_code, idle.json()) == (409, {"message": f"{PHONE} is not ringing"})
    async with httpx.AsyncClient(base_url=emu.base_url) as anonymous:
        refused = await anonymous.post(f"/_emulator/phones/{PHONE}/answer")
        assert refused.status_code == 401
