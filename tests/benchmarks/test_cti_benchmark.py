"""The CTI benchmark still measures what it says: a tiny run, every figure present and sane.

Its probe taps private attributes of the stream and the controller; a refactor that moves them
must fail here rather than leave the benchmark printing no latency at all. It runs as the script
it is (its call placer is a spawned process that finds its code through ``__main__``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "cti.py"


def test_a_small_run_times_every_reaction_and_loses_no_call() -> None:
    calls = 4
    command = [sys.executable, str(BENCHMARK), "--json", "--concurrent", "2", "--ramp", "0"]
    command += ["--calls", str(calls), "--speed", "50", "--talk", "1"]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert finished.returncode == 0, finished.stderr[-2000:]
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    assert (result["lost"], result["stuck"], result["timed_out"]) == (0, 0, False)
    assert result["answered"] == calls
    assert result["rest"] == "websocket"  # the default: the transport of the goal
    # Three reactions per call (caller StasisStart, the digit, the agent's StasisStart), each
    # timed to the first request it sends.
    assert result["latency_samples"] == 3 * calls
    assert set(result["latency_by_reaction_ms"]) == {
        "CallerArrived -> POST channels/answer",
        "DigitPressed -> DELETE playbacks",
        "LegAnswered -> DELETE bridges/moh",
    }
    assert result["bridged_ms"]["n"] == calls
    # About 30 events a call; how many prompts a caller hears before pressing varies with timing.
    assert result["events"] >= 20 * calls
    assert 0 < result["p50_ms"] <= result["p99_ms"]


def test_with_the_database_every_call_has_its_record_and_the_write_lag_is_reported() -> None:
    calls = 4
    command = [sys.executable, str(BENCHMARK), "--json", "--concurrent", "2", "--ramp", "0"]
    command += ["--calls", str(calls), "--speed", "50", "--talk", "1", "--db", "sqlite"]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert finished.returncode == 0, finished.stderr[-2000:]
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    assert (result["lost"], result["stuck"], result["timed_out"]) == (0, 0, False)
    database = result["database"]
    assert database["kind"] == "sqlite"
    assert database["rows"]["calls"] == database["rows"]["calls_closed"] == calls
    assert database["lost_call_records"] == 0
    assert database["write_failed"] == 0
    assert database["write_lag_ms"]["n"] > 0
    # Each call's journal: arrival, IVR, offer, answer, talk end, finish at least.
    assert database["rows"]["journal"] >= 6 * calls
