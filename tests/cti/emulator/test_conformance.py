"""Every recording in tests/cti/traces replayed against the emulator and compared.

Requests are paced by the emulator's clock and wait for the events the recording shows before
them.  The main replay drives that clock by hand (exact recorded timing whatever the machine
load); a few traces are replayed again with the clock running freely at SPEED.  Each trace is
replayed once and checked three ways: responses and error bodies, per-stream event sequences,
and validity of everything the emulator sent against the ARI spec.
"""

from __future__ import annotations

import functools

import pytest

from cti.emulator.validation import SpecValidator

from .compare import event_problems, response_problems
from .replay import API_DOCS, TRACES, Replay, replay_trace

SPEED = 30.0
# Traces without time-critical snapshots, also replayed with the clock running freely.
FREE_RUNNING = ["agent_busy_reject", "dtmf_ivr", "hangup_during_playback"]
# The other side of the documented race: every response leaves before the events it caused.
RESPONSE_FIRST = ["agent_create_dial", "answered_call", "media_controls"]
TRACE_NAMES = sorted(path.stem for path in TRACES.glob("*.jsonl"))


@functools.cache
def spec_validator() -> SpecValidator:
    return SpecValidator.from_path(API_DOCS)


def spec_problems(replay: Replay) -> list[str]:
    validator = spec_validator()
    problems: list[str] = []
    for conn, events in replay.received.items():
        if not conn.endswith("#rest"):
            for event in events:
                problems += validator.event_errors(event)
    for exchange in replay.exchanges:
        path = exchange.request["path"]
        if exchange.status in (None, 101) or path == "/ari/api-docs/resources.json":
            continue
        if isinstance(exchange.body, str):  # the HTML page of a refused websocket upgrade
            continue
        assert exchange.status is not None
        method = exchange.request["method"]
        problems += validator.response_errors(method, path[4:], exchange.status, exchange.body)
    return problems


def test_all_fifteen_recordings_are_covered() -> None:
    assert len(TRACE_NAMES) == 15


@pytest.mark.asyncio
@pytest.mark.parametrize("name", TRACE_NAMES)
async def test_replay_matches_recording(name: str) -> None:
    replay = await replay_trace(name, SPEED)
    assert replay.exchanges, "nothing was replayed"
    assert not response_problems(replay), "\n".join(response_problems(replay))
    assert not event_problems(replay), "\n".join(event_problems(replay))
    assert not spec_problems(replay), "\n".join(spec_problems(replay))


@pytest.mark.asyncio
@pytest.mark.parametrize("name", FREE_RUNNING)
async def test_replay_at_speed_factor_matches_recording(name: str) -> None:
    replay = await replay_trace(name, SPEED, stepped=False)
    problems = response_problems(replay) + event_problems(replay)
    assert not problems, "\n".join(problems)


@pytest.mark.asyncio
@pytest.mark.parametrize("name", RESPONSE_FIRST)
async def test_replay_with_responses_first_matches_recording(name: str) -> None:
    replay = await replay_trace(name, SPEED, race="response_first")
    problems = response_problems(replay) + event_problems(replay)
    assert not problems, "\n".join(problems)
