"""Compare a replay with its recording: responses, error bodies and per-stream event sequences.

Events are split into streams (one per channel, Dial peer, playback, recording, bridge, device,
application, per websocket).  Within a stream the *significant* events must match in order; the
documented noise (BRIDGEPEER, ChannelConnectedLine, ChannelCallerId) must match as a set, because
Asterisk repeats it a variable number of times.  Interleaving across streams is free, and so is
the order of an event relative to the HTTP response of the request that caused it (gotcha 3).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

from .replay import NAME_COUNTER, SERVER_ID, UUID, Replay

NOISE_TYPES = {"ChannelConnectedLine", "ChannelCallerId"}
VOLATILE_KEYS = {"timestamp", "creationtime", "asterisk_id"}
# Values that depend on the lab machine rather than on Asterisk's behaviour.
LAB_SPECIFIC_PATHS = {"/ari/asterisk/info", "/ari/asterisk/ping", "/ari/sounds"}


class Normalizer:
    def __init__(self, replay: Replay) -> None:
        self.forward = dict(replay.id_map)
        self.known_actual = set(self.forward.values())
        self.base_map = dict(replay.base_map)

    def recorded_text(self, text: str) -> str:
        def swap(match: re.Match[str]) -> str:
            return self.forward.get(match.group(0), "<unmapped>")

        text = UUID.sub(swap, SERVER_ID.sub(swap, text))
        for rec_base, act_base in self.base_map.items():
            text = text.replace(rec_base, act_base)
        return NAME_COUNTER.sub("-*", text)

    def actual_text(self, text: str) -> str:
        def swap(match: re.Match[str]) -> str:
            return match.group(0) if match.group(0) in self.known_actual else "<unmapped>"

        return NAME_COUNTER.sub("-*", UUID.sub(swap, SERVER_ID.sub(swap, text)))

    def value(self, value: Any, recorded: bool) -> Any:
        if isinstance(value, dict):
            normalized = {
                k: self.value(v, recorded) for k, v in value.items() if k not in VOLATILE_KEYS
            }
            if isinstance(normalized.get("channels"), list):
                normalized["channels"] = sorted(normalized["channels"])  # hash order in Asterisk
            return normalized
        if isinstance(value, list):
            items = [self.value(v, recorded) for v in value]
            return [i for i in items if i != "<unmapped>"]
        if isinstance(value, str):
            return self.recorded_text(value) if recorded else self.actual_text(value)
        return value


# ---------------------------------------------------------------------- responses
def response_problems(replay: Replay) -> list[str]:
    norm = Normalizer(replay)
    problems: list[str] = []
    for exchange in replay.exchanges:
        request, recorded = exchange.request, exchange.recorded
        if recorded is None:
            continue
        label = f"{request['method']} {request['path']} ({request.get('note', '')})"
        if exchange.status != recorded["status"]:
            problems.append(f"{label}: status {exchange.status} != recorded {recorded['status']}")
            continue
        expected, actual = recorded.get("body"), exchange.body
        if recorded["status"] >= 400 or recorded["status"] == 101:
            if expected != actual:
                problems.append(f"{label}: body {actual!r} != recorded {expected!r}")
            continue
        if _lab_specific(request):
            if not same_shape(expected, actual):
                problems.append(f"{label}: shape differs")
            continue
        if request["path"] == "/ari/api-docs/resources.json":
            assert isinstance(expected, dict)
            assert isinstance(actual, dict)
            expected = {k: v for k, v in expected.items() if k != "basePath"}
            actual = {k: v for k, v in actual.items() if k != "basePath"}
        left, right = norm.value(expected, True), norm.value(actual, False)
        if isinstance(left, list) and isinstance(right, list):
            # Listings: compare the objects the scenario knows about, in any order.
            left = sorted(json.dumps(i, sort_keys=True) for i in left if "<unmapped>" not in str(i))
            right = sorted(
                json.dumps(i, sort_keys=True) for i in right if "<unmapped>" not in str(i)
            )
        left, right = _relax_race(left), _relax_race(right)
        if left != right:
            problems.append(f"{label}: body differs\n  recorded {left}\n  emulator {right}")
    for recorded_reply, actual_reply in replay.ws_replies:
        for key in ("status_code", "reason_phrase", "uri", "transaction_id", "request_id"):
            if recorded_reply.get(key) != actual_reply.get(key):
                problems.append(f"RESTResponse {key}: {actual_reply.get(key)!r} != recorded")
        if set(recorded_reply) - {"dir", "t", "transport", "conn"} != set(actual_reply):
            problems.append(f"RESTResponse keys differ: {sorted(actual_reply)}")
        expected_body = recorded_reply.get("message_body")
        actual_body = actual_reply.get("message_body")
        if (expected_body is None) != (actual_body is None):
            problems.append("RESTResponse message_body presence differs")
        elif expected_body is not None and actual_body is not None:
            if recorded_reply["uri"] == "asterisk/info":
                if not same_shape(json.loads(expected_body), json.loads(actual_body)):
                    problems.append("RESTResponse asterisk/info shape differs")
            elif norm.value(json.loads(expected_body), True) != norm.value(
                json.loads(actual_body), False
            ):
                problems.append(f"RESTResponse body {actual_body} != {expected_body}")
    return problems


def _relax_race(value: Any) -> Any:
    """A playback's 201 says `queued` or `playing` depending on who won the race (gotcha 3)."""
    if (
        isinstance(value, dict)
        and value.get("state") in ("queued", "playing")
        and "media_uri" in value
    ):
        return {**value, "state": "queued|playing"}
    return value


def same_shape(left: Any, right: Any) -> bool:
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same_shape(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return bool(left) == bool(right) and (not left or same_shape(left[0], right[0]))
    return type(left) is type(right)


# ---------------------------------------------------------------------- events
def _stream_key(conn: str, event: dict[str, Any], norm: Normalizer, recorded: bool) -> str:
    text = norm.recorded_text if recorded else norm.actual_text
    kind = event["type"]
    if kind == "Dial":
        return f"{conn} dial {text(event['peer']['id'])}"
    if "channel" in event:
        return f"{conn} channel {text(event['channel']['id'])}"
    if "playback" in event:
        return f"{conn} playback {event['playback']['id']}"
    if "recording" in event:
        return f"{conn} recording {event['recording']['name']}"
    if "bridge" in event:
        return f"{conn} bridge {text(event['bridge']['id'])}"
    if "device_state" in event:
        return f"{conn} device {event['device_state']['name']}"
    return f"{conn} {kind}"


def _signature(event: dict[str, Any], norm: Normalizer, recorded: bool) -> str:
    value = norm.value
    parts: dict[str, Any] = {"type": event["type"]}
    for key in ("cause", "cause_txt", "soft", "dialstatus", "dialstring", "digit", "eventname"):
        if key in event:
            parts[key] = value(event[key], recorded)
    if "args" in event:
        parts["args"] = [value(arg, recorded) for arg in event["args"]]
    if "channel" in event:
        channel = event["channel"]
        parts["state"] = channel["state"]
        if event["type"] in ("StasisStart", "ChannelCreated", "ChannelDestroyed"):
            # Identity of the channel: name pattern, caller and where it is in the dialplan.
            parts["name"] = value(channel["name"], recorded)
            parts["caller"] = channel["caller"]
            dialplan = channel["dialplan"]
            parts["dialplan"] = [dialplan["context"], dialplan["exten"], dialplan["app_name"]]
    if "peer" in event and event.get("dialstatus") != "":
        # The first Dial races the peer's Ringing state change inside Asterisk.
        parts["peer_state"] = event["peer"]["state"]
    if "variable" in event:
        parts["var"] = (event["variable"], value(event["value"], recorded))
    if "dialplan_app" in event:
        parts["app"] = (event["dialplan_app"], value(event["dialplan_app_data"], recorded))
    if "playback" in event:
        playback = event["playback"]
        parts["playback"] = (
            playback["state"],
            playback["media_uri"],
            playback.get("next_media_uri"),
            value(playback["target_uri"], recorded),
        )
    if "recording" in event:
        parts["recording"] = (event["recording"]["state"], "duration" in event["recording"])
    if "bridge" in event:
        parts["bridge"] = (
            value(event["bridge"]["id"], recorded),
            event["bridge"]["bridge_type"],
            sorted(value(event["bridge"]["channels"], recorded)),
        )
    if "device_state" in event:
        parts["device"] = event["device_state"]["state"]
    if "userevent" in event:
        parts["userevent"] = event["userevent"]
    return json.dumps(parts, sort_keys=True)


def _is_noise(event: dict[str, Any]) -> bool:
    return event["type"] in NOISE_TYPES or (
        event["type"] == "ChannelVarset" and event.get("variable") == "BRIDGEPEER"
    )


def _lab_specific(request: dict[str, Any]) -> bool:
    if request["path"] in LAB_SPECIFIC_PATHS:
        return True
    epoch: bool = request["query"].get("variable") == "EPOCH"
    return request["path"] == "/ari/asterisk/variable" and epoch


def event_streams(
    events: list[tuple[str, dict[str, Any]]], norm: Normalizer, recorded: bool
) -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    significant: dict[str, list[str]] = defaultdict(list)
    noise: dict[str, set[str]] = defaultdict(set)
    for conn, event in events:
        key = _stream_key(conn, event, norm, recorded)
        signature = _signature(event, norm, recorded)
        if _is_noise(event):
            noise[key].add(signature)
        elif not (significant[key] and significant[key][-1] == signature and "device" in key):
            significant[key].append(signature)  # device states repeat; compare transitions
    return dict(significant), dict(noise)


def event_problems(replay: Replay) -> list[str]:
    norm = Normalizer(replay)
    recorded = [(line["conn"], line) for line in replay.trace if line["dir"] == "event"]
    actual = [
        (conn, event)
        for conn, events in replay.received.items()
        if not conn.endswith("#rest")
        for event in events
    ]
    rec_sig, rec_noise = event_streams(recorded, norm, True)
    act_sig, act_noise = event_streams(actual, norm, False)
    problems: list[str] = []
    for key in sorted(rec_sig.keys() | act_sig.keys()):
        expected, got = rec_sig.get(key, []), act_sig.get(key, [])
        if expected != got:
            first = next(
                (
                    i
                    for i, pair in enumerate(zip(expected, got, strict=False))
                    if len(set(pair)) > 1
                ),
                min(len(expected), len(got)),
            )
            problems.append(
                f"stream {key} differs at event {first} "
                f"(recorded {len(expected)}, emulator {len(got)}):\n"
                f"  recorded {expected[first : first + 2]}\n  emulator {got[first : first + 2]}"
            )
    for key in sorted(rec_noise.keys() | act_noise.keys()):
        if rec_noise.get(key, set()) != act_noise.get(key, set()):
            problems.append(
                f"noise {key}:\n  recorded {sorted(rec_noise.get(key, set()))}\n"
                f"  emulator {sorted(act_noise.get(key, set()))}"
            )
    return problems
