"""A restart right after an answer the database never got (issue 18): the last process bridged
the caller with the agent and died before its write queue recorded it, so the record still says
"ringing" while Asterisk has the two talking. The new process must trust the bridge: the talk
goes on with that agent, recorded, and the caller is not offered to anyone again. The recording
the last process started runs on in Asterisk although the database never learnt of it either:
the new process finds it by the call's name and records to the end with it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from cti.calls.controller import ControllerOptions
from cti.emulator import AgentScript, LabConfig, run_emulator
from hotline.config import RecordingSettings, Settings
from hotline.db.models.call import Call
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

AGENT_ENDPOINT = "PJSIP/2001"


async def _forget_the_answer(database_url: str, call_id: int, agent_id: str) -> None:
    """Put the record back where it was before the answer was written: ringing the agent."""
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            live_state = (
                await connection.execute(select(Call.live_state).where(Call.id == call_id))
            ).scalar_one()
            ringing = {**live_state, "phase": "ringing", "offered_agent": agent_id}
            await connection.execute(
                update(Call)
                .where(Call.id == call_id)
                .values(
                    answered_at=None,
                    agent_id=None,
                    live_state=ringing,
                    recording_name=None,
                    recording_started_at=None,
                )
            )
    finally:
        await engine.dispose()


@pytest.mark.asyncio
async def test_a_caller_bridged_but_recorded_ringing_talks_on_after_a_restart(
    database_url: str,
) -> None:
    settings = Settings(database_url=database_url, recording=RecordingSettings(mode="all"))
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)}, event_log_size=100_000)
    policy = dataclasses.replace(default_policy(), service_hours=None)

    def service() -> Any:
        telephony = live_telephony(
            policy=policy, controller_options=ControllerOptions(timer_scale=SPEED)
        )
        return create_app(settings, components=[telephony])

    caller = dataclasses.replace(
        _taxpayer("13905710003", patience_s=3000.0, survey=None), hangup_after_answer_s=3000.0
    )
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        await import_centre(settings, _centre(emulator.base_url))
        emulator.add_endpoint(AGENT_ENDPOINT, AgentScript(answer_after_s=1.0))

        first = service()
        async with (
            first.router.lifespan_context(first),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=first), base_url="http://t"
            ) as http,
        ):
            agent, boss = await _token(http, "agent001"), await _token(http, "boss")
            await http.post("/api/v1/agent/session", json={"site": "hz"}, headers=agent)
            ready = await http.put(
                "/api/v1/agent/session/state", json={"state": "ready"}, headers=agent
            )
            assert ready.status_code == 200, ready.text
            agent_id = str(ready.json()["agent_id"])
            emulator.place_call(caller)

            talking = await _eventually(
                lambda: the_only_call(http, boss), lambda c: c.get("live_phase") == "talk"
            )

        await _forget_the_answer(database_url, int(talking["id"]), agent_id)

        second = service()
        async with (
            second.router.lifespan_context(second),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=second), base_url="http://t"
            ) as http,
        ):
            agent, boss = await _token(http, "agent001"), await _token(http, "boss")
            call_url = f"/api/v1/calls/{talking['id']}"
            adopted = (await http.get(call_url, headers=boss)).json()
            # The agent still talks with the caller: hanging up from the desktop is theirs.
            hangup = await http.post(f"{call_url}/hangup", headers=agent)
            assert hangup.status_code == 202, hangup.text

            async def detail() -> dict[str, Any]:
                body: dict[str, Any] = (await http.get(call_url, headers=boss)).json()
                return body

            ended = await _eventually(
                detail,
                lambda call: (
                    call["outcome"] is not None
                    and call["recording"] is not None
                    and call["recording"]["duration_s"] is not None
                ),
            )
        events = list(emulator.core.emitted)
        stored, live = set(emulator.core.stored_recordings), set(emulator.core.live_recordings)

    agent_legs = [
        fields["channel"]["id"]
        for kind, fields in events
        if kind == "ChannelCreated"
        and str(fields["channel"]["name"]).startswith(AGENT_ENDPOINT + "-")
    ]
    assert len(agent_legs) == 1, agent_legs  # offered once, before the restart only
    assert (adopted["live_phase"], adopted["outcome"]) == ("talk", None)
    assert str(adopted["agent_id"]) == agent_id
    assert adopted["answered_at"] is not None
    assert "bridged_found" in [entry["kind"] for entry in adopted["timeline"]]
    assert (ended["outcome"], ended["ended_by"]) == ("answered", "agent")
    assert str(ended["agent_id"]) == agent_id
    # One recording from the first answer to the end: the old one, adopted, not a second file.
    name = f"hotline-call-{talking['id']}"
    assert "recording_adopted" in [entry["kind"] for entry in ended["timeline"]]
    assert [segment["segment"] for segment in ended["recording"]["segments"]] == [1]
    assert (name in stored, live) == (True, set())
