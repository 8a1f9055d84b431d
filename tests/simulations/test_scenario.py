"""Scenario validation: every problem is reported with the path of the field at fault."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from simulations.scenario import ScenarioError, load_scenario, parse_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "simulations" / "scenarios"

VALID: dict[str, Any] = {
    "version": 1,
    "name": "tiny",
    "seed": 1,
    "replications": 2,
    "intervals": {"count": 2, "minutes": 30},
    "warmup_minutes": 10,
    "service_level": {"threshold_s": 20},
    "traffic": [
        {
            "skill": "national_tax",
            "calls_per_interval": [10, 12.5],
            "handle_time": {"dist": "lognormal", "mean_s": 300, "cv": 0.8},
            "patience": {"dist": "exponential", "mean_s": 120},
        },
        {
            "skill": "finance",
            "language": "en",
            "calls_per_interval": 2,
            "handle_time": {"dist": "constant", "mean_s": 200},
        },
    ],
    "agents": [
        {
            "group": "national",
            "count": [3, 4],
            "skills": {"national_tax": 1, "finance": 2},
            "languages": ["zh", "en"],
        },
    ],
    "callbacks": {"offer_after_s": 90, "accept_probability": 0.4},
}


def broken(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    for path, value in changes.items():
        target: Any = data
        keys = path.split("__")
        for key in keys[:-1]:
            target = target[int(key)] if key.isdigit() else target[key]
        last = keys[-1]
        if value is DELETE:
            del target[last]
        elif last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value
    return data


DELETE = object()


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data, "s.yaml")
    return caught.value.problems


def test_a_valid_scenario_parses_with_defaults_filled_in() -> None:
    scenario = parse_scenario(VALID, "s.yaml")
    assert scenario.interval_count == 2
    assert scenario.traffic[0].calls_per_interval == (10.0, 12.5)
    assert scenario.traffic[1].calls_per_interval == (2.0, 2.0)
    assert scenario.traffic[0].language == "zh"
    assert scenario.traffic[1].patience is None
    assert scenario.agents[0].count == (3, 4)
    assert scenario.callbacks is not None
    assert scenario.day_s == 3600.0


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"traffic__0__handle_time__mean_s": 0}, "traffic[0].handle_time.mean_s: must be > 0"),
        ({"traffic__0__handle_time__dist": "gamma"}, "traffic[0].handle_time.dist: must be one of"),
        ({"traffic__0__calls_per_interval": [1, 2, 3]}, "traffic[0].calls_per_interval: has 3"),
        ({"traffic__1__calls_per_interval": -1}, "traffic[1].calls_per_interval: must be >= 0"),
        ({"traffic__0__calls_per_interval": [1, "x"]}, "calls_per_interval[1]: must be a number"),
        ({"traffic__1__language": "ko"}, "traffic[1].skill: no agent group can serve finance/ko"),
        ({"agents__0__count": 2.5}, "agents[0].count: must be an integer"),
        ({"agents__0__skills__finance": 0}, "agents[0].skills.finance: level must be"),
        ({"intervals__count": 0}, "intervals.count: must be >= 1"),
        ({"version": 2}, "version: must be 1"),
        ({"callbacks__accept_probability": 1.5}, "callbacks.accept_probability: must be <= 1"),
        ({"traffic__0__arrivals": "batch"}, "traffic[0].arrivals: must be poisson"),
        ({"traffic__0__colour": "red"}, "traffic[0].colour: unknown field"),
        ({"traffic": []}, "traffic: must be a non-empty list"),
        ({"agents": DELETE}, "agents: is required"),
        ({"routing": [1]}, "routing: must be a mapping"),
        ({"routing": {"default": {"stages": []}}}, "routing.default.stages: "),
    ],
)
def test_invalid_fields_are_named(changes: dict[str, Any], expected: str) -> None:
    found = problems(broken(**changes))
    assert any(expected in problem for problem in found), found


def test_every_problem_is_reported_at_once_with_the_file_name() -> None:
    data = broken(traffic__0__handle_time__mean_s=-5, agents__0__count=[1])
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data, "s.yaml")
    message = str(caught.value)
    assert "s.yaml: traffic[0].handle_time.mean_s: must be > 0" in message
    assert "s.yaml: agents[0].count: has 1 values but intervals.count is 2" in message


def test_a_file_that_is_not_yaml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("traffic: [unclosed\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bad\.yaml: .*not valid YAML"):
        load_scenario(path)


@pytest.mark.parametrize("name", ["hangzhou-weekday.yaml", "erlang-check.yaml"])
def test_shipped_scenarios_are_valid(name: str) -> None:
    scenario = load_scenario(SCENARIOS / name)
    assert scenario.traffic


def test_the_shared_seats_example_declares_a_seat_kind_with_costs() -> None:
    root = Path(__file__).resolve().parents[2]
    scenario = load_scenario(root / "examples" / "hangzhou-shared-seats.yaml")
    groups = {group.name: group for group in scenario.agents}
    assert set(groups["foreign"].count) == {0}
    assert groups["foreign"].languages == {"en", "ko"}
    assert groups["korean"].cost == 1.5
    assert groups["national"].cost == 1.0


def test_each_problem_is_also_data_a_shell_can_word() -> None:
    # The words for people are the shell's (hotline's catalogue); the path, the code and the
    # values the text names are the simulator's, whatever the language.
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(broken(traffic__1__language="ko", agents__0__count=[1, 2, 3]), "s.yaml")
    found = {(item.path, item.code): dict(item.params) for item in caught.value.items}
    assert found[("agents[0].count", "length_mismatch")] == {"got": 3, "count": 2}
    assert found[("traffic[1].skill", "unserved")] == {"pair": "finance/ko"}
    assert [item.line() for item in caught.value.items] == caught.value.problems
