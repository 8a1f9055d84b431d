"""A restart after an answer the database never got, whose agent has hung up meanwhile (issue 18,
the `answered_twice` of the failover test): the last process bridged the caller with the agent
and died before its write queue recorded the answer; while no process ran, the agent finished
and hung up. The new process finds the caller alone in its bridge and the record saying
"ringing". Without more it would put the caller back in the queue and offer them again, the same
taxpayer answered twice. The caller's channel says who answered (set before the bridge is made),
so the new process records that talk, ends it as the agent's hang-up, and offers no one.

The order of events is set by the test, not by timing: the first process stops, the record is
put back to "ringing", the agent's leg is hung up in the emulator, then the second process starts.
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
from tests.hotline.live.test_restart_bridged import _forget_the_answer

AGENT_ENDPOINT = "PJSIP/2001"


def _agent_legs(emulator: Any) -> list[str]:
    """Every agent leg the emulator ever created, in order."""
    return [
        str(fields["channel"]["id"])
        for kind, fields in list(emulator.core.emitted)
        if kind == "ChannelCreated"
        and str(fields["channel"]["name"]).startswith(AGENT_ENDPOINT + "-")
    ]


@pytest.mark.asyncio
async def test_a_caller_whose_unrecorded_agent_left_is_not_offered_again(
    database_url: str,
) -> None:
    settings = Settings(database_url=database_url)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)}, event_log_size=100_000)
    policy = dataclasses.replace(default_policy(), service_hours=None)

    def service() -> Any:
        telephony = live_telephony(
            policy=policy, controller_options=ControllerOptions(timer_scale=SPEED)
        )
        return create_app(settings, components=[telephony])

    caller = dataclasses.replace(
        _taxpayer("13905710004", patience_s=3000.0, survey=None), hangup_after_answer_s=3000.0
    )
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        await import_centre(settings, _centre(emulator.base_url))
        # The agent never hangs up on their own: the test does it while no process runs.
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
        (leg,) = _agent_legs(emulator)
        # The agent hangs up while no process listens: the caller stays alone in the bridge.
        emulator.core.device_hangup(emulator.core.channels[leg], 16)

        second = service()
        async with (
            second.router.lifespan_context(second),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=second), base_url="http://t"
            ) as http,
        ):
            boss = await _token(http, "boss")
            call_url = f"/api/v1/calls/{talking['id']}"

            async def detail() -> dict[str, Any]:
                body: dict[str, Any] = (await http.get(call_url, headers=boss)).json()
                return body

            # Either the call ends (the fix) or the caller is offered again (the race): the
            # test waits for whichever comes first, and then says which.
            ended = await _eventually(
                detail,
                lambda call: call["outcome"] is not None or len(_agent_legs(emulator)) > 1,
            )

    assert _agent_legs(emulator) == [leg]  # offered once, before the restart only
    assert (ended["outcome"], ended["ended_by"]) == ("answered", "agent")
    assert str(ended["agent_id"]) == agent_id
    assert ended["answered_at"] is not None
    kinds = [entry["kind"] for entry in ended["timeline"]]
    assert "answer_found" in kinds, kinds
    assert "bridged_found" not in kinds  # no agent was in the bridge any more
