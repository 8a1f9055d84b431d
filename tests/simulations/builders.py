"""Small scenario builders shared by the simulation tests."""

from __future__ import annotations

from typing import Any

from simulations.scenario import Scenario, parse_scenario

SINGLE_STAGE: dict[str, Any] = {
    "default": {
        "stages": [{"after_s": 0, "max_level": 1}],
        "callback_offer_after_s": None,
        "max_wait_s": None,
        "announce_every_s": None,
    }
}


def single_skill(
    agents: int,
    arrival_rate: float,
    handle_s: float,
    patience_s: float | None,
    hours: float,
    replications: int,
    seed: int = 1,
    threshold_s: float = 20.0,
    warmup_minutes: float = 60.0,
) -> Scenario:
    """An M/M/c(+M) centre: one line, one group, exponential everything, one routing stage."""
    traffic: dict[str, Any] = {
        "skill": "national_tax",
        "calls_per_interval": arrival_rate * hours * 3600,
        "handle_time": {"dist": "exponential", "mean_s": handle_s},
    }
    if patience_s is not None:
        traffic["patience"] = {"dist": "exponential", "mean_s": patience_s}
    return parse_scenario(
        {
            "version": 1,
            "name": f"mmc-{agents}",
            "seed": seed,
            "replications": replications,
            "intervals": {"count": 1, "minutes": hours * 60},
            "warmup_minutes": warmup_minutes,
            "service_level": {"threshold_s": threshold_s},
            "traffic": [traffic],
            "agents": [{"group": "all", "count": agents, "skills": {"national_tax": 1}}],
            "routing": SINGLE_STAGE,
        },
        "test",
    )


def two_lines(**overrides: Any) -> Scenario:
    """A small multi-skill day: two lines, a time-varying load and staffing, callbacks."""
    data: dict[str, Any] = {
        "version": 1,
        "name": "two-lines",
        "seed": 3,
        "replications": 3,
        "intervals": {"count": 3, "minutes": 30},
        "warmup_minutes": 15,
        "traffic": [
            {
                "skill": "national_tax",
                "calls_per_interval": [40, 60, 30],
                "handle_time": {"dist": "lognormal", "mean_s": 240, "cv": 0.7},
                "patience": {"dist": "exponential", "mean_s": 150},
            },
            {
                "skill": "local_tax",
                "calls_per_interval": 20,
                "handle_time": {"dist": "exponential", "mean_s": 300},
                "patience": {"dist": "exponential", "mean_s": 150},
            },
        ],
        "wrap_up_s": 20,
        "agents": [
            {
                "group": "national",
                "count": [5, 7, 3],
                "skills": {"national_tax": 1, "local_tax": 2},
            },
            {"group": "local", "count": 3, "skills": {"local_tax": 1}},
        ],
        "routing": {},
        "callbacks": {"offer_after_s": 60, "accept_probability": 0.5},
    }
    data.update(overrides)
    return parse_scenario(data, "test")
