"""Every event and every REST answer of the real Asterisk recordings fits the generated models."""

from __future__ import annotations

import re

import pytest
from pydantic import TypeAdapter

from cti.ari import models
from cti.ari.events import UnknownEvent, parse_event

from .ari_traces import load_trace, operation_for, rest_responses, trace_events, trace_names

TRACES = trace_names()


def test_the_recordings_are_there() -> None:
    # CI always has ../shared; an empty parametrisation would silently test nothing.
    assert len(TRACES) >= 15


@pytest.mark.parametrize("trace", TRACES)
def test_every_event_parses_into_its_typed_model(trace: str) -> None:
    events = trace_events(trace)
    for raw in events:
        event = parse_event(raw)
        assert not isinstance(event, UnknownEvent), raw["type"]
        assert type(event) is models.EVENT_TYPES[raw["type"]]
        assert event.type == raw["type"]


@pytest.mark.parametrize("trace", TRACES)
def test_every_success_response_validates_against_its_operation(trace: str) -> None:
    for response in rest_responses(trace):
        if not 200 <= response["status"] < 300 or response["path"].startswith("/ari/api-docs"):
            continue
        operation = operation_for(response["method"], response["path"])
        assert operation is not None, (
            f"no spec operation for {response['method']} {response['path']}"
        )
        body = response["body"]
        if operation.response_class == "void":
            assert body is None
            continue
        listed = re.fullmatch(r"List\[(\w+)\]", operation.response_class)
        if listed:
            item_model = models.MODEL_TYPES[listed[1]]
            items = TypeAdapter(list[item_model]).validate_python(body)  # type: ignore[valid-type]
            assert len(items) == len(body)
        else:
            models.MODEL_TYPES[operation.response_class].model_validate(body)


def test_rest_over_websocket_responses_are_typed_events() -> None:
    responses = [
        {key: value for key, value in line.items() if key not in {"dir", "t", "conn", "transport"}}
        for line in load_trace("rest_over_ws")
        if line["dir"] == "response" and line.get("type") == "RESTResponse"
    ]
    assert responses
    for raw in responses:
        event = parse_event(raw)
        assert isinstance(event, models.RESTResponse)


def test_parsing_ignores_key_order() -> None:
    raw = trace_events("answered_call")[0]
    shuffled = dict(reversed(list(raw.items())))
    assert parse_event(shuffled) == parse_event(raw)


def test_timestamps_parse_as_aware_datetimes_and_print_back_unchanged() -> None:
    raw = trace_events("answered_call")[0]
    event = parse_event(raw)
    assert isinstance(event, models.StasisStart)
    assert event.timestamp.utcoffset() is not None
    dumped = event.model_dump(mode="json")
    assert dumped["timestamp"] == raw["timestamp"]
    assert dumped["channel"]["creationtime"] == raw["channel"]["creationtime"]
