"""Every configuration problem has a code with a text in zh-CN and in English (one catalogue),
and the routing policy's problems say in English what the routing package says."""

from __future__ import annotations

import re
import string
from typing import Any

import pytest

import routing
from hotline.centre.document import parse_document
from hotline.centre.files import shipped_sounds
from hotline.centre.problems import MESSAGE_PREFIX, ConfigInvalid, Problem, ProblemCode
from hotline.centre.schema_errors import MAPPED_TYPES
from hotline.web import i18n

from .helpers import example

CODES = sorted({str(code) for code in routing.PolicyProblem} | {str(c) for c in ProblemCode})
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("code", CODES)
def test_every_problem_code_has_a_chinese_and_an_english_text(code: str) -> None:
    entry = i18n.CATALOG.get(MESSAGE_PREFIX + code)
    assert entry is not None, f"{MESSAGE_PREFIX}{code} is not in the catalogue"
    zh, en = entry
    assert CHINESE.search(zh), f"{code}: the zh-CN text is not Chinese: {zh!r}"
    assert en.strip(), code
    assert _placeholders(zh) == _placeholders(en), code


def test_the_catalogue_has_no_text_for_a_code_that_does_not_exist() -> None:
    texts = {
        key.removeprefix(MESSAGE_PREFIX) for key in i18n.CATALOG if key.startswith(MESSAGE_PREFIX)
    }
    assert sorted(texts - set(CODES)) == []


def test_the_schema_errors_mapped_are_the_ones_the_document_raises() -> None:
    # Types the schema can raise; a pydantic that renames one makes the mapping miss it.
    assert {"missing", "extra_forbidden", "int_parsing", "literal_error", "greater_than"} <= (
        MAPPED_TYPES
    )


BAD_POLICIES: list[dict[str, Any]] = [
    {},
    {"default": {}},
    {"default": {"stages": "soon"}},
    {"default": {"stages": [{"after_s": 5, "max_level": 1}]}},
    {"default": {"stages": [{"after_s": 0, "max_level": 1}, {"after_s": 0, "max_level": 2}]}},
    {"default": {"stages": [{"after_s": 0, "max_level": 2}, {"after_s": 9, "max_level": 1}]}},
    {"default": {"stages": [{"after_s": 0, "max_level": 0}]}},
    {"default": {"stages": [{"after_s": 0, "max_level": 1, "overflow": "yes"}]}},
    {"default": {"stages": [{"after_s": 0}]}},
    {"default": {"stages": [{"after_s": 0, "max_level": 1}], "max_wait_s": -1}},
    {"default": {"stages": [{"after_s": 0, "max_level": 1}], "wrap_up_s": "long"}},
    {"default": {"stages": [{"after_s": 0, "max_level": 1}], "on_closed": "fax"}},
    {"default": {"stages": [{"after_s": 0, "max_level": 1}], "rona_misses": 1.5}},
    {"default": {"stages": [{"after_s": 0, "max_level": 1}], "colour": "red"}},
    {"default": {"stages": [{"after_s": 0, "max_level": 1}]}, "lines": []},
    {"default": {"stages": [{"after_s": 0, "max_level": 1}]}, "lines": {1: {}}},
]
BAD_HOURS: list[dict[str, Any]] = [
    {"weekly": {"mon": "09:00-17:00"}},
    {"weekly": {"mon": [9]}},
    {"weekly": {"mon": ["17:00-09:00"]}},
    {"weekly": {"mon": ["nine to five"]}},
    {"non_working_dates": "2027-01-01"},
    {"non_working_dates": ["first of may"]},
    {"utc_offset_hours": 20},
]


@pytest.mark.parametrize("data", BAD_POLICIES + [{"hours": h} for h in BAD_HOURS])
def test_the_english_of_a_routing_problem_is_the_routing_package_s_own(
    data: dict[str, Any],
) -> None:
    def read() -> object:
        if "hours" in data:
            return routing.ServiceHours.from_dict(data["hours"], "hours")
        return routing.Policy.from_dict(data)

    with pytest.raises(routing.PolicyError) as caught:
        read()
    error = caught.value
    problem = Problem.of_policy(error)
    assert error.code is not routing.PolicyProblem.INVALID
    assert problem.message("en") == error.problem
    assert CHINESE.search(problem.message("zh-CN"))


def test_a_broken_document_reads_in_both_languages_with_every_value_filled_in() -> None:
    data = example()
    data["routing"]["default"]["stages"][2]["after_s"] = 10
    data["routing"]["lines"] = {"vat": {"max_wait_s": 100}}
    data["hours"]["calendar"] = "lunar"
    data["ivr"]["languages"][1]["digit"] = "1"
    data["ivr"]["lines"][2]["prompt"] = "line-customs"
    data["ivr"]["default_line"] = "customs"
    data["diverts"].pop("work_order")
    with pytest.raises(ConfigInvalid) as caught:
        parse_document(data, shipped_sounds())
    invalid = caught.value
    codes = [p.code for p in invalid.items]
    assert {"stage_not_later", "unknown_line", "unknown_calendar", "duplicate_digit"} <= set(codes)
    assert "unknown_sound" in codes
    for lang in i18n.LANGS:
        for line in invalid.named("edited.yaml").lines(lang):
            assert "{" not in line, line
            assert line.startswith("edited.yaml: "), line
    chinese = invalid.lines("zh-CN")
    assert "hours.calendar: 未知的日历 'lunar'：应为 chinese 或 weekdays" in chinese
    assert "ivr.languages[1].digit: 按键 '1' 已被 ivr.languages[0] 使用" in chinese
    assert "routing.lines.vat: 未知的业务线 'vat'（不在 lines 中）" in chinese


def test_pydantic_s_field_errors_are_worded_by_their_type() -> None:
    data = example()
    data["ivr"]["retries"] = "twice"
    data["ivr"]["digit_timeout_s"] = 0
    data["surveys"] = {}
    del data["lines"]
    with pytest.raises(ConfigInvalid) as caught:
        parse_document(data)
    found = {p.path: p for p in caught.value.items}
    assert found["ivr.retries"].code == "must_be_integer"
    assert found["ivr.digit_timeout_s"].code == "must_be_greater_than"
    assert found["ivr.digit_timeout_s"].params == {"limit": 0}
    assert found["surveys"].code == "unknown_field"
    assert found["lines"].code == "required"
    assert caught.value.lines("zh-CN") == [
        "lines: 必填",
        "ivr.digit_timeout_s: 必须大于 0",
        "ivr.retries: 必须是整数",
        "surveys: 未知字段：请删除或检查拼写",
    ]
    assert caught.value.lines("en") == [
        "lines: required",
        "ivr.digit_timeout_s: must be > 0",
        "ivr.retries: must be an integer",
        "surveys: unknown field",
    ]
