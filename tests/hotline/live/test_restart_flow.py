"""A restart mid-call loses nothing: a caller waiting in the queue when the service stops is
still there, with its place, when a new service starts over the same database, and is answered.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest

from cti.calls.controller import ControllerOptions
from cti.emulator import AgentScript, LabConfig, run_emulator
from hotline.config import Settings
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


@pytest.mark.asyncio
async def test_a_waiting_call_survives_a_restart(database_url: str) -> None:
    settings = Settings(database_url=database_url)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)})
    policy = dataclasses.replace(default_policy(), service_hours=None)

    def service() -> Any:
        telephony = live_telephony(
            policy=policy, controller_options=ControllerOptions(timer_scale=SPEED)
        )
        return create_app(settings, components=[telephony])

    # Gives up 60 emulated seconds (3 s) after the restart's re-offer, whatever happens.
    caller = dataclasses.replace(
        _taxpayer("13905710001", patience_s=3000.0, survey=None), hangup_after_answer_s=60.0
    )
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        await import_centre(settings, _centre(emulator.base_url))
        emulator.add_endpoint("PJSIP/2001", AgentScript(answer_after_s=2.0, talk_s=5.0))

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
            agent_id = on_break.json()["agent_id"]
            emulator.place_call(caller)

            waiting = await _eventually(
                lambda: the_only_call(http, boss), lambda call: call.get("live_phase") == "queue"
            )

        second = service()
        async with (
            second.router.lifespan_context(second),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=second), base_url="http://t"
            ) as http,
        ):
            agent, boss = await _token(http, "agent001"), await _token(http, "boss")
            call_url = f"/api/v1/calls/{waiting['id']}"
            adopted = (await http.get(call_url, headers=boss)).json()
            # The agent's session was restored; back from the break, they take the call.
            ready = await http.put(
                "/api/v1/agent/session/state", json={"state": "ready"}, headers=agent
            )
            assert ready.status_code == 200, ready.text

            async def detail() -> dict[str, Any]:
                body: dict[str, Any] = (await http.get(call_url, headers=boss)).json()
                return body

            ended = await _eventually(detail, lambda call: call["outcome"] is not None)
            listed = (await http.get("/api/v1/calls", headers=boss)).json()

    # What a restart keeps: the same record, its place in line, and the call still live.
    assert listed["total"] == 1
    assert adopted["arrived_at"] == waiting["arrived_at"]
    assert adopted["live_phase"] == "queue"
    assert "adopted" in [entry["kind"] for entry in adopted["timeline"]]
    # The adopted caller was not taken through the IVR again: it waited, was offered, answered.
    assert ended["outcome"] == "answered"
    assert ended["agent_id"] == agent_id
    kinds = [entry["kind"] for entry in ended["timeline"]]
    assert "resumed" in kinds
    assert kinds.count("ivr_completed") == 1
    assert ended["arrived_at"] <= ended["answered_at"] <= ended["ended_at"]


@pytest.mark.asyncio
async def test_a_talk_on_a_local_agent_leg_survives_a_restart(database_url: str) -> None:
    """The lab's case (issue 10): the agent is a Local channel, so Asterisk lists its second half
    as ``<leg id>;2`` on the resync; the restarted service must keep the talk, and the agent's
    hang-up from the desktop afterwards is recorded as the agent's."""
    settings = Settings(database_url=database_url)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)})
    policy = dataclasses.replace(default_policy(), service_hours=None)

    def service() -> Any:
        telephony = live_telephony(
            policy=policy, controller_options=ControllerOptions(timer_scale=SPEED)
        )
        return create_app(settings, components=[telephony])

    centre = _centre("")
    caller = dataclasses.replace(
        _taxpayer("13905710002", patience_s=3000.0, survey="5"), hangup_after_answer_s=3000.0
    )
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        centre["sites"][0]["ari_url"] = emulator.base_url
        centre["agents"][0]["endpoints"] = {"hz": "Local/2001@agents"}
        await import_centre(settings, centre)
        emulator.add_endpoint("Local/2001@agents", AgentScript(answer_after_s=1.0))

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
            emulator.place_call(caller)

            talking = await _eventually(
                lambda: the_only_call(http, boss), lambda c: c.get("live_phase") == "talk"
            )
        legs = {
            c["id"] for c in emulator.core.list_channels() if c["name"].startswith("Local/2001")
        }
        assert len(legs) == 2  # both halves of the agent's Local leg, `;2` named after `;1`

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
            alive = {c["id"] for c in emulator.core.list_channels()}
            # The agent hangs up from the desktop; the caller then rates the call.
            hangup = await http.post(f"{call_url}/hangup", headers=agent)
            assert hangup.status_code == 202, hangup.text

            async def detail() -> dict[str, Any]:
                body: dict[str, Any] = (await http.get(call_url, headers=boss)).json()
                return body

            ended = await _eventually(detail, lambda call: call["outcome"] is not None)

    assert legs <= alive  # the resync hung up neither half
    assert (adopted["live_phase"], adopted["outcome"], adopted["ended_by"]) == ("talk", None, None)
    assert (ended["outcome"], ended["ended_by"]) == ("answered", "agent")
