"""Replications, in parallel processes, and their summary with 95% confidence intervals.

Each replication's random streams derive from (scenario seed, replication index) only, so the result
does not depend on the number of workers or the order in which processes finish.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from simulations.metrics import Figures, ReplicationFigures
from simulations.model import run_replication
from simulations.scenario import Scenario
from simulations.stats import Estimate, estimate

ProgressCallback = Callable[[int], None]  # called with the number of replications finished


@dataclass(frozen=True, slots=True)
class SimulationResult:
    scenario: Scenario
    seed: int
    replications: int
    overall: dict[str, Estimate]
    by_skill: dict[str, dict[str, Estimate]]
    by_interval: list[dict[str, Estimate]]
    by_skill_interval: dict[str, list[dict[str, Estimate]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.name,
            "seed": self.seed,
            "replications": self.replications,
            "service_level_threshold_s": self.scenario.threshold_s,
            "interval_minutes": self.scenario.interval_minutes,
            "overall": _figures_dict(self.overall),
            "by_skill": {label: _figures_dict(f) for label, f in self.by_skill.items()},
            "by_interval": [
                {
                    "interval": index,
                    "clock": self.scenario.interval_label(index),
                    **_figures_dict(f),
                }
                for index, f in enumerate(self.by_interval)
            ],
            "by_skill_interval": {
                label: [
                    {
                        "interval": index,
                        "clock": self.scenario.interval_label(index),
                        **_figures_dict(f),
                    }
                    for index, f in enumerate(per_interval)
                ]
                for label, per_interval in self.by_skill_interval.items()
            },
        }


def simulate(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    progress: ProgressCallback | None = None,
) -> SimulationResult:
    """Run the scenario's replications (``workers`` > 1: in that many processes) and summarise."""
    count = scenario.replications if replications is None else replications
    base_seed = scenario.seed if seed is None else seed
    if count < 1:
        raise ValueError("replications must be >= 1")
    runs: list[ReplicationFigures | None] = [None] * count
    if workers <= 1:
        for index in range(count):
            runs[index] = run_replication(scenario, index, base_seed)
            if progress:
                progress(index + 1)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {
                pool.submit(run_replication, scenario, index, base_seed): index
                for index in range(count)
            }
            for done, future in enumerate(as_completed(futures), start=1):
                runs[futures[future]] = future.result()
                if progress:
                    progress(done)
    finished = [run for run in runs if run is not None]
    return summarise_replications(scenario, base_seed, finished)


def summarise_replications(
    scenario: Scenario, seed: int, runs: Sequence[ReplicationFigures]
) -> SimulationResult:
    overall = _combine([run.overall for run in runs])
    by_skill = {
        label: _combine([run.by_skill[label] for run in runs]) for label in runs[0].by_skill
    }
    by_interval = [
        _combine([run.by_interval[index] for run in runs])
        for index in range(len(runs[0].by_interval))
    ]
    by_skill_interval = {
        label: [
            _combine([run.by_skill_interval[label][index] for run in runs])
            for index in range(len(runs[0].by_skill_interval[label]))
        ]
        for label in runs[0].by_skill_interval
    }
    return SimulationResult(
        scenario, seed, len(runs), overall, by_skill, by_interval, by_skill_interval
    )


def _combine(samples: Sequence[Figures]) -> dict[str, Estimate]:
    return {name: estimate([sample[name] for sample in samples]) for name in samples[0]}


def _figures_dict(figures: dict[str, Estimate]) -> dict[str, dict[str, float | None]]:
    # JSON has no NaN: a figure undefined in every replication (no answered call) becomes null.
    return {
        name: {
            "mean": None if math.isnan(value.mean) else value.mean,
            "ci95": None if math.isnan(value.ci95) else value.ci95,
        }
        for name, value in figures.items()
    }
