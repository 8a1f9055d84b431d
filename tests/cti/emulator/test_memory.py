"""The emulator's memory stays flat however many calls it has carried (a long demo).

Each call is driven to its end on the pure core (manual clock): IVR prompt, agent leg, mixing
bridge, hang-ups. What a finished call leaves behind must not grow with the number of calls: the
debugging log of emitted events and the log of played media are bounded windows, and no
channel, bridge, playback or server timer outlives its call.
"""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

from cti.emulator import Asterisk, LabConfig, ManualScheduler, TaxpayerScript

Event = dict[str, Any]


class Sink:
    """The Stasis application's websocket, kept empty between calls."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def send(self, message: Event) -> None:
        self.events.append(message)


def one_call(core: Asterisk, clock: ManualScheduler, sink: Sink, number: int) -> None:
    ids = core.place_call(TaxpayerScript(hangup_after_answer_s=40.0, patience_s=None))
    clock.advance(0)
    line = str(ids["channel_id"])
    core.answer(line)
    core.play(f"channel:{line}", ["sound:hello-world"], f"welcome-{number}", "en")
    clock.advance(2)
    params = {"endpoint": "Local/1001@agents", "app": "hotline", "appArgs": "agent"}
    leg = str(core.originate(params, {})["id"])
    clock.advance(3)
    bridge = str(core.create_bridge({"type": "mixing"})["id"])
    core.add_channels(bridge, [line, leg])
    clock.advance(60)  # the taxpayer hangs up after 40 s of talk
    if leg in core.channels:
        core.api_hangup(core.channels[leg], 16)
    clock.advance(1)
    core.destroy_bridge(bridge)
    clock.advance(1)
    sink.events.clear()


def test_a_long_run_leaves_nothing_behind_and_memory_stays_flat() -> None:
    clock = ManualScheduler()
    core = Asterisk(clock, LabConfig(event_log_size=200))
    sink = Sink()
    core.apps.attach(["hotline"], sink, subscribe_all=False)
    tracemalloc.start()  # before the warm-up: what it allocates must be traced in both snapshots
    try:
        # Warm-up: caches, first allocations, and both bounded windows full (the events, and
        # the log of what was played: one prompt a call, so 200 calls).
        for number in range(200):
            one_call(core, clock, sink, number)
        gc.collect()
        before = tracemalloc.take_snapshot()
        for number in range(200, 500):
            one_call(core, clock, sink, number)
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    # Keeping every emitted event and every caller cost about 8 KB per call of this short script
    # (about 60 KB per call of a full demo); a flat memory leaves well under 100 bytes per call.
    assert grown < 300 * 100, f"{grown / 300:.0f} bytes per call stayed in memory"
    assert len(core.emitted) == 200  # the debugging window, full but bounded
    assert len(core.played) == 200  # likewise what was played
    assert core.channels == {}
    assert core.bridges == {}
    assert core.playbacks == {}
    assert core.observers == {}
    assert len(core.server_timers) < 10


def test_the_event_log_keeps_the_latest_events() -> None:
    clock = ManualScheduler()
    core = Asterisk(clock, LabConfig(event_log_size=5))
    core.apps.attach(["hotline"], Sink(), subscribe_all=False)
    one_call(core, clock, Sink(), 0)
    assert len(core.emitted) == 5
    assert core.emitted[-1][0] == "BridgeDestroyed"  # the newest event is kept
