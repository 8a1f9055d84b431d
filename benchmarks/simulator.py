"""Traffic simulator benchmark: simulated calls per wall second, side by side with ciw.

Both simulators run the same single-skill M/M/c+M model (50 agents, load 0.9, mean handle 180 s,
exponential patience of mean 120 s, about 200,000 calls, one replication). Ours runs the real
routing engine for every decision; ciw is a general queueing-network simulator (pure Python as
well). The pair runs `--repeat` times, alternating, so that both see the same machine load; the
ratio of the two rates is reported per round, with its best and median, next to the CPU time per
simulated call (`time.process_time`, steadier than wall time on a shared machine) and the load
average. Then one full day of a 1,000-seat multi-skill centre (about 500,000 calls) is timed.

    ./dev python benchmarks/simulator.py --json [--calls 200000] [--repeat 3] [--skip-day]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path, and `benchmarks/routing.py` would
# shadow the `routing` package the simulator imports: drop the folder before importing.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

import ciw  # noqa: E402

from simulations.model import TrafficModel  # noqa: E402
from simulations.scenario import parse_scenario  # noqa: E402

AGENTS = 50
LOAD = 0.9
HANDLE_S = 180.0
PATIENCE_S = 120.0
SINGLE_STAGE = {
    "default": {
        "stages": [{"after_s": 0, "max_level": 1}],
        "callback_offer_after_s": None,
        "max_wait_s": None,
        "announce_every_s": None,
    }
}


def mmcm_horizon(calls: int) -> float:
    arrival_rate = LOAD * AGENTS / HANDLE_S
    return calls / arrival_rate


def run_ciw(calls: int, seed: int) -> dict[str, Any]:
    arrival_rate = LOAD * AGENTS / HANDLE_S
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(arrival_rate)],
        service_distributions=[ciw.dists.Exponential(1.0 / HANDLE_S)],
        number_of_servers=[AGENTS],
        reneging_time_distributions=[ciw.dists.Exponential(1.0 / PATIENCE_S)],
    )
    ciw.seed(seed)  # ciw only offers a global seed
    simulation = ciw.Simulation(network)
    started, cpu_started = time.perf_counter(), time.process_time()
    simulation.simulate_until_max_time(mmcm_horizon(calls))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    records = simulation.get_all_records()
    served = sum(1 for r in records if r.record_type == "service")
    reneged = sum(1 for r in records if r.record_type == "renege")
    handled = served + reneged
    return {
        "simulator": "ciw",
        "version": ciw.__version__,
        "calls": handled,
        "abandon_rate": reneged / handled,
        "wall_s": elapsed,
        "calls_per_s": handled / elapsed,
        "cpu_us_per_call": 1e6 * cpu / handled,
    }


def mmcm_scenario(calls: int) -> dict[str, Any]:
    horizon_min = mmcm_horizon(calls) / 60.0
    return {
        "version": 1,
        "name": "bench-mmcm",
        "seed": 1,
        "replications": 1,
        "intervals": {"count": 1, "minutes": horizon_min},
        "traffic": [
            {
                "skill": "national_tax",
                "calls_per_interval": float(calls),
                "handle_time": {"dist": "exponential", "mean_s": HANDLE_S},
                "patience": {"dist": "exponential", "mean_s": PATIENCE_S},
            }
        ],
        "agents": [{"group": "all", "count": AGENTS, "skills": {"national_tax": 1}}],
        "routing": SINGLE_STAGE,
    }


def run_ours(data: dict[str, Any], seed: int) -> dict[str, Any]:
    scenario = parse_scenario(data, data["name"])
    model = TrafficModel(scenario, f"bench:{seed}")
    started, cpu_started = time.perf_counter(), time.process_time()
    figures = model.run()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    calls = figures.overall["offered"]
    return {
        "simulator": "hotline",
        "calls": int(calls),
        "abandon_rate": figures.overall["abandon_rate"],
        "service_level": figures.overall["service_level"],
        "engine_events": model.events_applied,
        "wall_s": elapsed,
        "calls_per_s": calls / elapsed,
        "cpu_us_per_call": 1e6 * cpu / calls,
    }


def big_centre_day() -> dict[str, Any]:
    """24 hourly intervals, 1,000 seats, 3 business lines x 2 languages, mean handle 150 s."""
    rng = random.Random(5)
    lines = ["national_tax", "local_tax", "finance"]
    shares = {"national_tax": 0.45, "local_tax": 0.35, "finance": 0.2}
    hourly_total = 0.88 * 1000 * 3600 / 165.0  # 165 s = handle + wrap-up per call
    traffic = []
    for line in lines:
        for language, language_share in (("zh", 0.95), ("en", 0.05)):
            calls = hourly_total * shares[line] * language_share
            traffic.append(
                {
                    "skill": line,
                    "language": language,
                    "calls_per_interval": [round(calls * rng.uniform(0.97, 1.03), 1)] * 24,
                    "handle_time": {"dist": "lognormal", "mean_s": 150, "cv": 0.8},
                    "patience": {"dist": "exponential", "mean_s": 180},
                }
            )
    agents = [
        {"group": "national", "count": 400, "skills": {"national_tax": 1, "local_tax": 2}},
        {"group": "local", "count": 320, "skills": {"local_tax": 1, "national_tax": 2}},
        {"group": "finance", "count": 180, "skills": {"finance": 1, "local_tax": 3}},
        {
            "group": "bilingual",
            "count": 60,
            "skills": {"national_tax": 1, "local_tax": 1, "finance": 2},
            "languages": ["zh", "en"],
        },
        {
            "group": "overflow",
            "count": 40,
            "skills": {"national_tax": 3, "local_tax": 3, "finance": 3},
            "overflow": True,
        },
    ]
    return {
        "version": 1,
        "name": "bench-1000-seats",
        "seed": 3,
        "replications": 1,
        "intervals": {"count": 24, "minutes": 60},
        "warmup_minutes": 30,
        "traffic": traffic,
        "agents": agents,
        "wrap_up_s": 15,
        "routing": {},
    }


def side_by_side(calls: int, repeat: int) -> dict[str, Any]:
    """Both simulators `repeat` times, alternating; each round's rate ratio, best and median."""
    rounds = []
    for _ in range(repeat):
        ciw_run = run_ciw(calls, seed=11)
        ours = run_ours(mmcm_scenario(calls), seed=11)
        rounds.append(
            {
                "ciw": ciw_run,
                "hotline": ours,
                "speedup_vs_ciw": ours["calls_per_s"] / ciw_run["calls_per_s"],
                "cpu_speedup_vs_ciw": ciw_run["cpu_us_per_call"] / ours["cpu_us_per_call"],
            }
        )
    speedups = [r["speedup_vs_ciw"] for r in rounds]
    cpu_speedups = [r["cpu_speedup_vs_ciw"] for r in rounds]
    return {
        "agents": AGENTS,
        "load": LOAD,
        "handle_s": HANDLE_S,
        "patience_s": PATIENCE_S,
        "rounds": rounds,
        "speedup_vs_ciw": {"best": max(speedups), "median": statistics.median(speedups)},
        "cpu_speedup_vs_ciw": {
            "best": max(cpu_speedups),
            "median": statistics.median(cpu_speedups),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON (the default output)")
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the side-by-side pair")
    parser.add_argument("--skip-day", action="store_true", help="skip the 1,000-seat day")
    args = parser.parse_args()
    load_before = os.getloadavg()
    output: dict[str, Any] = {
        "benchmark": "simulator",
        "machine": f"{platform.machine()} {platform.processor() or ''} {platform.system()}".strip(),
        "python": platform.python_version(),
        "mmcm": side_by_side(args.calls, max(1, args.repeat)),
    }
    if not args.skip_day:
        output["day_1000_seats"] = run_ours(big_centre_day(), seed=3)
    output["load_average"] = {"before": load_before, "after": os.getloadavg()}
    print(json.dumps(output, indent=2))


if __name__ == "__main__":
    main()
