"""Snoop and recording semantics the media_controls trace shows only in part: Asterisk's checks
of the snoop directions, a snoop ending with the channel it spies on, a recording stored when its
bridge goes away, and a stored recording's audio read back and deleted."""

from __future__ import annotations

import io
import wave

import pytest

from cti.emulator import Asterisk, ManualScheduler
from cti.emulator.errors import AriError
from cti.emulator.rest import RestRequest, dispatch

from .test_core import Sink, clock, core, hotline, inbound

__all__ = ["clock", "core", "hotline"]  # the fixtures, shared with test_core


@pytest.mark.parametrize(
    ("spy", "whisper", "message"),
    [
        ("sideways", "none", "Invalid direction specified for spy"),
        ("both", "loud", "Invalid direction specified for whisper"),
        ("none", "none", "Sanity check failed"),
        (None, None, "Sanity check failed"),  # both default to none
    ],
)
def test_snoop_directions_are_checked_like_asterisk(
    core: Asterisk,
    clock: ManualScheduler,
    hotline: Sink,
    spy: str | None,
    whisper: str | None,
    message: str,
) -> None:
    _, line = inbound(core, clock)
    core.answer(line)
    params = {"app": "hotline"}
    for name, value in (("spy", spy), ("whisper", whisper)):
        if value is not None:
            params[name] = value
    with pytest.raises(AriError) as refused:
        core.snoop(line, params)
    assert (refused.value.status, refused.value.body) == (400, {"message": message})


def test_a_snoop_hangs_up_with_the_channel_it_spies_on(
    core: Asterisk, clock: ManualScheduler, hotline: Sink
) -> None:
    phone, line = inbound(core, clock)
    core.answer(line)
    core.snoop(line, {"app": "hotline", "spy": "both", "whisper": "out", "snoopId": "spy-1"})
    clock.advance(0)
    assert hotline.types_for("spy-1")[-1] == "StasisStart"
    core.api_hangup(core.channels[phone], 16)
    assert "spy-1" not in core.channels
    assert hotline.types_for("spy-1")[-1] == "StasisEnd"


def test_a_recording_is_stored_when_its_bridge_goes_and_its_audio_reads_back(
    core: Asterisk, clock: ManualScheduler, hotline: Sink
) -> None:
    _, line = inbound(core, clock)
    core.answer(line)
    core.create_bridge({"bridgeId": "talk"})
    core.add_channels("talk", [line])
    core.record_bridge("talk", {"name": "rec-1", "format": "wav"})
    clock.advance(0)
    clock.advance(4.0)
    core.destroy_bridge("talk")
    finished = [e for e in hotline.events if e["type"] == "RecordingFinished"]
    assert [(e["recording"]["name"], e["recording"]["duration"]) for e in finished] == [
        ("rec-1", 4)
    ]
    answer = dispatch(core, RestRequest("GET", "/recordings/stored/rec-1/file"))
    assert (answer.status, answer.content_type) == (200, "audio/wav")
    assert isinstance(answer.body, bytes)
    with wave.open(io.BytesIO(answer.body)) as audio:
        assert (audio.getnchannels(), audio.getframerate()) == (1, 8000)
        assert audio.getnframes() == 4 * 8000
    assert dispatch(core, RestRequest("DELETE", "/recordings/stored/rec-1")).status == 204
    gone = dispatch(core, RestRequest("GET", "/recordings/stored/rec-1/file"))
    assert (gone.status, gone.body) == (404, {"message": "Recording not found"})


def test_a_recording_name_in_progress_is_refused_whatever_if_exists_says(
    core: Asterisk, clock: ManualScheduler, hotline: Sink
) -> None:
    _, line = inbound(core, clock)
    core.answer(line)
    core.create_bridge({"bridgeId": "talk"})
    core.add_channels("talk", [line])
    core.record_bridge("talk", {"name": "rec-1", "format": "wav"})
    clock.advance(0)
    live = dispatch(core, RestRequest("GET", "/recordings/live/rec-1"))
    conflicts = []
    for if_exists in ("fail", "overwrite"):
        with pytest.raises(AriError) as refused:
            core.record_bridge("talk", {"name": "rec-1", "format": "wav", "ifExists": if_exists})
        conflicts.append(refused.value.status)
    core.stop_recording("rec-1")
    with pytest.raises(AriError) as stored_fail:
        core.record_bridge("talk", {"name": "rec-1", "format": "wav"})
    again = core.record_bridge("talk", {"name": "rec-1", "format": "wav", "ifExists": "overwrite"})
    assert live.status == 200
    assert isinstance(live.body, dict)
    assert (live.body["target_uri"], live.body["state"]) == ("bridge:talk", "recording")
    assert conflicts == [409, 409]
    assert stored_fail.value.status == 409
    assert again["name"] == "rec-1"
