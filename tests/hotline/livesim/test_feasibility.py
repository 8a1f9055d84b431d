"""Scenarios that cannot run live are refused before anything starts, naming the field."""

from __future__ import annotations

import pytest

from hotline.livesim.feasibility import LiveScenarioError, check_live, expected_concurrent_callers
from hotline.livesim.options import LiveOptions
from tests.hotline.livesim.scenarios import TINY, tiny


def _problems(scenario_changes: dict[str, object], **options: object) -> list[str]:
    with pytest.raises(LiveScenarioError) as refused:
        check_live(tiny(**scenario_changes), LiveOptions(**options))  # type: ignore[arg-type]
    return refused.value.problems


def test_the_tiny_scenario_can_run_live() -> None:
    check_live(tiny(), LiveOptions())


def test_a_language_without_an_ivr_entry_is_refused() -> None:
    traffic = [{**TINY["traffic"][0], "language": "fr"}]
    agents = [{**TINY["agents"][0], "languages": ["fr"]}]
    problems = _problems({"traffic": traffic, "agents": agents})
    assert any(p.startswith("traffic[0].language: 'fr'") for p in problems), problems


def test_a_business_line_without_an_ivr_entry_is_refused() -> None:
    traffic = [{**TINY["traffic"][0], "skill": "customs"}]
    agents = [{**TINY["agents"][0], "skills": {"customs": 1}}]
    problems = _problems({"traffic": traffic, "agents": agents})
    assert any(p.startswith("traffic[0].skill: 'customs'") for p in problems), problems


def test_callbacks_are_refused() -> None:
    problems = _problems({"callbacks": {"offer_after_s": 30, "accept_probability": 0.5}})
    assert any(p.startswith("callbacks:") for p in problems), problems


def test_too_many_concurrent_callers_is_refused_naming_the_interval() -> None:
    traffic = [{**TINY["traffic"][0], "calls_per_interval": [5, 2000]}]
    problems = _problems({"traffic": traffic}, speed=1.0)
    assert any(p.startswith("traffic[].calls_per_interval[1]:") for p in problems), problems
    assert not any("calls_per_interval[0]" in p for p in problems)


def test_a_speed_that_floods_the_machine_is_refused() -> None:
    problems = _problems({}, speed=1000.0)
    assert any(p.startswith("--speed: 1000 would place") for p in problems), problems


def test_the_error_message_names_the_file() -> None:
    with pytest.raises(LiveScenarioError, match=r"^tiny\.yaml: callbacks:"):
        check_live(tiny(callbacks={"offer_after_s": 30, "accept_probability": 0.5}), LiveOptions())


def test_concurrency_grows_with_an_unserved_backlog_and_patience_caps_it() -> None:
    overloaded = [{**TINY["traffic"][0], "calls_per_interval": [200, 200], "patience": None}]
    without_patience = expected_concurrent_callers(tiny(traffic=overloaded))
    assert without_patience[1] > without_patience[0] > 100
    patient = [{**overloaded[0], "patience": {"dist": "exponential", "mean_s": 20}}]
    capped = expected_concurrent_callers(tiny(traffic=patient))
    # The queue stays at rate x mean patience; interval 1 only has one more agent talking.
    assert capped[1] == pytest.approx(capped[0] + 1)
    assert capped[1] < without_patience[0]
