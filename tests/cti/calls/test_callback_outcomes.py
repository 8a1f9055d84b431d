"""Every end of a callback's taxpayer leg, with the causes a real Asterisk gives, is reported
as the callback contract says (``CallControl.place_callback``): ``caller_left(RINGING)``, the
failure in the journal, and nothing left on the line.

The taxpayer is dialled as a PJSIP device and, as in the lab, as a Local channel whose `;2`
half runs the scripted phone (gotcha 6: the `;1` half then ends with cause 0 for busy and
congestion, the real cause being on `;2`).
"""

from __future__ import annotations

import asyncio

import pytest

from cti.calls.ports import CallKey, CallPhase, LegFailure
from cti.emulator import AgentScript
from tests.cti.calls.emulated import SITE, RecordingDirector, Site, emulated_site
from tests.waiting import WAIT_S

NUMBER = "13900000000"
AGENT = AgentScript(answer_after_s=1.0)
# behaviour of the taxpayer's phone -> how the controller classifies the failed leg
OUTCOMES: dict[str, tuple[AgentScript | None, LegFailure]] = {
    "no_answer": (AgentScript(behaviour="no_answer"), LegFailure.NO_ANSWER),
    "busy": (AgentScript(behaviour="busy", answer_after_s=1.0), LegFailure.BUSY),
    "congestion": (AgentScript(behaviour="congestion", answer_after_s=1.0), LegFailure.UNREACHABLE),
    "rejected": (AgentScript(behaviour="reject", answer_after_s=1.0), LegFailure.REJECTED),
    "unreachable": (None, LegFailure.UNREACHABLE),  # no such endpoint / extension
    # The phone gives up while ringing: Dial ends NOANSWER, the cause is 16 (normal clearing).
    "hangs_up": (AgentScript(behaviour="hang_up", answer_after_s=1.0), LegFailure.NO_ANSWER),
}
TEMPLATES = {
    "pjsip": ("PJSIP/{number}", "PJSIP/" + NUMBER),
    "local": (
        "Local/{number}@taxpayers",
        f"Local/{NUMBER}@taxpayers",
    ),
}


async def place(site: Site, key: CallKey) -> None:
    site.emulator.add_endpoint("PJSIP/1001", AGENT)
    await site.controller.place_callback(
        key,
        agent_id="1001",
        agent_endpoint="PJSIP/1001",
        taxpayer_number=NUMBER,
        ring_timeout_s=5.0,
    )


# The Q.850 cause of the `;1` half's ChannelDestroyed on a real Asterisk (gotcha 6 table).
LOCAL_CAUSES = {
    "no_answer": 19,
    "busy": 0,
    "congestion": 0,
    "rejected": 21,
    "unreachable": 0,
    "hangs_up": 16,
}


def failures(director: RecordingDirector, key: CallKey) -> list[tuple[object, object]]:
    return [
        (data["failure"], data["cause"])
        for k, kind, data in director.journal_data
        if k == key and kind == "callback_taxpayer_failed"
    ]


@pytest.mark.asyncio
@pytest.mark.parametrize("technology", list(TEMPLATES))
@pytest.mark.parametrize("outcome", list(OUTCOMES))
async def test_a_taxpayer_not_reached_is_reported_once_as_caller_left(
    outcome: str, technology: str
) -> None:
    script, expected = OUTCOMES[outcome]
    template, endpoint = TEMPLATES[technology]
    director = RecordingDirector()
    key = CallKey(SITE, f"callback-{outcome}-{technology}")
    async with emulated_site(director, trunk_endpoint=template) as site:
        if script is not None:
            site.emulator.add_endpoint(endpoint, script)
        await place(site, key)
        await site.finished(key)
        assert site.emulator.core.list_channels() == []
    assert director.names(key) == ["caller_left", "call_finished"]
    assert director.entries("caller_left") == [{"phase": CallPhase.RINGING}]
    ((failure, cause),) = failures(director, key)
    assert failure == expected.value
    if technology == "local":
        assert cause == LOCAL_CAUSES[outcome]


@pytest.mark.asyncio
async def test_the_agent_hanging_up_while_the_taxpayer_rings_is_not_reached() -> None:
    director = RecordingDirector()
    key = CallKey(SITE, "callback-agent-leaves")
    async with emulated_site(director) as site:
        site.emulator.add_endpoint("PJSIP/1001", AgentScript(answer_after_s=1.0, talk_s=2.0))
        site.emulator.add_endpoint(f"PJSIP/{NUMBER}", AgentScript(behaviour="no_answer"))
        await site.controller.place_callback(
            key,
            agent_id="1001",
            agent_endpoint="PJSIP/1001",
            taxpayer_number=NUMBER,
            ring_timeout_s=30.0,
        )
        await asyncio.wait_for(director.finished_event(key).wait(), WAIT_S)
        await site.controller.drain()
        assert site.emulator.core.list_channels() == []
    # Never "offer_failed(cancelled)", which the service reads as "routing already knows".
    assert director.names(key) == ["caller_left", "call_finished"]
    assert failures(director, key) == [("agent_left", None)]
