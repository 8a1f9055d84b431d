"""Every recording in ../shared/ari/traces replayed against the emulator and compared.

The emulator runs at SPEED emulated seconds per real second; requests are paced by the
emulator's clock and wait for the events the recording shows before them.  Each trace is
replayed once and checked three ways: responses and error bodies, per-stream event sequences,
and validity of everything the emulator sent against the raw api-docs.
"""

from __future__ import annotations

import pytest

from cti.emulator.validation import SpecValidator

from .compare import event_problems, response_problems
from .replay import API_DOCS, TRACES, Replay, replay_trace

SPEED = 30.0
TRACE_NAMES = sorted(path.stem for path in TRACES.glob("*.jsonl"))


def spec_problems(replay: Replay) -> list[str]:
    validator = SpecValidator.from_directory(API_DOCS)
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
