"""Asterisk semantics of the core that the recordings document but no trace exercises fully."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cti.emulator import Asterisk, LabConfig, ManualScheduler
from cti.emulator.errors import AriError

from .replay import API_DOCS

Event = dict[str, Any]


class Sink:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def send(self, message: Event) -> None:
        self.events.append(message)

    def types_for(self, channel_id: str) -> list[str]:
        return [e["type"] for e in self.events if e.get("channel", {}).get("id") == channel_id]


@pytest.fixture
def clock() -> ManualScheduler:
    return ManualScheduler()


@pytest.fixture
def core(clock: ManualScheduler) -> Iterator[Asterisk]:
    asterisk = Asterisk(clock, LabConfig(api_docs=str(API_DOCS)))
    yield asterisk
    assert asterisk.spec_errors == []


@pytest.fixture
def hotline(core: Asterisk) -> Sink:
    sink = Sink()
    core.apps.attach(["hotline"], sink, subscribe_all=False)
    return sink


def inbound(core: Asterisk, clock: ManualScheduler, **variables: str) -> tuple[str, str]:
    """The lab's simulated trunk call: returns (phone `;1`, Stasis `;2`) ids."""
    params = {"endpoint": "Local/12366@inbound", "context": "sim", "extension": "caller"}
    phone = core.originate(params, dict(variables))["id"]
    clock.advance(0)
    peer = core.channels[phone].peer
    assert peer is not None
    return phone, peer.id


def test_inbound_channel_gets_no_channel_destroyed_unless_subscribed(
    core: Asterisk, clock: ManualScheduler, hotline: Sink
) -> None:
    phone, line = inbound(core, clock)
    core.answer(line)
    core.api_hangup(core.channels[phone], 16)
    assert hotline.types_for(line)[-2:] == ["ChannelHangupRequest", "StasisEnd"]

    phone, line = inbound(core, clock)
    core.answer(line)
    core.subscribe("hotline", f"channel:{line}")
    core.api_hangup(core.channels[phone], 16)
    destroyed = [e for e in hotline.events if e["type"] == "ChannelDestroyed"]
    assert [(e["channel"]["id"], e["cause"], e["cause_txt"]) for e in destroyed] == [
        (line, 16, "Normal Clearing")
    ]


def test_reason_code_on_the_phone_half_reaches_the_stasis_half(
    core: Asterisk, clock: ManualScheduler, hotline: Sink
) -> None:
    phone, line = inbound(core, clock)
    core.answer(line)
    core.api_hangup(core.channels[phone], 17)
    hangup = next(e for e in hotline.events if e["type"] == "ChannelHangupRequest")
    assert (hangup["channel"]["id"], hangup["cause"], "soft" in hangup) == (line, 17, False)


def test_app_hangup_shows_the_soft_hangup_flag_not_the_q850_cause(
    core: Asterisk, clock: ManualScheduler, hotline: Sink
) -> None:
    _, line = inbound(core, clock)
    core.answer(line)
    core.api_hangup(core.channels[line], 16)
    hangup = next(e for e in hotline.events if e["type"] == "ChannelHangupRequest")
    assert (hangup["cause"], hangup["soft"]) == (32, True)


def test_move_to_another_app_ends_and_starts_stasis(
    core: Asterisk, clock: ManualScheduler, hotline: Sink
) -> None:
    survey = Sink()
    core.apps.attach(["survey"], survey, subscribe_all=False)
    _, line = inbound(core, clock)
    core.answer(line)
    core.move(line, "survey", ["rate", "5"])
    assert hotline.types_for(line)[-1] == "StasisEnd"
    (start,) = [e for e in survey.events if e["type"] == "StasisStart"]
    assert (start["args"], start["application"]) == (["rate", "5"], "survey")


def test_continue_leaves_stasis_and_runs_the_dialplan(
    core: Asterisk, clock: ManualScheduler, hotline: Sink
) -> None:
    phone, line = inbound(core, clock)
    core.answer(line)
    core.continue_in_dialplan(line, {"context": "after-stasis", "extension": "s"})
    assert hotline.types_for(line)[-1] == "StasisEnd"
    clock.advance(2)
    assert line not in core.channels
    assert phone not in core.channels


def test_holding_bridge_announcer_slot_rejects_playback_while_moh(
    core: Asterisk, clock: ManualScheduler, hotline: Sink
) -> None:
    _, line = inbound(core, clock)
    core.answer(line)
    queue = core.create_bridge({"type": "holding", "bridgeId": "q"})["id"]
    core.add_channels(queue, [line])
    core.start_bridge_moh(queue)
    assert core.play("bridge:q", ["sound:queue-youarenext"], "p1", "en")["state"] == "queued"
    clock.advance(0)
    states = [e["playback"]["state"] for e in hotline.events if "playback" in e]
    assert states == ["playing", "failed"]
    core.stop_bridge_moh(queue)
    core.play("bridge:q", ["sound:queue-youarenext"], "p2", "en")
    clock.advance(6)
    states = [e["playback"]["state"] for e in hotline.events if "playback" in e]
    assert states == ["playing", "failed", "playing", "done"]


def test_bridge_moh_stops_when_the_last_participant_leaves(
    core: Asterisk, clock: ManualScheduler, hotline: Sink
) -> None:
    _, line = inbound(core, clock)
    core.answer(line)
    core.create_bridge({"type": "holding", "bridgeId": "q"})
    core.add_channels("q", [line])
    core.start_bridge_moh("q")
    core.remove_channels("q", [line])
    with pytest.raises(AriError) as refused:
        core.stop_bridge_moh("q")
    assert (refused.value.status, refused.value.body) == (
        409,
        {"message": "Bridge isn't playing music"},
    )


def test_bridge_destroyed_only_reaches_the_app_when_its_channel_hung_up_inside(
    core: Asterisk, clock: ManualScheduler, hotline: Sink
) -> None:
    _, moved = inbound(core, clock)
    core.answer(moved)
    core.create_bridge({"bridgeId": "a"})
    core.add_channels("a", [moved])
    core.remove_channels("a", [moved])
    core.destroy_bridge("a")
    phone, hung = inbound(core, clock)
    core.answer(hung)
    core.create_bridge({"bridgeId": "b"})
    core.add_channels("b", [hung])
    core.api_hangup(core.channels[phone], 16)
    core.destroy_bridge("b")
    destroyed = [e["bridge"]["id"] for e in hotline.events if e["type"] == "BridgeDestroyed"]
    assert destroyed == ["b"]


def test_media_list_reports_continuing_and_finished_playbacks_are_gone(
    core: Asterisk, clock: ManualScheduler, hotline: Sink
) -> None:
    _, line = inbound(core, clock)
    core.answer(line)
    core.play(f"channel:{line}", ["sound:digits/2", "sound:vm-enter-num-to-call"], "m", "en")
    clock.advance(5)
    kinds = [(e["type"], e["playback"]["media_uri"]) for e in hotline.events if "playback" in e]
    assert kinds == [
        ("PlaybackStarted", "sound:digits/2"),
        ("PlaybackContinuing", "sound:digits/2"),
        ("PlaybackStarted", "sound:vm-enter-num-to-call"),
        ("PlaybackFinished", "sound:vm-enter-num-to-call"),
    ]
    with pytest.raises(AriError) as missing:
        core.playback("m")
    assert missing.value.body == {"message": "Playback not found"}


def test_tone_playback_never_finishes_by_itself(
    core: Asterisk, clock: ManualScheduler, hotline: Sink
) -> None:
    _, line = inbound(core, clock)
    core.answer(line)
    core.play(f"channel:{line}", ["tone:ring;tonezone=cn"], "t", "en")
    clock.advance(100)
    assert core.playback("t").state == "playing"
    core.stop_playback("t")
    assert [e["playback"]["state"] for e in hotline.events if "playback" in e] == [
        "playing",
        "done",
    ]


@pytest.mark.parametrize(
    ("params", "status", "body"),
    [
        ({}, 400, {"message": "Endpoint must be specified"}),
        ({"endpoint": "bogus", "app": "hotline"}, 400, {"message": "Invalid endpoint specified"}),
        ({"endpoint": "PJSIP/1001", "app": "hotline"}, 500, {"error": "Allocation failed"}),
    ],
)
def test_originate_errors_match_asterisk(
    core: Asterisk, params: dict[str, str], status: int, body: dict[str, str]
) -> None:
    with pytest.raises(AriError) as refused:
        core.originate(params, {})
    assert (refused.value.status, refused.value.body) == (status, body)


def test_move_to_an_app_without_socket_fails_and_keeps_the_channel(
    core: Asterisk, clock: ManualScheduler, hotline: Sink
) -> None:
    _, line = inbound(core, clock)
    core.answer(line)
    core.move(line, "nobody", [])
    failed = hotline.events[-1]
    assert (failed["type"], failed["destination"]) == ("ApplicationMoveFailed", "nobody")
    assert core.channels[line].stasis_app == "hotline"


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        # Asterisk's core_unreal derives the second half's id from `channelId` alone.
        ({"channelId": "leg-1"}, ("leg-1", "leg-1;2")),
        ({"channelId": "leg-1", "otherChannelId": "leg-1b"}, ("leg-1", "leg-1b")),
    ],
)
@pytest.mark.parametrize("create", [False, True])
def test_local_halves_are_named_as_asterisk_names_them(
    core: Asterisk, ids: dict[str, str], expected: tuple[str, str], create: bool
) -> None:
    params = {"endpoint": "Local/1001@agents", "app": "hotline", **ids}
    made = core.create(params, {}) if create else core.originate(params, {})
    peer = core.channels[made["id"]].peer
    assert peer is not None
    assert (made["id"], peer.id) == expected
    assert {channel["id"] for channel in core.list_channels()} >= set(expected)


def test_local_halves_without_chosen_ids_get_two_generated_ids(core: Asterisk) -> None:
    made = core.originate({"endpoint": "Local/1001@agents", "app": "hotline"}, {})
    peer = core.channels[made["id"]].peer
    assert peer is not None
    assert ";" not in peer.id
    assert peer.id != made["id"]
