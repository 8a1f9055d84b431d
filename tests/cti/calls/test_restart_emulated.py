"""A restarted controller adopts every live call without hanging up what belongs to it.

The agents are Local channels, as in the lab on a real Asterisk: the controller chooses only
the ``channelId`` of an agent leg, so Asterisk names the second half ``<channelId>;2`` and lists
it on the resync. Each test stops the first controller with the caller in one phase, starts a
second one on the same emulated Asterisk, checks where the call carries on, then ends it.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest

from cti.calls.model import Phase
from cti.calls.ports import CallKey, CallPhase, EndedBy, Resumption
from cti.emulator import AgentScript, TaxpayerScript
from tests.cti.calls.emulated import (
    LANGUAGE_PROMPT,
    LINE_PROMPT,
    MENU_PLAN,
    RecordingDirector,
    Site,
    emulated_controller,
    emulated_site,
    offer_to,
)
from tests.waiting import WAIT_S

AGENT = "Local/3001@agents"
# Long digit timeouts: nothing may move on by itself while the controller is away.
PLAN = dataclasses.replace(MENU_PLAN, digit_timeout_s=600.0)
CHOOSES = {LANGUAGE_PROMPT: "1", LINE_PROMPT: "1"}


def live_ids(site: Site) -> set[str]:
    return {channel["id"] for channel in site.emulator.core.list_channels()}


async def reach(site: Site, phase: str) -> tuple[CallKey, str | None]:
    """Place a call and wait until it is in ``phase``; returns its key and agent leg (if any)."""
    presses = {} if phase == "ivr" else CHOOSES
    placed = site.emulator.place_call(
        TaxpayerScript(press_on_prompt=presses, hangup_after_answer_s=900.0)
    )
    key = site.call_key(placed)
    wanted = {
        "ivr": Phase.IVR_LANGUAGE,
        "waiting": Phase.QUEUED,
        "ringing": Phase.OFFERING,
        "talk": Phase.TALKING,
        "survey": Phase.SURVEY,
    }[phase]

    def there() -> bool:
        state = site.controller.call(key.call_id)
        if state is None or state.phase is not wanted or state.playback_id is not None:
            return False
        # The agent leg exists in Asterisk (the originate may still be on its way).
        return all(leg.leg_id in live_ids(site) for leg in state.live_legs())

    await site.until(there)
    state = site.controller.call(key.call_id)
    assert state is not None
    return key, (state.legs[-1].leg_id if state.legs else None)


SCRIPTS = {
    "ivr": None,
    "waiting": None,
    "ringing": AgentScript(behaviour="no_answer"),
    "talk": AgentScript(answer_after_s=1.0),
    "survey": AgentScript(answer_after_s=1.0, talk_s=2.0),
}
RESUMED = {
    "ivr": (CallPhase.IVR, Phase.IVR_LANGUAGE),
    "waiting": (CallPhase.QUEUE, Phase.QUEUED),
    "ringing": (CallPhase.RINGING, Phase.QUEUED),
    "talk": (CallPhase.TALK, Phase.TALKING),
    "survey": (CallPhase.SURVEY, Phase.SURVEY),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("phase", list(RESUMED))
async def test_a_restart_keeps_the_call_where_it_was(phase: str) -> None:
    script = SCRIPTS[phase]
    first = RecordingDirector(plan=PLAN)
    if script is not None:
        first.on_ivr_completed = offer_to(AGENT, "3001", ring_timeout_s=600.0)
    async with emulated_site(first) as site:
        if script is not None:
            site.emulator.add_endpoint(AGENT, script)
        key, leg_id = await reach(site, phase)
        before = live_ids(site)
        if leg_id is not None and phase in ("ringing", "talk"):
            # Asterisk's naming of the second half of a Local channel given only `channelId`.
            assert {leg_id, f"{leg_id};2"} <= before
        await site.stream.close()  # the process dies; Asterisk keeps every channel

        cti_phase, expected = RESUMED[phase]
        second = RecordingDirector(
            plan=PLAN, resumption=Resumption(PLAN, cti_phase, agent_id="3001")
        )
        async with emulated_controller(site, second) as restarted:
            state = restarted.call(key.call_id)
            assert state is not None
            assert state.phase is expected
            after = live_ids(site)
            if phase == "ringing":
                # A ringing leg has no part in the resumed wait: the service offers again.
                assert leg_id not in after
                assert f"{leg_id};2" not in after
            else:
                assert after == before  # nothing of the adopted call was hung up
            if phase == "talk":
                assert (state.talk_leg, state.agent_id) == (leg_id, "3001")
            assert "talk_ended" not in second.names(key)
            await restarted.hangup(key)
            await asyncio.wait_for(second.finished_event(key).wait(), WAIT_S)
            await restarted.drain()
            assert restarted.stats()["lane_errors"] == 0
        assert site.emulator.core.list_channels() == []
    expected_names: list[Any] = ["call_adopted"]
    if phase == "talk":
        expected_names.append("talk_ended")
    assert second.names(key) == [*expected_names, "call_finished"]
    if phase == "talk":
        assert second.entries("talk_ended") == [{"agent_id": "3001", "ended_by": EndedBy.AGENT}]
