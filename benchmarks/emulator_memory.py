"""Memory the ARI emulator keeps per finished call, over a long run (the demo's concern).

Drives the emulator core (manual clock, no sockets) through N scripted calls: an inbound call
answered with a prompt, an agent leg, a mixing bridge, the taxpayer hanging up after 40 s, the
bridge destroyed. tracemalloc compares the heap after a warm-up with the heap after the run:
a flat memory keeps (close to) nothing per call.

    ./dev python benchmarks/emulator_memory.py --json [--calls 2000]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path and benchmarks/cti.py would shadow
# the `cti` package; drop the folder before importing it.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

from cti.emulator import Asterisk, LabConfig, ManualScheduler, TaxpayerScript  # noqa: E402


class _Sink:
    def __init__(self) -> None:
        self.count = 0

    def send(self, message: dict[str, Any]) -> None:
        self.count += 1


def _call(core: Asterisk, clock: ManualScheduler, number: int) -> None:
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
    clock.advance(60)
    if leg in core.channels:
        core.api_hangup(core.channels[leg], 16)
    clock.advance(1)
    core.destroy_bridge(bridge)
    clock.advance(1)


def measure(calls: int, warmup: int) -> dict[str, Any]:
    clock = ManualScheduler()
    core = Asterisk(clock, LabConfig())
    sink = _Sink()
    core.apps.attach(["hotline"], sink, subscribe_all=False)
    tracemalloc.start()
    try:
        for number in range(warmup):
            _call(core, clock, number)
        gc.collect()
        before = tracemalloc.take_snapshot()
        started = time.process_time()
        for number in range(warmup, warmup + calls):
            _call(core, clock, number)
        cpu_s = time.process_time() - started
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    return {
        "calls": calls,
        "warmup_calls": warmup,
        "events_sent": sink.count,
        "retained_bytes": grown,
        "retained_bytes_per_call": round(grown / calls, 1),
        "event_log_window": len(core.emitted),
        "cpu_s_traced": round(cpu_s, 2),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_1m": round(os.getloadavg()[0], 2),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--json", action="store_true", help="print JSON (the only output)")
    args = parser.parse_args()
    result = measure(args.calls, args.warmup)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"{result['calls']} calls: {result['retained_bytes_per_call']} bytes kept per call "
            f"(event window {result['event_log_window']})"
        )


if __name__ == "__main__":
    main()
