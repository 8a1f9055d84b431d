"""A restart after an arrival the database never got (issue 11, kill -9 mid-traffic): the last
process answered the caller and ran the IVR, but died before its write queue wrote the call's
row. Asterisk still has the caller. The new process must record that call once (from the resync)
and see it through to its end, never leave it out of the record.

The order of events is set by the test, not by timing: the first process stops with the caller
waiting, the call's row and journal are removed (as if never written), the second starts.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select

from cti.calls.controller import ControllerOptions
from cti.emulator import AgentScript, LabConfig, run_emulator
from hotline.config import Settings
from hotline.db.models.call import Call, CallEvent
from hotline.db.session import create_engine
from hotline.demo.runner import import_centre
from hotline.main import create_app, live_telephony
from routing import default_policy
from tests.hotline.live.calls_api import the_only_call
from tests.hotline.live.test_demo_flow import (
    ARI_PASSWORD,
    SPEED,
    _centre,
    _eventually,
    _taxpayer,
    _token,
)

NUMBER = "13905710005"


async def _unwrite(database_url: str, call_id: int) -> None:
    """Take the call's row and journal out of the database, as if the queue never wrote them."""
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(delete(CallEvent).where(CallEvent.call_id == call_id))
            await connection.execute(delete(Call).where(Call.id == call_id))
    finally:
        await engine.dispose()


async def _numbers(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(select(Call.caller_number))
            return [row.caller_number for row in rows]
    finally:
        await engine.dispose()


@pytest.mark.asyncio
async def test_a_caller_whose_arrival_was_never_written_is_recorded_once(
    database_url: str,
) -> None:
    settings = Settings(database_url=database_url)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)})
    policy = dataclasses.replace(default_policy(), service_hours=None)

    def service() -> Any:
        telephony = live_telephony(
            policy=policy, controller_options=ControllerOptions(timer_scale=SPEED)
        )
        return create_app(settings, components=[telephony])

    caller = dataclasses.replace(
        _taxpayer(NUMBER, patience_s=3000.0, survey=None), hangup_after_answer_s=3000.0
    )
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        await import_centre(settings, _centre(emulator.base_url))
        emulator.add_endpoint("PJSIP/2001", AgentScript(answer_after_s=1.0, talk_s=5.0))

        first = service()
        async with (
            first.router.lifespan_context(first),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=first), base_url="http://t"
            ) as http,
        ):
            agent, boss = await _token(http, "agent001"), await _token(http, "boss")
            # The agent is logged in but on a break: the caller waits in the queue.
            await http.post("/api/v1/agent/session", json={"site": "hz"}, headers=agent)
            on_break = await http.put(
                "/api/v1/agent/session/state",
                json={"state": "not_ready", "reason": "break"},
                headers=agent,
            )
            assert on_break.status_code == 200, on_break.text
            emulator.place_call(caller)

            waiting = await _eventually(
                lambda: the_only_call(http, boss), lambda c: c.get("live_phase") == "queue"
            )

        await _unwrite(database_url, int(waiting["id"]))
        assert await _numbers(database_url) == []

        second = service()
        async with (
            second.router.lifespan_context(second),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=second), base_url="http://t"
            ) as http,
        ):
            agent, boss = await _token(http, "agent001"), await _token(http, "boss")
            # The agent's session was restored; back from the break, they take the call.
            ready = await http.put(
                "/api/v1/agent/session/state", json={"state": "ready"}, headers=agent
            )
            assert ready.status_code == 200, ready.text

            async def calls() -> list[dict[str, Any]]:
                items: list[dict[str, Any]] = (
                    await http.get("/api/v1/calls", headers=boss)
                ).json()["items"]
                return items

            ended = await _eventually(
                calls, lambda items: len(items) >= 1 and items[0]["ended_at"] is not None
            )

    assert await _numbers(database_url) == [NUMBER]  # recorded again, once
    assert ended[0]["outcome"] == "answered"
