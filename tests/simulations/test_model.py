"""The SimPy model around the routing engine: determinism, accounting invariants, behaviours."""

from __future__ import annotations

import json
import math

import pytest

from simulations.model import TrafficModel, replication_seed, run_replication
from simulations.runner import simulate
from tests.simulations.builders import single_skill, two_lines


def test_same_seed_gives_identical_json() -> None:
    scenario = two_lines()
    first = json.dumps(simulate(scenario, replications=2).to_dict())
    second = json.dumps(simulate(scenario, replications=2).to_dict())
    assert first == second


def test_parallel_workers_give_the_same_result_as_one_process() -> None:
    scenario = two_lines()
    serial = simulate(scenario, replications=2, workers=1).to_dict()
    parallel = simulate(scenario, replications=2, workers=2).to_dict()
    assert serial == parallel


def test_a_different_seed_gives_different_traffic() -> None:
    scenario = two_lines()
    one = run_replication(scenario, 0, seed=1).overall["offered"]
    other = run_replication(scenario, 0, seed=2).overall["offered"]
    assert one != other


def test_every_offered_call_has_exactly_one_outcome() -> None:
    figures = run_replication(two_lines(), 0)
    for group in [figures.overall, *figures.by_skill.values(), *figures.by_interval]:
        outcomes = group["answered"] + group["abandoned"] + group["callbacks"] + group["diverted"]
        assert outcomes == group["offered"]
    by_interval = sum(f["offered"] for f in figures.by_interval)
    by_skill = sum(f["offered"] for f in figures.by_skill.values())
    assert by_interval == by_skill == figures.overall["offered"]


def test_callbacks_are_taken_when_callers_wait_past_the_offer() -> None:
    figures = run_replication(two_lines(), 0)
    assert figures.overall["callbacks"] > 0
    never = run_replication(two_lines(callbacks=None), 0)
    assert never.overall["callbacks"] == 0


def test_figures_stay_in_range() -> None:
    figures = run_replication(two_lines(), 1)
    for group in [figures.overall, *figures.by_interval]:
        assert 0.0 <= group["service_level"] <= group["service_level_answered"] <= 1.0
        assert 0.0 < group["occupancy"] <= 1.0
        assert group["asa_s"] >= 0.0
        assert group["wait_p50_s"] <= group["wait_p90_s"] <= group["wait_p99_s"]


def test_interval_staffing_is_followed() -> None:
    figures = run_replication(two_lines(), 0)
    # national has 5, 7, 3 agents and local 3: leavers finish their call, so allow a little more.
    expected = [8, 10, 6]
    for interval, agents in zip(figures.by_interval, expected, strict=True):
        assert agents - 0.01 <= interval["agents"] <= agents + 1.0


def test_no_patience_means_no_abandonment() -> None:
    scenario = single_skill(3, 2.0 / 180, 180, None, hours=2, replications=1)
    figures = run_replication(scenario, 0)
    assert figures.overall["abandoned"] == 0
    assert figures.overall["answered"] == figures.overall["offered"]


def test_an_idle_centre_answers_everyone_at_once() -> None:
    scenario = single_skill(10, 0.1 / 180, 180, 60, hours=2, replications=1)
    figures = run_replication(scenario, 0)
    assert figures.overall["offered"] > 0
    assert figures.overall["service_level"] == 1.0
    assert figures.overall["p_wait"] == 0.0


def test_ring_time_counts_as_wait() -> None:
    scenario = two_lines(ring_s=8.0)
    figures = run_replication(scenario, 0)
    assert figures.overall["wait_p50_s"] >= 8.0


def test_the_engine_sees_every_call() -> None:
    model = TrafficModel(two_lines(), replication_seed(3, 0))
    figures = model.run()
    # At least arrival, answer and end for each answered call reach the engine.
    assert model.events_applied >= 3 * figures.overall["answered"]
    assert not math.isnan(figures.overall["asa_s"])


def test_replications_must_be_positive() -> None:
    with pytest.raises(ValueError, match="replications"):
        simulate(two_lines(), replications=0)
