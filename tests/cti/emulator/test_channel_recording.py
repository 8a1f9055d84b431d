"""Voicemail-style channel recordings (`POST /channels/{id}/record`): Asterisk 22's checks, the beep
before RecordingStarted, and the three ways a recording ends by itself (maximum duration, the
terminating digit, the caller hanging up), each leaving a stored file that reads back."""

from __future__ import annotations

import io
import wave

import pytest

from cti.emulator import Asterisk, ManualScheduler
from cti.emulator.errors import AriError
from cti.emulator.rest import RestRequest, dispatch

from .test_core import Sink, clock, core, hotline, inbound

__all__ = ["clock", "core", "hotline"]  # the fixtures, shared with test_core


def _finished(sink: Sink) -> list[tuple[str, str, int]]:
    return [
        (e["recording"]["name"], e["recording"]["state"], e["recording"]["duration"])
        for e in sink.events
        if e["type"] == "RecordingFinished"
    ]


def _seconds_stored(core: Asterisk, name: str) -> float:
    answer = dispatch(core, RestRequest("GET", f"/recordings/stored/{name}/file"))
    assert (answer.status, answer.content_type) == (200, "audio/wav")
    assert isinstance(answer.body, bytes)
    with wave.open(io.BytesIO(answer.body)) as audio:
        return audio.getnframes() / audio.getframerate()


def test_a_voicemail_ends_at_its_maximum_duration_after_the_beep(
    core: Asterisk, clock: ManualScheduler, hotline: Sink
) -> None:
    _, line = inbound(core, clock)
    core.answer(line)
    answer = dispatch(
        core,
        RestRequest(
            "POST",
            f"/channels/{line}/record",
            query={"name": "vm-1", "format": "wav", "maxDurationSeconds": "30", "beep": "true"},
        ),
    )
    assert answer.status == 201
    assert answer.body["state"] == "queued"
    assert answer.body["target_uri"] == f"channel:{line}"
    clock.advance(0)
    assert not [e for e in hotline.events if e["type"] == "RecordingStarted"]  # beep first
    clock.advance(0.5)
    started = [e for e in hotline.events if e["type"] == "RecordingStarted"]
    assert [e["recording"]["state"] for e in started] == ["recording"]
    clock.advance(29.0)
    assert _finished(hotline) == []
    clock.advance(2.0)
    assert _finished(hotline) == [("vm-1", "done", 30)]
    assert _seconds_stored(core, "vm-1") == 30
    assert line in core.channels  # the caller is still there: the app decides what follows


def test_the_terminating_digit_ends_the_recording(
    core: Asterisk, clock: ManualScheduler, hotline: Sink
) -> None:
    phone, line = inbound(core, clock)
    core.answer(line)
    core.record_channel(line, {"name": "vm-2", "format": "wav", "terminateOn": "#"})
    clock.advance(0)
    clock.advance(5.0)
    core.send_dtmf_from(core.channels[phone], "1")
    clock.advance(1.0)
    assert _finished(hotline) == []  # not a terminator
    core.send_dtmf_from(core.channels[phone], "#")
    clock.advance(1.0)
    assert _finished(hotline) == [("vm-2", "done", 6)]  # whole seconds, as Asterisk


def test_a_caller_hanging_up_mid_message_leaves_the_partial_recording(
    core: Asterisk, clock: ManualScheduler, hotline: Sink
) -> None:
    phone, line = inbound(core, clock)
    core.answer(line)
    core.record_channel(line, {"name": "vm-3", "format": "wav", "maxDurationSeconds": "60"})
    clock.advance(0)
    clock.advance(12.0)
    core.api_hangup(core.channels[phone], 16)
    clock.advance(1.0)
    assert _finished(hotline) == [("vm-3", "done", 12)]
    kinds = [e["type"] for e in hotline.events if e["type"] in ("RecordingFinished", "StasisEnd")]
    assert kinds == ["RecordingFinished", "StasisEnd"]  # heard while the app still follows it
    assert _seconds_stored(core, "vm-3") == 12


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"format": "wav"}, 400),
        ({"name": "x"}, 400),
        ({"name": "x", "format": "wav", "maxDurationSeconds": "-1"}, 400),
        ({"name": "x", "format": "wav", "terminateOn": "5"}, 400),
        ({"name": "x", "format": "mp9"}, 422),
    ],
)
def test_bad_parameters_are_refused_like_asterisk(
    core: Asterisk, clock: ManualScheduler, hotline: Sink, params: dict[str, str], status: int
) -> None:
    _, line = inbound(core, clock)
    with pytest.raises(AriError) as refused:
        core.record_channel(line, params)
    assert refused.value.status == status


def test_a_name_in_use_a_bridged_channel_and_an_unknown_channel_are_refused(
    core: Asterisk, clock: ManualScheduler, hotline: Sink
) -> None:
    _, line = inbound(core, clock)
    core.answer(line)
    core.record_channel(line, {"name": "vm-4", "format": "wav"})
    clock.advance(0)
    with pytest.raises(AriError) as twice:
        core.record_channel(line, {"name": "vm-4", "format": "wav"})
    assert twice.value.status == 409
    core.stop_recording("vm-4")
    with pytest.raises(AriError) as stored:
        core.record_channel(line, {"name": "vm-4", "format": "wav"})
    assert stored.value.status == 409  # ifExists=fail
    core.record_channel(line, {"name": "vm-4", "format": "wav", "ifExists": "overwrite"})
    core.create_bridge({"bridgeId": "talk"})
    core.add_channels("talk", [line])
    with pytest.raises(AriError) as bridged:
        core.record_channel(line, {"name": "vm-5", "format": "wav"})
    assert bridged.value.status == 409
    with pytest.raises(AriError) as missing:
        core.record_channel("nobody", {"name": "vm-6", "format": "wav"})
    assert missing.value.status == 404
