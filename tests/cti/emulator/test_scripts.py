"""Scripted agents and taxpayers on the pure core (manual clock, no sockets)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cti.emulator import AgentScript, Asterisk, LabConfig, ManualScheduler, TaxpayerScript
from cti.emulator.errors import AriError
from cti.emulator.scripts import AgentBehaviour

from .replay import API_DOCS

Event = dict[str, Any]


class RecordingSink:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def send(self, message: Event) -> None:
        self.events.append(message)

    def of_type(self, event_type: str) -> list[Event]:
        return [e for e in self.events if e["type"] == event_type]

    def for_channel(self, channel_id: str) -> list[Event]:
        return [e for e in self.events if e.get("channel", {}).get("id") == channel_id]


@pytest.fixture
def clock() -> ManualScheduler:
    return ManualScheduler()


@pytest.fixture
def core(clock: ManualScheduler) -> Iterator[Asterisk]:
    asterisk = Asterisk(clock, LabConfig(api_docs=str(API_DOCS)))
    yield asterisk
    assert asterisk.spec_errors == []  # scripted flows emit only events valid against api-docs


@pytest.fixture
def hotline(core: Asterisk) -> RecordingSink:
    sink = RecordingSink()
    core.apps.attach(["hotline"], sink, subscribe_all=False)
    return sink


def ring_agent(core: Asterisk, endpoint: str, timeout: float = 20) -> str:
    params = {"endpoint": endpoint, "app": "hotline", "appArgs": "agent", "timeout": f"{timeout:g}"}
    return str(core.originate(params, {})["id"])


def dial_statuses(sink: RecordingSink, channel_id: str) -> list[str]:
    return [e["dialstatus"] for e in sink.of_type("Dial") if e["peer"]["id"] == channel_id]


def destroyed_cause(sink: RecordingSink, channel_id: str) -> int:
    (event,) = [e for e in sink.of_type("ChannelDestroyed") if e["channel"]["id"] == channel_id]
    return int(event["cause"])


class TestAgentScripts:
    @pytest.mark.parametrize(
        ("script", "statuses", "cause"),
        [
            (AgentScript(answer_after_s=3), ["", "RINGING", "ANSWER"], None),
            (AgentScript(behaviour="busy", answer_after_s=1), ["", "RINGING", "BUSY"], 17),
            (AgentScript(behaviour="reject", answer_after_s=1), ["", "NOANSWER"], 21),
            (AgentScript(behaviour="no_answer"), ["", "RINGING"], 19),
        ],
    )
    def test_pjsip_agent_ends_with_the_right_dial_status_and_cause(
        self,
        core: Asterisk,
        clock: ManualScheduler,
        hotline: RecordingSink,
        script: AgentScript,
        statuses: list[str],
        cause: int | None,
    ) -> None:
        core.add_endpoint("PJSIP/agent1001", script)
        leg = ring_agent(core, "PJSIP/agent1001", timeout=8)
        clock.advance(10)
        assert dial_statuses(hotline, leg) == statuses
        if cause is None:
            assert [e["args"] for e in hotline.of_type("StasisStart")] == [["agent"]]
            assert core.channels[leg].state == "Up"
        else:
            assert destroyed_cause(hotline, leg) == cause
            assert not hotline.of_type("StasisStart")

    def test_agent_answers_after_the_scripted_delay(
        self, core: Asterisk, clock: ManualScheduler, hotline: RecordingSink
    ) -> None:
        core.add_endpoint("PJSIP/agent1001", AgentScript(answer_after_s=3))
        leg = ring_agent(core, "PJSIP/agent1001")
        clock.advance(2.9)
        assert not hotline.of_type("StasisStart")
        clock.advance(0.2)
        assert hotline.of_type("StasisStart")[0]["channel"]["id"] == leg

    def test_agent_with_talk_time_hangs_up_by_itself(
        self, core: Asterisk, clock: ManualScheduler, hotline: RecordingSink
    ) -> None:
        core.add_endpoint("PJSIP/agent1001", AgentScript(answer_after_s=1, talk_s=120))
        leg = ring_agent(core, "PJSIP/agent1001")
        clock.advance(100)
        assert leg in core.channels
        clock.advance(25)
        assert [e["type"] for e in hotline.for_channel(leg)][-3:] == [
            "StasisEnd",
            "ChannelVarset",
            "ChannelDestroyed",
        ]
        assert destroyed_cause(hotline, leg) == 16

    def test_unreachable_agent_cannot_be_allocated(self, core: Asterisk) -> None:
        core.add_endpoint("PJSIP/agent1009", AgentScript(behaviour="unreachable"))
        with pytest.raises(AriError) as refused:
            ring_agent(core, "PJSIP/agent1009")
        assert (refused.value.status, refused.value.body) == (500, {"error": "Allocation failed"})

    def test_scripted_local_extension_uses_the_local_pair_causes(
        self, core: Asterisk, clock: ManualScheduler, hotline: RecordingSink
    ) -> None:
        core.add_endpoint("Local/3001@agents", AgentScript(behaviour="busy", answer_after_s=1))
        leg = ring_agent(core, "Local/3001@agents")
        clock.advance(2)
        assert dial_statuses(hotline, leg)[-1] == "BUSY"
        assert destroyed_cause(hotline, leg) == 0  # Local `;1` reports 0, `;2` the real 17

    @pytest.mark.parametrize(
        ("behaviour", "last_status", "causes"),
        [
            # gotcha 6: `;1` ends with 0 and `;2` with the real cause for busy and congestion.
            ("busy", "BUSY", (0, 17)),
            ("congestion", "CONGESTION", (0, 34)),
            ("reject", "NOANSWER", (21, 21)),
            # The phone gives up while ringing: like a rejection, with normal clearing.
            ("hang_up", "NOANSWER", (16, 16)),
        ],
    )
    def test_local_refusals_give_both_halves_asterisks_causes(
        self,
        core: Asterisk,
        clock: ManualScheduler,
        hotline: RecordingSink,
        behaviour: AgentBehaviour,
        last_status: str,
        causes: tuple[int, int],
    ) -> None:
        core.add_endpoint("Local/3001@agents", AgentScript(behaviour=behaviour, answer_after_s=1))
        params = {"endpoint": "Local/3001@agents", "app": "hotline", "channelId": "leg"}
        core.originate(params, {})
        clock.advance(2)
        assert dial_statuses(hotline, "leg")[-1] == last_status
        assert (destroyed_cause(hotline, "leg"), destroyed_cause(hotline, "leg;2")) == causes

    def test_cancelling_a_ringing_agent_reports_noanswer_and_normal_clearing(
        self, core: Asterisk, clock: ManualScheduler, hotline: RecordingSink
    ) -> None:
        leg = ring_agent(core, "Local/2001@agents")
        clock.advance(1)
        core.api_hangup(core.channels[leg], 16)
        assert dial_statuses(hotline, leg)[-1] == "NOANSWER"
        assert destroyed_cause(hotline, leg) == 16


class TestTaxpayerScripts:
    def answer_inbound(self, core: Asterisk, hotline: RecordingSink) -> str:
        (start,) = hotline.of_type("StasisStart")
        channel_id = str(start["channel"]["id"])
        core.answer(channel_id)
        return channel_id

    def test_call_enters_stasis_in_state_ring_like_a_trunk_call(
        self, core: Asterisk, clock: ManualScheduler, hotline: RecordingSink
    ) -> None:
        ids = core.place_call(TaxpayerScript(caller_number="+8613800138000"))
        clock.advance(0)
        (start,) = hotline.of_type("StasisStart")
        assert start["channel"]["id"] == ids["channel_id"]
        assert start["channel"]["state"] == "Ring"
        assert start["args"] == ["inbound", "12366"]
        assert start["channel"]["caller"]["number"] == "+8613800138000"

    def test_dtmf_choices_arrive_one_event_per_digit(
        self, core: Asterisk, clock: ManualScheduler, hotline: RecordingSink
    ) -> None:
        core.place_call(TaxpayerScript(dtmf=((2.0, "1"), (3.0, "23#"))))
        clock.advance(0)
        line = self.answer_inbound(core, hotline)
        clock.advance(1.9)
        assert not hotline.of_type("ChannelDtmfReceived")
        clock.advance(10)
        digits = [e["digit"] for e in hotline.of_type("ChannelDtmfReceived")]
        assert digits == ["1", "2", "3", "#"]
        assert {e["channel"]["id"] for e in hotline.of_type("ChannelDtmfReceived")} == {line}
        assert {e["duration_ms"] for e in hotline.of_type("ChannelDtmfReceived")} == {100}

    def test_impatient_caller_abandons_the_queue(
        self, core: Asterisk, clock: ManualScheduler, hotline: RecordingSink
    ) -> None:
        core.place_call(TaxpayerScript(patience_s=30))
        clock.advance(0)
        line = self.answer_inbound(core, hotline)
        queue = core.create_bridge({"type": "holding"})
        core.add_channels(queue["id"], [line])
        clock.advance(29)
        assert not hotline.of_type("StasisEnd")
        clock.advance(2)
        assert [e["type"] for e in hotline.for_channel(line)][-3:] == [
            "ChannelHangupRequest",
            "ChannelLeftBridge",
            "StasisEnd",
        ]
        assert hotline.for_channel(line)[-3]["cause"] == 16

    def test_patient_caller_stays_once_talking_to_an_agent(
        self, core: Asterisk, clock: ManualScheduler, hotline: RecordingSink
    ) -> None:
        core.place_call(TaxpayerScript(patience_s=30, hangup_after_answer_s=600))
        clock.advance(0)
        line = self.answer_inbound(core, hotline)
        leg = ring_agent(core, "Local/1001@agents")
        clock.advance(3)
        call = core.create_bridge({"type": "mixing"})
        core.add_channels(call["id"], [line, leg])
        clock.advance(60)
        assert line in core.channels

    def test_caller_presses_on_prompt_and_answers_the_survey(
        self, core: Asterisk, clock: ManualScheduler, hotline: RecordingSink
    ) -> None:
        script = TaxpayerScript(press_on_prompt={"sound:hello-world": "2"}, survey_digit="5")
        core.place_call(script)
        clock.advance(0)
        line = self.answer_inbound(core, hotline)
        core.play(f"channel:{line}", ["sound:hello-world"], "menu", "en")
        clock.advance(2)
        assert [e["digit"] for e in hotline.of_type("ChannelDtmfReceived")] == ["2"]
        leg = ring_agent(core, "Local/1001@agents")
        clock.advance(3)
        call = core.create_bridge({"type": "mixing"})
        core.add_channels(call["id"], [line, leg])
        core.api_hangup(core.channels[leg], 16)
        core.play(f"channel:{line}", ["sound:queue-thankyou"], "survey", "en")
        clock.advance(2)
        assert [e["digit"] for e in hotline.of_type("ChannelDtmfReceived")] == ["2", "5"]
