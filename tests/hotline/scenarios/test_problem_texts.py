"""A scenario's problems, the history's refusals and the simulator's result tables have a text
in zh-CN and in English in the one catalogue, the English the simulator's own."""

from __future__ import annotations

import re
import string

import pytest

from hotline.scenarios import problems
from hotline.scenarios.history import HistoryError, day_shape
from hotline.web import i18n
from simulations import report
from simulations.scenario import ENGLISH, ScenarioError, ScenarioProblemCode, parse_scenario

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("code", sorted(ScenarioProblemCode))
def test_every_scenario_problem_has_a_chinese_text_and_the_simulators_english(code: str) -> None:
    entry = i18n.CATALOG.get(problems.MESSAGE_PREFIX + code)
    assert entry is not None, f"{problems.MESSAGE_PREFIX}{code} is not in the catalogue"
    zh, en = entry
    assert CHINESE.search(zh), f"{code}: the zh-CN text is not Chinese: {zh!r}"
    assert en == ENGLISH[ScenarioProblemCode(code)]
    assert _placeholders(zh) == _placeholders(en), code


def test_the_catalogue_words_no_scenario_code_that_does_not_exist() -> None:
    worded = {
        key.removeprefix(problems.MESSAGE_PREFIX)
        for key in i18n.CATALOG
        if key.startswith(problems.MESSAGE_PREFIX)
    }
    assert sorted(worded - {str(code) for code in ScenarioProblemCode}) == []


def test_the_result_tables_have_every_word_in_both_languages() -> None:
    worded = {
        key.removeprefix("simreport.") for key in i18n.CATALOG if key.startswith("simreport.")
    }
    assert worded == set(report.ENGLISH)
    for key, english in report.ENGLISH.items():
        zh, en = i18n.CATALOG[f"simreport.{key}"]
        assert en == english
        assert CHINESE.search(zh), key
        assert _placeholders(zh) == _placeholders(en), key


def test_a_scenarios_problems_name_the_file_and_field_in_either_language() -> None:
    data = {
        "version": 1,
        "intervals": {"count": 1},
        "traffic": [{"skill": "vat", "calls_per_interval": 5, "handle_time": {"mean_s": 0}}],
        "agents": [{"group": "g", "count": 2, "skills": {"vat": 1}}],
        "routing": {"default": {"stages": []}},
    }
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data, "day.yaml")
    assert problems.lines(caught.value, "zh-CN") == [
        "day.yaml: traffic[0].handle_time.mean_s: 必须大于 0",
        "day.yaml: routing.default.stages: 必须是非空的阶段列表",
    ]
    assert problems.lines(caught.value, "en") == [
        "day.yaml: traffic[0].handle_time.mean_s: must be > 0",
        "day.yaml: routing.default.stages: must be a non-empty tuple of stages",
    ]
    # the English the simulator says itself is the catalogue's English
    assert caught.value.problems == [
        line.removeprefix("day.yaml: ") for line in problems.lines(caught.value, "en")
    ]


def test_the_historys_refusal_names_the_field_in_either_language() -> None:
    with pytest.raises(HistoryError) as caught:
        day_shape({"intervals": {"count": 2, "start": "nine"}})
    assert caught.value.message("zh-CN") == (
        "intervals.start: 必须是 HH:MM 格式的时间（填写的是 'nine'）"
    )
    assert caught.value.message("en") == str(caught.value)
