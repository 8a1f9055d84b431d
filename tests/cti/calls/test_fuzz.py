"""Out-of-order and duplicated ARI events never crash the controller nor leave a call open.

Every event of every real recording is fed, shuffled and partly duplicated, into one
controller (several rounds, each with its own seed). Afterwards a resync against an Asterisk
that has nothing left must close every call the controller opened: each ``call_arrived`` gets
its ``call_finished`` and nothing stays in memory. The count of events is printed for
BENCHMARKS.md (``-s``).
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

from cti.ari.events import parse_event
from cti.calls.controller import ControllerOptions, SiteCallController
from tests.cti.ari.ari_traces import trace_events
from tests.cti.calls.emulated import RecordingDirector
from tests.cti.calls.test_controller import PLAN, SITE, FakeAri
from tests.cti.emulator.test_conformance import TRACE_NAMES

ROUNDS = 16  # about 10,600 events in all


def _all_events() -> list[dict[str, Any]]:
    return [event for name in TRACE_NAMES for event in trace_events(name)]


def _ended_before_started(events: list[dict[str, Any]]) -> set[str]:
    """Inbound channels whose first StasisEnd comes before their first StasisStart."""
    ended: set[str] = set()
    started: set[str] = set()
    early: set[str] = set()
    for event in events:
        channel_id = event.get("channel", {}).get("id")
        if event["type"] == "StasisEnd":
            ended.add(channel_id)
        elif event["type"] == "StasisStart" and event.get("args", [""])[0] == "inbound":
            if channel_id in ended and channel_id not in started:
                early.add(channel_id)
            started.add(channel_id)
    return early


@pytest.mark.asyncio
@pytest.mark.parametrize("seed", range(ROUNDS))
async def test_shuffled_and_duplicated_events_leave_no_call_open(seed: int) -> None:
    rng = random.Random(seed)
    events = _all_events()
    events += rng.sample(events, len(events) // 5)  # duplicates
    rng.shuffle(events)
    ari = FakeAri()
    director = RecordingDirector(plan=PLAN)
    controller = SiteCallController(SITE, ari, director, options=ControllerOptions())
    director.control = controller
    for raw in events:
        controller.route_event(SITE, parse_event(raw))
    await controller.drain()
    await controller.resync()  # Asterisk has nothing left: every call must end
    await controller.drain()
    stats = controller.stats()
    print(f"seed {seed}: {len(events)} events, {stats}")  # for BENCHMARKS.md (-s)
    assert (stats["lane_errors"], stats["director_errors"]) == (0, 0)
    assert controller.active_calls == 0
    names = Counter(name for name, _, _ in director.log)
    assert names["call_arrived"] == names["call_finished"]
    # A caller gone before its StasisStart was never answered nor played to.
    early = _ended_before_started(events)
    touched = {args[0] for name, args in ari.requests if name in ("answer", "play_on_channel")}
    assert early
    assert not early & touched
    await controller.close()
