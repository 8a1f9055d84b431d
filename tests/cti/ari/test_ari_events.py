"""parse_event: typed events, unknown types kept, malformed input rejected with a reason."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cti.ari import models
from cti.ari.events import UnknownEvent, event_source, parse_event
from cti.errors import AriEventError

from .ari_traces import trace_events


def _first(trace: str, event_type: str) -> dict[str, Any]:
    return next(raw for raw in trace_events(trace) if raw["type"] == event_type)


def test_accepts_dict_text_and_bytes_alike() -> None:
    raw = _first("answered_call", "StasisStart")
    as_text = json.dumps(raw)
    parsed = [parse_event(raw), parse_event(as_text), parse_event(as_text.encode())]
    assert all(isinstance(event, models.StasisStart) for event in parsed)
    assert parsed[0] == parsed[1] == parsed[2]


def test_unknown_type_keeps_the_raw_message() -> None:
    raw = {"type": "ChannelQuantumLeap", "application": "hotline", "anything": [1, 2]}
    event = parse_event(raw)
    assert isinstance(event, UnknownEvent)
    assert event.type == "ChannelQuantumLeap"
    assert event.raw == raw


def test_non_event_messages_are_unknown_events() -> None:
    event = parse_event({"type": "MissingParams", "params": ["app"]})
    assert isinstance(event, UnknownEvent)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("{not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('"StasisStart"', "not a JSON object"),
        ({"application": "hotline"}, "no string 'type'"),
        ({"type": 7}, "no string 'type'"),
        ({"type": ""}, "no string 'type'"),
    ],
)
def test_malformed_messages_raise_with_a_reason(raw: Any, reason: str) -> None:
    with pytest.raises(AriEventError, match=reason):
        parse_event(raw)


def test_known_type_failing_validation_names_the_field() -> None:
    raw = _first("answered_call", "StasisStart")
    broken = {**raw, "channel": {**raw["channel"], "id": None}}
    with pytest.raises(AriEventError, match=r"invalid StasisStart: channel\.id"):
        parse_event(broken)


def test_missing_envelope_field_is_malformed() -> None:
    raw = dict(_first("answered_call", "StasisStart"))
    del raw["timestamp"]
    with pytest.raises(AriEventError, match="timestamp"):
        parse_event(raw)


def test_new_fields_from_a_newer_asterisk_do_not_break_parsing() -> None:
    raw = _first("dtmf_ivr", "ChannelDtmfReceived")
    event = parse_event({**raw, "sentiment": "calm"})
    assert isinstance(event, models.ChannelDtmfReceived)
    assert event.model_extra == {"sentiment": "calm"}


@pytest.mark.parametrize(
    ("trace", "event_type", "expected_prefix"),
    [
        ("answered_call", "StasisStart", "channel:"),
        ("answered_call", "PlaybackStarted", "channel:"),
        ("answered_call", "BridgeDestroyed", "bridge:"),
        ("answered_call", "ChannelEnteredBridge", "channel:"),
        ("device_states", "DeviceStateChanged", "deviceState:"),
        ("media_controls", "RecordingStarted", "bridge:"),
    ],
)
def test_event_source_names_the_resource(trace: str, event_type: str, expected_prefix: str) -> None:
    event = parse_event(_first(trace, event_type))
    source = event_source(event)
    assert source is not None
    assert source.startswith(expected_prefix)


def test_playback_events_share_the_channel_source() -> None:
    raw = _first("answered_call", "PlaybackStarted")
    channel_id = raw["playback"]["target_uri"].removeprefix("channel:")
    assert event_source(parse_event(raw)) == f"channel:{channel_id}"


def test_dial_is_ordered_with_its_peer_channel() -> None:
    raw = _first("answered_call", "Dial")
    assert event_source(parse_event(raw)) == f"channel:{raw['peer']['id']}"


def test_events_without_a_resource_have_no_source() -> None:
    assert event_source(parse_event(_first("ws_reconnect", "ApplicationReplaced"))) is None


def test_unknown_events_still_get_a_source_from_their_raw_dict() -> None:
    event = parse_event({"type": "ChannelNew", "channel": {"id": "c-1"}})
    assert event_source(event) == "channel:c-1"
