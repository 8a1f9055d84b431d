"""The controller shell with a fake ARI: failures become events, resync, unknown input."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from cti.ari.events import parse_event
from cti.ari.models import Bridge, Channel
from cti.calls.controller import ID_PREFIX, RESYNC_READS, ControllerOptions, SiteCallController
from cti.calls.ports import CallKey, CallPhase, EndedBy, IvrPlan, LegFailure, Resumption
from cti.errors import AriNotFoundError, AriUnavailableError, http_error
from tests.cti.ari.ari_traces import trace_events
from tests.cti.calls.emulated import RecordingDirector
from tests.cti.calls.replay import ReplayAri

SITE = "lab"
PLAN = IvrPlan(open=True, greeting="sound:hello-world")


def _stasis_start() -> dict[str, Any]:
    return next(e for e in trace_events("answered_call") if e["type"] == "StasisStart")


def _channel(
    channel_id: str, app_data: str = "hotline,inbound,12366", state: str = "Up"
) -> Channel:
    raw = {**_stasis_start()["channel"], "id": channel_id, "state": state}
    raw["dialplan"] = {**raw["dialplan"], "app_name": "Stasis", "app_data": app_data}
    return Channel.model_validate(raw)


class FakeAri(ReplayAri):
    """No recording: every play fails (a missing sound), originates follow ``outcome``."""

    def __init__(self, outcome: Exception | None = None) -> None:
        super().__init__(trace=())
        self.outcome = outcome
        self.channels: list[Channel] = []
        self.bridges: list[Bridge] = []

    async def originate(
        self,
        endpoint: str,
        *,
        channel_id: str | None = None,
        app: str | None = None,
        app_args: str | Sequence[str] | None = None,
        caller_id: str | None = None,
        timeout: int | None = None,
    ) -> Channel:
        self._log("originate", endpoint, channel_id)
        if self.outcome is not None:
            raise self.outcome
        assert channel_id is not None
        return _channel(channel_id)

    async def hangup(self, channel_id: str, *, reason: str | None = None) -> None:
        self._log("hangup", channel_id)
        raise AriNotFoundError(404, "Channel not found", "DELETE", "/ari/channels/x")

    async def list_channels(self) -> list[Channel]:
        return self.channels

    async def list_bridges(self) -> list[Bridge]:
        return self.bridges


async def _queued_call(
    ari: FakeAri, director: RecordingDirector
) -> tuple[SiteCallController, CallKey]:
    controller = SiteCallController(SITE, ari, director, options=ControllerOptions())
    director.control = controller
    await controller.handle_event(SITE, parse_event(_stasis_start()))
    await controller.drain()
    (key,) = director.keys()
    return controller, key


@pytest.mark.parametrize(
    "error",
    [
        http_error(500, "Allocation failed", "POST", "/ari/channels"),
        http_error(400, "Invalid endpoint specified", "POST", "/ari/channels"),
        AriUnavailableError("POST /ari/channels: timed out"),
    ],
    ids=["500", "400", "lost-answer"],
)
@pytest.mark.asyncio
async def test_a_refused_or_lost_originate_is_an_unreachable_agent(error: Exception) -> None:
    ari = FakeAri(outcome=error)
    director = RecordingDirector(plan=PLAN)
    controller, key = await _queued_call(ari, director)
    await controller.offer(key, agent_id="a1", endpoint="PJSIP/a1", ring_timeout_s=5.0)
    await controller.drain()
    assert director.entries("offer_failed") == [
        {"agent_id": "a1", "failure": LegFailure.UNREACHABLE}
    ]
    assert [name for name, _ in ari.requests].count("originate") == 1  # never re-sent
    assert controller.call(key.call_id) is not None
    await controller.close()


@pytest.mark.asyncio
async def test_a_failing_director_does_not_stop_the_call() -> None:
    class Grumpy(RecordingDirector):
        async def call_arrived(self, call: Any) -> IvrPlan:
            raise RuntimeError("database down")

        async def ivr_completed(self, key: CallKey, *, language: str, line: str) -> None:
            raise RuntimeError("routing down")

    ari = FakeAri()
    controller = SiteCallController(SITE, ari, Grumpy(), options=ControllerOptions())
    await controller.handle_event(SITE, parse_event(_stasis_start()))
    await controller.drain()
    (state,) = [controller.call(c) for c in ["hotline-lab-1795325526.1"]]
    assert state is not None
    assert state.phase.value == "queued"  # the fallback plan carried the caller on
    assert controller.stats()["director_errors"] == 2
    await controller.close()


@pytest.mark.asyncio
async def test_events_of_no_interest_or_unknown_calls_are_ignored() -> None:
    ari = FakeAri()
    director = RecordingDirector(plan=PLAN)
    controller, key = await _queued_call(ari, director)
    for event in trace_events("abandoned_in_queue"):
        if event["type"] not in ("StasisStart", "StasisEnd", "ChannelHangupRequest"):
            await controller.handle_event(SITE, parse_event(event))
    await controller.handle_event("elsewhere", parse_event(_stasis_start()))
    await controller.drain()
    assert director.names(key) == ["call_arrived", "ivr_completed"]
    assert controller.active_calls == 1
    await controller.close()


@pytest.mark.asyncio
async def test_resync_reports_what_was_missed_and_cleans_up() -> None:
    ari = FakeAri()
    director = RecordingDirector(plan=PLAN)
    controller, key = await _queued_call(ari, director)
    await controller.offer(key, agent_id="a1", endpoint="PJSIP/a1", ring_timeout_s=5.0)
    await controller.drain()
    orphan = Bridge.model_validate(
        {
            **(await ari.create_bridge(bridge_id=f"{ID_PREFIX}-gone-br1")).model_dump(),
            "creationtime": "2026-11-22T05:32:06.878+0000",
        }
    )
    ari.bridges = [orphan]
    ari.channels = [_channel("stranger"), _channel("not-ours", app_data="other,inbound,1")]
    await controller.resync(SITE)
    # Our caller and its ringing leg vanished while the socket was down.
    assert director.entries("caller_left") == [{"phase": CallPhase.RINGING}]
    assert director.entries("offer_failed") == [{"agent_id": "a1", "failure": LegFailure.CANCELLED}]
    assert director.names(key)[-1] == "call_finished"
    # The live inbound channel of our app is adopted; the other app's channel is left alone.
    adopted = CallKey(SITE, "stranger")
    assert director.names(adopted)[:2] == ["call_adopted", "ivr_completed"]
    assert ("answer", ("stranger",)) not in ari.requests  # it was Up: answered before
    assert ("destroy_bridge", (orphan.id,)) in ari.requests
    assert controller.call("not-ours") is None
    await controller.close()


def _bridge(bridge_id: str, *channels: str) -> Bridge:
    return Bridge.model_validate(
        {
            "id": bridge_id,
            "technology": "simple_bridge",
            "bridge_type": "mixing",
            "bridge_class": "stasis",
            "creator": "Stasis",
            "name": "",
            "channels": list(channels),
            "creationtime": "2026-11-22T05:32:06.878+0000",
            "video_mode": "none",
        }
    )


async def _restarted(
    ari: FakeAri, resumption: Resumption
) -> tuple[SiteCallController, RecordingDirector]:
    director = RecordingDirector(plan=PLAN, resumption=resumption)
    controller = SiteCallController(SITE, ari, director, options=ControllerOptions())
    director.control = controller
    await controller.resync(SITE)
    return controller, director


@pytest.mark.asyncio
async def test_a_restart_puts_a_waiting_caller_back_in_its_bridge_not_in_the_ivr() -> None:
    ari = FakeAri()
    ari.channels = [_channel("waiting"), _channel("hla-ringing", app_data="")]
    ari.bridges = [_bridge(f"{ID_PREFIX}-old-br1", "waiting")]
    controller, director = await _restarted(ari, Resumption(PLAN, CallPhase.QUEUE))
    key = CallKey(SITE, "waiting")
    state = controller.call("waiting")
    assert state is not None
    assert (state.phase.value, state.bridge_id) == ("queued", f"{ID_PREFIX}-old-br1")
    assert director.names(key) == ["call_adopted"]  # no IVR, no second ivr_completed
    assert ("start_bridge_moh", (f"{ID_PREFIX}-old-br1",)) in ari.requests
    assert not [r for r in ari.requests if r[0] in ("destroy_bridge", "play_on_channel")]
    assert ("hangup", ("hla-ringing",)) in ari.requests  # a leg nobody owns any more
    # The offer the service makes now reaches the agent.
    await controller.offer(key, agent_id="a1", endpoint="PJSIP/a1", ring_timeout_s=5.0)
    await controller.drain()
    assert [r for r in ari.requests if r[0] == "originate"]
    await controller.close()


@pytest.mark.asyncio
async def test_a_restart_keeps_a_talking_caller_with_its_agent() -> None:
    ari = FakeAri()
    leg = _channel("hla-leg1", app_data="hotline,agent,a1,talking")
    ari.channels = [_channel("talking"), leg]
    ari.bridges = [_bridge(f"{ID_PREFIX}-old-br1", "talking", "hla-leg1")]
    controller, director = await _restarted(ari, Resumption(PLAN, CallPhase.TALK, agent_id="a1"))
    state = controller.call("talking")
    assert state is not None
    assert (state.phase.value, state.talk_leg, state.agent_id) == ("talking", "hla-leg1", "a1")
    assert not [r for r in ari.requests if r[0] in ("hangup", "destroy_bridge")]
    # The agent's hang-up, an event of a leg the new process never originated, is understood.
    await controller.handle_event(SITE, parse_event(_leg_event("StasisEnd", "hla-leg1", "talking")))
    await controller.drain()
    assert director.entries("talk_ended") == [{"agent_id": "a1", "ended_by": EndedBy.AGENT}]
    await controller.close()


class AgentLeftBeforeBridged(FakeAri):
    """The agent hangs up just as it is bridged: ``addChannel`` answers as Asterisk does then."""

    async def add_channel(self, bridge_id: str, channel: str | Sequence[str]) -> None:
        await super().add_channel(bridge_id, channel)
        if isinstance(channel, str) and channel.startswith("hla-"):
            path = f"/ari/bridges/{bridge_id}/addChannel"
            raise http_error(400, "Channel not found", "POST", path)


def _leg_event(event_type: str, leg_id: str, call_id: str) -> dict[str, Any]:
    stasis_start = _stasis_start()
    event = {**stasis_start, "type": event_type, "channel": {**stasis_start["channel"]}}
    event["channel"]["id"] = leg_id
    if event_type == "StasisStart":
        event["args"] = ["agent", "a1", call_id]
    else:
        del event["args"]
    return event


@pytest.mark.asyncio
async def test_an_agent_gone_before_its_add_channel_is_normal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The benchmark's "AddChannel failed ... 400: Channel not found" warnings at the end of talk.
    ari = AgentLeftBeforeBridged()
    director = RecordingDirector(plan=PLAN)
    controller, key = await _queued_call(ari, director)
    await controller.offer(key, agent_id="a1", endpoint="PJSIP/a1", ring_timeout_s=5.0)
    await controller.drain()
    state = controller.call(key.call_id)
    assert state is not None
    leg = state.ringing_leg("offer")
    assert leg is not None
    with caplog.at_level("DEBUG", logger="cti.calls"):
        await controller.handle_event(
            SITE, parse_event(_leg_event("StasisStart", leg.leg_id, key.call_id))
        )
        await controller.handle_event(
            SITE, parse_event(_leg_event("StasisEnd", leg.leg_id, key.call_id))
        )
        await controller.drain()
    assert ("add_channel", (state.bridge_id, leg.leg_id)) in ari.requests
    assert director.names(key)[-2:] == ["offer_answered", "talk_ended"]
    assert controller.stats()["ari_errors"] == 0
    assert not [record for record in caplog.records if record.levelname == "WARNING"]
    await controller.close()


@pytest.mark.asyncio
async def test_an_event_is_journalled_after_its_requests_and_before_the_director_hears() -> None:
    timeline: list[str] = []

    class TimedAri(FakeAri):
        def _log(self, name: str, *args: Any) -> None:
            timeline.append(f"ari:{name}")
            super()._log(name, *args)

    class TimedDirector(RecordingDirector):
        def _record(self, name: str, key: CallKey, **data: Any) -> None:
            timeline.append(f"director:{name}")
            super()._record(name, key, **data)

        async def journal(self, key: CallKey, kind: str, data: Any) -> None:
            timeline.append(f"journal:{kind}")
            await super().journal(key, kind, data)

    director = TimedDirector(plan=PLAN)
    controller = SiteCallController(SITE, TimedAri(), director, options=ControllerOptions())
    director.control = controller
    await controller.handle_event(SITE, parse_event(_stasis_start()))
    await controller.drain()
    # The journal is a database write in the service: the caller is answered without waiting.
    answer, journalled = timeline.index("ari:answer"), timeline.index("journal:event:CallerArrived")
    assert answer < journalled < timeline.index("director:call_arrived")


@pytest.mark.asyncio
async def test_a_call_whose_stasis_end_came_first_is_recorded_and_closed_without_the_ivr() -> None:
    ari = FakeAri()
    director = RecordingDirector(plan=PLAN)
    controller = SiteCallController(SITE, ari, director, options=ControllerOptions())
    start = _stasis_start()
    end = {**start, "type": "StasisEnd"}
    del end["args"]
    await controller.handle_event(SITE, parse_event(end))
    await controller.handle_event(SITE, parse_event(start))
    await controller.drain()
    (key,) = director.keys()
    assert director.names(key) == ["call_arrived", "caller_left", "call_finished"]
    assert director.entries("caller_left") == [{"phase": CallPhase.IVR}]
    # Nothing was asked of Asterisk for a channel that is gone: no answer, no prompt.
    assert [name for name, _ in ari.requests] == []
    assert controller.active_calls == 0
    assert controller.stats()["events_unrouted"] == 1
    await controller.close()


@pytest.mark.asyncio
async def test_events_for_unknown_channels_are_counted_not_fatal() -> None:
    ari = FakeAri()
    director = RecordingDirector(plan=PLAN)
    controller, key = await _queued_call(ari, director)
    stray = {**_stasis_start(), "type": "ChannelDtmfReceived", "digit": "1", "duration_ms": 100}
    del stray["args"]
    stray["channel"] = {**stray["channel"], "id": "nobody-knows"}
    destroyed = {**stray, "type": "ChannelDestroyed", "cause": 16, "cause_txt": "Normal Clearing"}
    del destroyed["digit"], destroyed["duration_ms"]
    for event in (stray, destroyed):
        await controller.handle_event(SITE, parse_event(event))
    await controller.drain()
    assert controller.stats()["events_unrouted"] == 2
    assert controller.stats()["lane_errors"] == 0
    assert director.names(key) == ["call_arrived", "ivr_completed"]
    await controller.close()


@pytest.mark.asyncio
async def test_a_restart_touches_only_the_orphans_among_the_channels_it_created() -> None:
    ari = FakeAri()
    ari.channels = [
        _channel("talking"),
        _channel("hla-leg1", app_data="hotline,agent,a1,talking"),
        _channel("hla-leg1;2", app_data=""),  # its Local second half, named by Asterisk
        _channel("hla-lost", app_data=""),  # a ringing leg of a call the old process had
        _channel("hla-lost;2", app_data=""),
        _channel("hla-half;2", app_data=""),  # a second half whose first half is gone
        _channel("1796609895.7", app_data=""),  # an announcer playing bridge music
        _channel("hlc-old-snoop1", app_data="hotline,snoop,talking"),  # a snoop nobody owns
        _channel("not-ours;2", app_data=""),
        # A callback's taxpayer whose agent leg and bridge belonged to the old process.
        _channel("callback-9-1-0", app_data="hotline,callback,callback-9-1-0"),
    ]
    ari.bridges = [_bridge(f"{ID_PREFIX}-old-br1", "talking", "hla-leg1")]
    controller, _ = await _restarted(ari, Resumption(PLAN, CallPhase.TALK, agent_id="a1"))
    hung_up = sorted(args[0] for name, args in ari.requests if name == "hangup")
    assert hung_up == ["callback-9-1-0", "hla-half;2", "hla-lost", "hlc-old-snoop1"]
    state = controller.call("talking")
    assert state is not None
    assert (state.phase.value, state.talk_leg) == ("talking", "hla-leg1")
    await controller.close()


class OverlapAri(FakeAri):
    """Counts the hang-ups in flight at once (each yields to the loop before it answers)."""

    def __init__(self) -> None:
        super().__init__()
        self.in_flight = 0
        self.most_in_flight = 0

    async def hangup(self, channel_id: str, *, reason: str | None = None) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            for _ in range(3):
                await asyncio.sleep(0)
            await super().hangup(channel_id, reason=reason)
        finally:
            self.in_flight -= 1


@pytest.mark.asyncio
async def test_a_restart_hangs_up_its_orphans_a_few_at_a_time_not_one_after_another() -> None:
    # 50 legs left ringing at a takeover of 300 calls: one round trip after another held the
    # new leader's start up; at most RESYNC_READS at once, all of them hung up.
    ari = OverlapAri()
    ari.channels = [_channel(f"hla-lost{n}", app_data="") for n in range(RESYNC_READS + 4)]
    controller, _ = await _restarted(ari, Resumption(PLAN, CallPhase.QUEUE))
    hung_up = {args[0] for name, args in ari.requests if name == "hangup"}
    assert hung_up == {channel.id for channel in ari.channels}
    assert ari.most_in_flight == RESYNC_READS
    await controller.close()


@pytest.mark.asyncio
async def test_a_leg_that_answers_after_its_call_was_lost_is_hung_up_not_left_in_silence() -> None:
    ari = FakeAri()
    director = RecordingDirector(plan=PLAN)
    controller = SiteCallController(SITE, ari, director, options=ControllerOptions())
    start = _stasis_start()
    strays = {
        "callback-9-1-0": ["callback", "callback-9-1-0"],  # a callback's taxpayer, after a restart
        "hla-late": ["agent", "a1", "gone-call"],
        "someone-else": ["snoop", "x"],  # not a leg of ours: left alone
    }
    for channel_id, args in strays.items():
        event = {**start, "args": args, "channel": {**start["channel"], "id": channel_id}}
        await controller.handle_event(SITE, parse_event(event))
    await controller.drain()
    hung_up = sorted(args[0] for name, args in ari.requests if name == "hangup")
    assert hung_up == ["callback-9-1-0", "hla-late"]
    assert director.log == []
    assert (controller.active_calls, controller.stats()["lane_errors"]) == (0, 0)
    await controller.close()
