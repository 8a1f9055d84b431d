"""A run pauses the cyclic garbage collector: it must leave no cyclic garbage and restore it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from simulations.model import TrafficModel
from simulations.scenario import Scenario
from tests.simulations.builders import single_skill, two_lines


@pytest.fixture
def collector_on() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if not was_enabled:
        gc.disable()


@pytest.mark.usefixtures("collector_on")
@pytest.mark.parametrize(
    "scenario",
    [
        single_skill(
            agents=5, arrival_rate=0.02, handle_s=180, patience_s=60, hours=1, replications=1
        ),
        two_lines(),
    ],
    ids=["single-skill", "two-lines-with-callbacks"],
)
def test_a_run_leaves_no_cyclic_garbage_and_restores_the_collector(scenario: Scenario) -> None:
    model = TrafficModel(scenario, "gc-check")
    gc.collect()
    figures = model.run()
    assert gc.isenabled()
    assert figures.overall["offered"] > 0
    # Everything the run allocated and dropped is gone already: nothing was waiting for the
    # collector (the model itself is still referenced here, so its own cycles do not count).
    assert gc.collect() == 0


def test_a_run_leaves_a_paused_collector_paused() -> None:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        TrafficModel(two_lines(), "gc-check").run()
        assert not gc.isenabled()
    finally:
        if was_enabled:
            gc.enable()
