"""Staffing: the Erlang estimate, the split by group mix and the search on a small case."""

from __future__ import annotations

import pytest

from simulations import erlang
from simulations.runner import simulate
from simulations.staffing import Target, erlang_estimate, search_staffing, split_by_mix
from tests.simulations.builders import single_skill, two_lines


def test_target_parses_percent_and_seconds() -> None:
    target = Target.parse("75/120", 0.05)
    assert (target.service_level, target.threshold_s, target.max_abandon) == (0.75, 120.0, 0.05)
    with pytest.raises(ValueError, match="PERCENT/SECONDS"):
        Target.parse("80%")


def test_erlang_estimate_of_a_single_skill_centre_is_erlang_a() -> None:
    scenario = single_skill(10, 0.05, 180, 120, hours=1, replications=1)
    [(agents, figures)] = erlang_estimate(scenario, Target(0.8, 20, 0.05))
    expected, _ = erlang.fewest_agents(0.05, 180, 120, 20, 0.8, 0.05)
    assert agents == expected
    assert figures.service_level >= 0.8


def test_split_keeps_the_mix_and_one_seat_per_group() -> None:
    scenario = two_lines()  # interval 1: national 7, local 3
    split = split_by_mix(scenario, 1, 20)
    assert sum(split.values()) == 20
    assert split["national"] > split["local"] >= 1
    assert split_by_mix(scenario, 1, 1) == {"national": 1, "local": 1}


def test_search_finds_the_fewest_agents_that_meet_the_target() -> None:
    # A steady single-skill hour: the simulated answer should sit at (or next to) Erlang A's.
    scenario = single_skill(1, 0.04, 150, 120, hours=2, replications=4, warmup_minutes=30)
    target = Target(0.8, 20, 0.05)
    plan = search_staffing(scenario, target)
    [row] = plan.intervals
    erlang_agents, _ = erlang.fewest_agents(0.04, 150, 120, 20, 0.8, 0.05)
    assert abs(row.total - erlang_agents) <= 1
    assert target.met(row.service_level.mean, row.abandon_rate.mean)
    # One agent fewer misses the target with the same callers (it is the fewest).
    fewer = simulate(scenario.with_staffing({"all": (row.total - 1,)}))
    overall = fewer.by_interval[0]
    assert not target.met(overall["service_level"].mean, overall["abandon_rate"].mean)
