"""Small scenarios for the live-mode tests, as plain data (parse_scenario validates them)."""

from __future__ import annotations

import copy
from typing import Any

from simulations.scenario import Scenario, parse_scenario

TINY: dict[str, Any] = {
    "version": 1,
    "name": "live-tiny",
    "seed": 11,
    "replications": 3,
    "intervals": {"count": 2, "minutes": 1},
    "warmup_minutes": 0.25,
    "service_level": {"threshold_s": 20},
    "traffic": [
        {
            "skill": "national_tax",
            "calls_per_interval": [5, 6],
            "handle_time": {"dist": "exponential", "mean_s": 15},
            "patience": {"dist": "exponential", "mean_s": 20},
        }
    ],
    "wrap_up_s": 3,
    "agents": [{"group": "national", "count": [2, 3], "skills": {"national_tax": 1}}],
}


def tiny(**changes: Any) -> Scenario:
    data = copy.deepcopy(TINY)
    data.update(changes)
    return parse_scenario(data, "tiny.yaml")
