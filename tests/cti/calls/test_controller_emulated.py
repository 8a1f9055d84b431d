"""Whole calls over real HTTP and WebSocket against the in-process ARI emulator."""

from __future__ import annotations

import pytest

from cti.calls.ports import CallPhase, EndedBy, LegFailure
from cti.emulator import AgentScript, TaxpayerScript
from tests.cti.calls.emulated import (
    LANGUAGE_PROMPT,
    LINE_PROMPT,
    RecordingDirector,
    emulated_site,
    offer_to,
)

CHOOSES_ZH_NATIONAL = {LANGUAGE_PROMPT: "1", LINE_PROMPT: "1"}


@pytest.mark.asyncio
async def test_answered_call_with_survey() -> None:
    director = RecordingDirector(on_ivr_completed=offer_to("PJSIP/1001", "1001"))
    async with emulated_site(director) as site:
        site.emulator.add_endpoint("PJSIP/1001", AgentScript(answer_after_s=2.0, talk_s=5.0))
        placed = site.emulator.place_call(
            TaxpayerScript(press_on_prompt=CHOOSES_ZH_NATIONAL, survey_digit="4")
        )
        key = site.call_key(placed)
        await site.finished(key)
    assert director.names(key) == [
        "call_arrived",
        "ivr_completed",
        "offer_answered",
        "talk_ended",
        "survey_answered",
        "call_finished",
    ]
    assert director.entries("ivr_completed") == [{"language": "zh", "line": "national_tax"}]
    assert director.entries("talk_ended") == [{"agent_id": "1001", "ended_by": EndedBy.AGENT}]
    assert director.entries("survey_answered") == [{"score": 4}]


@pytest.mark.asyncio
async def test_caller_abandons_in_the_ivr() -> None:
    director = RecordingDirector()
    async with emulated_site(director) as site:
        placed = site.emulator.place_call(TaxpayerScript(hangup_after_answer_s=2.0))
        key = site.call_key(placed)
        await site.finished(key)
    assert director.names(key) == ["call_arrived", "caller_left", "call_finished"]
    assert director.entries("caller_left") == [{"phase": CallPhase.IVR}]


@pytest.mark.asyncio
async def test_caller_abandons_in_the_queue() -> None:
    director = RecordingDirector()  # nobody is offered the call
    async with emulated_site(director) as site:
        placed = site.emulator.place_call(
            TaxpayerScript(press_on_prompt=CHOOSES_ZH_NATIONAL, patience_s=15.0)
        )
        key = site.call_key(placed)
        await site.finished(key)
    assert director.names(key) == ["call_arrived", "ivr_completed", "caller_left", "call_finished"]
    assert director.entries("caller_left") == [{"phase": CallPhase.QUEUE}]


@pytest.mark.asyncio
async def test_caller_abandons_while_the_agent_rings() -> None:
    director = RecordingDirector(on_ivr_completed=offer_to("PJSIP/2001", "2001", 60.0))
    async with emulated_site(director) as site:
        site.emulator.add_endpoint("PJSIP/2001", AgentScript(behaviour="no_answer"))
        placed = site.emulator.place_call(
            TaxpayerScript(press_on_prompt=CHOOSES_ZH_NATIONAL, patience_s=15.0)
        )
        key = site.call_key(placed)
        await site.finished(key)
        assert site.emulator.core.state_summary()["channels"] == []
    assert director.names(key) == [
        "call_arrived",
        "ivr_completed",
        "caller_left",
        "offer_failed",
        "call_finished",
    ]
    assert director.entries("caller_left") == [{"phase": CallPhase.RINGING}]
    assert director.entries("offer_failed") == [
        {"agent_id": "2001", "failure": LegFailure.CANCELLED}
    ]


@pytest.mark.parametrize(
    ("endpoint", "script", "failure"),
    [
        ("PJSIP/2002", AgentScript(behaviour="busy", answer_after_s=1.0), LegFailure.BUSY),
        ("PJSIP/2001", AgentScript(behaviour="no_answer"), LegFailure.NO_ANSWER),
        ("PJSIP/2004", AgentScript(behaviour="reject", answer_after_s=1.0), LegFailure.REJECTED),
        ("PJSIP/2005", AgentScript(behaviour="unreachable"), LegFailure.UNREACHABLE),
        ("Local/9999@agents", None, LegFailure.UNREACHABLE),
    ],
    ids=["busy", "no_answer", "rejected", "unreachable", "no_such_extension"],
)
@pytest.mark.asyncio
async def test_agent_leg_failures_are_classified_and_the_call_waits_on(
    endpoint: str, script: AgentScript | None, failure: LegFailure
) -> None:
    async def hang_up(director: RecordingDirector, key: object) -> None:
        assert director.control is not None
        await director.control.hangup(site_key)

    director = RecordingDirector(
        on_ivr_completed=offer_to(endpoint, "agent", 4.0), on_offer_failed=hang_up
    )
    async with emulated_site(director) as site:
        if script is not None:
            site.emulator.add_endpoint(endpoint, script)
        placed = site.emulator.place_call(TaxpayerScript(press_on_prompt=CHOOSES_ZH_NATIONAL))
        site_key = site.call_key(placed)
        await site.finished(site_key)
    assert director.entries("offer_failed") == [{"agent_id": "agent", "failure": failure}]
    assert director.names(site_key)[-2:] == ["offer_failed", "call_finished"]
    assert "caller_left" not in director.names(site_key)
