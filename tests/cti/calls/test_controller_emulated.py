"""Whole calls over real HTTP and WebSocket against the in-process ARI emulator."""

from __future__ import annotations

import asyncio

import pytest

from cti.calls.controller import WrongSiteError
from cti.calls.ports import CallKey, CallPhase, EndedBy, IvrPlan, LegFailure, Resumption
from cti.emulator import AgentScript, TaxpayerScript
from tests.cti.calls.emulated import (
    CLOSED_PLAN,
    LANGUAGE_PROMPT,
    LINE_PROMPT,
    SITE,
    RecordingDirector,
    emulated_controller,
    emulated_site,
    offer_to,
)
from tests.waiting import WAIT_S

CHOOSES_ZH_NATIONAL = {LANGUAGE_PROMPT: "1", LINE_PROMPT: "1"}


@pytest.mark.parametrize("race", ["events_first", "response_first", "random(7)"])
@pytest.mark.asyncio
async def test_answered_call_with_survey(race: str) -> None:
    director = RecordingDirector(on_ivr_completed=offer_to("PJSIP/1001", "1001"))
    async with emulated_site(director, race=race) as site:
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
    journal = [kind for k, kind in director.journal_log if k == key]
    assert journal[:2] == ["event:CallerArrived", "arrived"]
    assert "event:LegAnswered" in journal


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
        # The caller hangs up once queued, not after a 15 s patience that a stall of a loaded
        # machine (a minute of emulated time) could spend while the IVR was still playing.
        placed = site.emulator.place_call(TaxpayerScript(press_on_prompt=CHOOSES_ZH_NATIONAL))
        key = site.call_key(placed)
        await site.until(lambda: "ivr_completed" in director.names(key))
        core = site.emulator.core
        core.device_hangup(core.channels[str(placed["channel_id"])], 16)
        await site.finished(key)
    assert director.names(key) == ["call_arrived", "ivr_completed", "caller_left", "call_finished"]
    assert director.entries("caller_left") == [{"phase": CallPhase.QUEUE}]


@pytest.mark.asyncio
async def test_caller_abandons_while_the_agent_rings() -> None:
    # The caller hangs up once the agent's phone rings, rather than after a patience: at 40
    # emulated seconds per real one, a stall of a second or two on a loaded machine is a minute
    # of emulated time, and a 15 s patience could run out before the agent's leg rang (seen:
    # caller_left then call_finished, no offer_failed). The ring timeout is an hour, so that
    # the ring cannot time out first either.
    director = RecordingDirector(on_ivr_completed=offer_to("PJSIP/2001", "2001", 3600.0))
    async with emulated_site(director) as site:
        site.emulator.add_endpoint("PJSIP/2001", AgentScript(behaviour="no_answer"))
        placed = site.emulator.place_call(TaxpayerScript(press_on_prompt=CHOOSES_ZH_NATIONAL))
        key = site.call_key(placed)
        core = site.emulator.core

        def ringing() -> bool:
            return any(c.name.startswith("PJSIP/2001") for c in core.channels.values())

        await site.until(ringing)
        core.device_hangup(core.channels[str(placed["channel_id"])], 16)
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
    async def hang_up(director: RecordingDirector, key: CallKey) -> None:
        assert director.control is not None
        await director.control.hangup(key)

    director = RecordingDirector(
        on_ivr_completed=offer_to(endpoint, "agent", 4.0), on_offer_failed=hang_up
    )
    async with emulated_site(director) as site:
        if script is not None:
            site.emulator.add_endpoint(endpoint, script)
        placed = site.emulator.place_call(TaxpayerScript(press_on_prompt=CHOOSES_ZH_NATIONAL))
        key = site.call_key(placed)
        await site.finished(key)
    assert director.entries("offer_failed") == [{"agent_id": "agent", "failure": failure}]
    assert director.names(key)[-2:] == ["offer_failed", "call_finished"]
    assert "caller_left" not in director.names(key)


@pytest.mark.asyncio
async def test_closed_hours_message_with_a_callback_request() -> None:
    director = RecordingDirector(plan=CLOSED_PLAN)
    async with emulated_site(director) as site:
        placed = site.emulator.place_call(TaxpayerScript(press_on_prompt={"sound:vm-Urgent": "1"}))
        key = site.call_key(placed)
        await site.finished(key)
    assert director.names(key) == ["call_arrived", "callback_accepted", "call_finished"]


@pytest.mark.asyncio
async def test_announcement_and_callback_offer_while_queued() -> None:
    director = RecordingDirector()

    def started() -> list[str]:
        return [
            fields["playback"]["media_uri"]
            for kind, fields in site.emulator.core.emitted
            if kind == "PlaybackStarted"
        ]

    async with emulated_site(director) as site:
        placed = site.emulator.place_call(
            TaxpayerScript(press_on_prompt={**CHOOSES_ZH_NATIONAL, "sound:queue-callswaiting": "1"})
        )
        key = site.call_key(placed)
        await site.until(lambda: "ivr_completed" in director.names(key))
        await site.controller.announce(key, position=2, expected_wait_s=90.0)
        await site.until(lambda: "sound:queue-minutes" in started())
        await site.controller.offer_callback(key)
        await site.finished(key)
        media = started()
    assert director.names(key) == [
        "call_arrived",
        "ivr_completed",
        "callback_accepted",
        "call_finished",
    ]
    announcement = ["sound:queue-thereare", "number:2", "sound:queue-holdtime", "number:2"]
    assert media[3:7] == announcement  # 90 s is announced as 2 minutes
    assert media[-1] == "sound:queue-thankyou"  # the confirmation before hanging up


@pytest.mark.asyncio
async def test_hold_unhold_then_hang_up_from_the_api() -> None:
    held: list[bool] = []

    async def hold_unhold_hangup(director: RecordingDirector, key: CallKey) -> None:
        assert director.control is not None
        await director.control.hold(key)
        await site.controller.drain()
        held.append(site.emulator.core.channels[key.call_id].on_hold)
        await director.control.unhold(key)
        await site.controller.drain()
        held.append(site.emulator.core.channels[key.call_id].on_hold)
        await director.control.hangup(key)

    director = RecordingDirector(on_ivr_completed=offer_to("PJSIP/1001", "1001"))
    async with emulated_site(director) as site:
        site.emulator.add_endpoint("PJSIP/1001", AgentScript(answer_after_s=1.0))
        placed = site.emulator.place_call(TaxpayerScript(press_on_prompt=CHOOSES_ZH_NATIONAL))
        key = site.call_key(placed)
        await site.until(lambda: "offer_answered" in director.names(key))
        await hold_unhold_hangup(director, key)
        await site.finished(key)
        assert site.emulator.core.state_summary()["channels"] == []
    assert held == [True, False]
    assert director.entries("talk_ended") == [{"agent_id": "1001", "ended_by": EndedBy.AGENT}]
    assert "caller_left" not in director.names(key)
    assert "survey_answered" not in director.names(key)


@pytest.mark.asyncio
async def test_blind_transfer_to_another_agent() -> None:
    async def transfer_once(director: RecordingDirector, key: CallKey) -> None:
        assert director.control is not None
        if len(director.entries("offer_answered")) == 1:
            await director.control.transfer(
                key, agent_id="1002", endpoint="PJSIP/1002", ring_timeout_s=10.0
            )

    director = RecordingDirector(
        on_ivr_completed=offer_to("PJSIP/1001", "1001"), on_offer_answered=transfer_once
    )
    async with emulated_site(director) as site:
        site.emulator.add_endpoint("PJSIP/1001", AgentScript(answer_after_s=1.0))
        site.emulator.add_endpoint("PJSIP/1002", AgentScript(answer_after_s=2.0, talk_s=3.0))
        placed = site.emulator.place_call(
            TaxpayerScript(press_on_prompt=CHOOSES_ZH_NATIONAL, survey_digit="5")
        )
        key = site.call_key(placed)
        await site.finished(key)
    assert director.names(key) == [
        "call_arrived",
        "ivr_completed",
        "offer_answered",
        "transfer_answered",
        "talk_ended",
        "survey_answered",
        "call_finished",
    ]
    assert director.entries("transfer_answered") == [{"agent_id": "1002"}]
    assert director.entries("talk_ended") == [{"agent_id": "1002", "ended_by": EndedBy.AGENT}]
    assert director.entries("survey_answered") == [{"score": 5}]


@pytest.mark.asyncio
async def test_blind_transfer_to_a_queue_puts_the_caller_back_to_wait() -> None:
    """The first agent's leg is hung up, the caller waits in the call bridge with its music
    again, and the agent the service offers next talks with them in the same call."""
    waiting: list[dict[str, object]] = []

    async def requeue_once(director: RecordingDirector, key: CallKey) -> None:
        assert director.control is not None
        if len(director.entries("offer_answered")) == 1:
            await director.control.requeue(key, line="local_tax", language="en")

    async def offer_the_new_queue(director: RecordingDirector, key: CallKey) -> None:
        core = site.emulator.core
        bridge = next(b for b in core.bridges.values() if key.call_id in b.channel_ids)
        waiting.append(
            {
                "moh": bridge.moh_helper is not None,
                "agent_legs": len(bridge.channel_ids) - 1,
            }
        )
        await offer_to("PJSIP/1002", "1002")(director, key)

    director = RecordingDirector(
        on_ivr_completed=offer_to("PJSIP/1001", "1001"),
        on_offer_answered=requeue_once,
        on_requeued=offer_the_new_queue,
    )
    async with emulated_site(director) as site:
        site.emulator.add_endpoint("PJSIP/1001", AgentScript(answer_after_s=1.0))
        site.emulator.add_endpoint("PJSIP/1002", AgentScript(answer_after_s=2.0, talk_s=3.0))
        placed = site.emulator.place_call(
            TaxpayerScript(press_on_prompt=CHOOSES_ZH_NATIONAL, survey_digit="4")
        )
        key = site.call_key(placed)
        await site.finished(key)
        assert site.emulator.core.state_summary()["channels"] == []
    assert director.names(key) == [
        "call_arrived",
        "ivr_completed",
        "offer_answered",
        "requeued",
        "offer_answered",
        "talk_ended",
        "survey_answered",
        "call_finished",
    ]
    assert director.entries("requeued") == [
        {"agent_id": "1001", "line": "local_tax", "language": "en"}
    ]
    assert waiting == [{"moh": True, "agent_legs": 0}]
    assert [e["agent_id"] for e in director.entries("offer_answered")] == ["1001", "1002"]
    assert director.entries("talk_ended") == [{"agent_id": "1002", "ended_by": EndedBy.AGENT}]
    assert "requeue" in {kind for _, kind in director.journal_log}


@pytest.mark.asyncio
async def test_callback_dials_the_agent_then_the_taxpayer() -> None:
    director = RecordingDirector()
    key = CallKey(SITE, "callback-1")
    async with emulated_site(director) as site:
        site.emulator.add_endpoint("PJSIP/1001", AgentScript(answer_after_s=1.0))
        site.emulator.add_endpoint("PJSIP/13800138000", AgentScript(answer_after_s=2.0, talk_s=3.0))
        await site.controller.place_callback(
            key,
            agent_id="1001",
            agent_endpoint="PJSIP/1001",
            taxpayer_number="13800138000",
            ring_timeout_s=10.0,
        )
        await site.finished(key)
    assert director.names(key) == ["offer_answered", "talk_ended", "call_finished"]
    assert director.entries("talk_ended") == [{"agent_id": "1001", "ended_by": EndedBy.CALLER}]


@pytest.mark.asyncio
async def test_callback_taxpayer_who_does_not_answer_is_reported() -> None:
    director = RecordingDirector()
    key = CallKey(SITE, "callback-2")
    async with emulated_site(director) as site:
        site.emulator.add_endpoint("PJSIP/1001", AgentScript(answer_after_s=1.0))
        site.emulator.add_endpoint("PJSIP/13900000000", AgentScript(behaviour="no_answer"))
        await site.controller.place_callback(
            key,
            agent_id="1001",
            agent_endpoint="PJSIP/1001",
            taxpayer_number="13900000000",
            ring_timeout_s=5.0,
        )
        await site.finished(key)
        assert site.emulator.core.state_summary()["channels"] == []
    assert director.names(key) == ["caller_left", "call_finished"]
    assert director.entries("caller_left") == [{"phase": CallPhase.RINGING}]


@pytest.mark.asyncio
async def test_websocket_loss_mid_call_is_reconciled_by_the_resync() -> None:
    director = RecordingDirector(on_ivr_completed=offer_to("PJSIP/1001", "1001"))
    async with emulated_site(director) as site:
        site.emulator.add_endpoint("PJSIP/1001", AgentScript(answer_after_s=1.0))
        placed = site.emulator.place_call(TaxpayerScript(press_on_prompt=CHOOSES_ZH_NATIONAL))
        key = site.call_key(placed)
        await site.until(lambda: "offer_answered" in director.names(key))
        await site.stream.close()  # the socket is gone; Asterisk drops the events meanwhile
        site.emulator.core.hang_up_taxpayer(str(placed["phone_channel_id"]))
        await site.until(lambda: key.call_id not in site.emulator.core.channels)
        assert director.names(key)[-1] == "offer_answered"  # nobody told us yet
        site.stream.start()
        await site.finished(key)
        assert site.stream.health.reconnects == 1
        assert site.emulator.core.state_summary()["channels"] == []
    assert director.entries("talk_ended") == [{"agent_id": "1001", "ended_by": EndedBy.CALLER}]
    assert director.names(key)[-1] == "call_finished"


@pytest.mark.asyncio
async def test_commands_for_another_site_are_refused() -> None:
    async with emulated_site(RecordingDirector()) as site:
        with pytest.raises(WrongSiteError):
            await site.controller.offer(
                CallKey("sh", "x"), agent_id="1", endpoint="PJSIP/1", ring_timeout_s=5.0
            )
        await site.controller.hangup(CallKey(SITE, "no-such-call"))  # late: a no-op
        assert site.controller.active_calls == 0


@pytest.mark.asyncio
async def test_a_restarted_controller_adopts_the_waiting_caller() -> None:
    first = RecordingDirector()
    async with emulated_site(first) as site:
        placed = site.emulator.place_call(TaxpayerScript(press_on_prompt=CHOOSES_ZH_NATIONAL))
        key = site.call_key(placed)
        await site.until(lambda: "ivr_completed" in first.names(key))
        old_bridges = [bridge["id"] for bridge in site.emulator.core.list_bridges()]
        assert len(old_bridges) == 1
        # A new process: fresh controller, fresh stream, same Asterisk.
        second = RecordingDirector(plan=IvrPlan(open=True, greeting="sound:hello-world"))
        second.on_ivr_completed = offer_to("PJSIP/1001", "1001")
        site.emulator.add_endpoint("PJSIP/1001", AgentScript(answer_after_s=1.0, talk_s=2.0))
        await site.stream.close()
        async with emulated_controller(site, second) as restarted:
            await asyncio.wait_for(second.finished_event(key).wait(), WAIT_S)
            await restarted.drain()
        bridges = [bridge["id"] for bridge in site.emulator.core.list_bridges()]
    assert second.names(key)[:3] == ["call_adopted", "ivr_completed", "offer_answered"]
    assert second.names(key)[-1] == "call_finished"
    assert old_bridges[0] not in bridges  # the orphan bridge of the old process was removed


@pytest.mark.asyncio
async def test_a_restarted_controller_keeps_a_queued_caller_waiting_where_it_was() -> None:
    first = RecordingDirector()
    async with emulated_site(first) as site:
        placed = site.emulator.place_call(TaxpayerScript(press_on_prompt=CHOOSES_ZH_NATIONAL))
        key = site.call_key(placed)
        await site.until(lambda: "ivr_completed" in first.names(key))
        (old_bridge,) = [bridge["id"] for bridge in site.emulator.core.list_bridges()]
        plan = IvrPlan(open=True, greeting="sound:hello-world")
        second = RecordingDirector(plan=plan, resumption=Resumption(plan, CallPhase.QUEUE))
        site.emulator.add_endpoint("PJSIP/1001", AgentScript(answer_after_s=1.0, talk_s=2.0))
        await site.stream.close()
        async with emulated_controller(site, second) as restarted:
            state = restarted.call(key.call_id)
            assert state is not None
            assert (state.phase.value, state.bridge_id) == ("queued", old_bridge)
            # What the service does once the sites are back: offer it again.
            await restarted.offer(key, agent_id="1001", endpoint="PJSIP/1001", ring_timeout_s=9)
            await asyncio.wait_for(second.finished_event(key).wait(), WAIT_S)
            await restarted.drain()
    assert second.names(key)[:2] == ["call_adopted", "offer_answered"]
    assert "ivr_completed" not in second.names(key)
    assert second.names(key)[-1] == "call_finished"


@pytest.mark.asyncio
async def test_an_offer_ringing_when_the_link_dropped_is_lost_not_blamed_on_the_agent() -> None:
    """The agent's phone was ringing when the websocket went; it stopped ringing while nobody
    listened (the events were dropped, never replayed). The resync finds the leg gone with no
    cause: that is not the agent's doing, so the failure is LOST (routing counts no miss),
    where it used to be UNREACHABLE (the agent set not ready)."""

    async def hang_up(director: RecordingDirector, key: CallKey) -> None:
        assert director.control is not None
        await director.control.hangup(key)

    director = RecordingDirector(
        on_ivr_completed=offer_to("PJSIP/2001", "2001", 2.0), on_offer_failed=hang_up
    )
    async with emulated_site(director) as site:
        site.emulator.add_endpoint("PJSIP/2001", AgentScript(behaviour="no_answer"))
        placed = site.emulator.place_call(TaxpayerScript(press_on_prompt=CHOOSES_ZH_NATIONAL))
        key = site.call_key(placed)
        core = site.emulator.core

        def ringing() -> bool:
            return any(c.name.startswith("PJSIP/2001") for c in core.channels.values())

        await site.until(ringing)
        await site.stream.close()  # the link drops with the agent's phone ringing
        await site.until(lambda: not ringing())  # the ring timed out unseen
        assert "offer_failed" not in director.names(key)
        site.stream.start()
        await site.finished(key)
    assert director.entries("offer_failed") == [{"agent_id": "2001", "failure": LegFailure.LOST}]
