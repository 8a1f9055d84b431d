"""The configuration document on its own: the example is the code's old behaviour, and a bad
document is refused with every problem listed by path."""

from __future__ import annotations

import pytest

from hotline.centre.document import (
    AgentSkills,
    coverage_problems,
    parse_document,
    played_by_language,
)
from hotline.centre.files import shipped_sounds
from hotline.centre.problems import ConfigInvalid
from routing import default_policy

from .helpers import example


def _problems(data: object) -> list[str]:
    with pytest.raises(ConfigInvalid) as caught:
        parse_document(data, shipped_sounds())
    return caught.value.problems


def test_the_example_is_what_the_code_did_before() -> None:
    config = parse_document(example(), shipped_sounds())
    before = default_policy()
    for line in ("national_tax", "local_tax", "finance"):
        for language in ("zh", "en", "ko"):
            assert config.policy.resolve(line, language) == before.resolve(line, language)
    assert config.policy.service_hours == before.service_hours
    assert config.policy.agent_selection is before.agent_selection
    assert config.calendar == "chinese"
    assert [o.language for o in config.document.ivr.languages] == ["zh", "en", "ko"]


def test_the_document_reads_back_its_own_data() -> None:
    config = parse_document(example(), shipped_sounds())
    again = parse_document(config.to_data(), shipped_sounds())
    assert again.policy == config.policy
    assert again.document == config.document


def test_every_problem_is_listed_by_path() -> None:
    data = example()
    data["routing"]["lines"] = {
        "finance": {
            "stages": [
                {"after_s": 0, "max_level": 1},
                {"after_s": 30, "max_level": 2},
                {"after_s": 20, "max_level": 3},
            ]
        },
        "vat": {"max_wait_s": 100},
    }
    data["routing"]["languages"] = {"fr": {"max_wait_s": 100}}
    data["hours"]["calendar"] = "lunar"
    data["ivr"]["languages"][1]["digit"] = "1"
    data["ivr"]["lines"][2]["prompt"] = "line-customs"
    data["diverts"].pop("work_order")
    problems = _problems(data)
    assert "routing.lines.finance.stages[2].after_s: must be > stages[1].after_s" in problems
    assert "routing.lines.vat: unknown line 'vat' (not in lines)" in problems
    assert "routing.languages.fr: unknown language 'fr' (not in languages)" in problems
    assert "hours.calendar: unknown calendar 'lunar': chinese or weekdays" in problems
    assert "ivr.languages[1].digit: '1' is already ivr.languages[0]" in problems
    assert "ivr.lines[2].prompt: unknown sound 'line-customs'" in problems


def test_a_stage_after_the_maximum_wait_can_never_be_reached() -> None:
    data = example()
    data["routing"]["lines"] = {"finance": {"max_wait_s": 50}}
    data["diverts"].pop("work_order")
    problems = _problems(data)
    assert (
        "routing.default.stages[3].after_s: can never be reached: callers on lines.finance "
        "are diverted at max_wait_s 50"
    ) in problems
    assert (
        "routing.lines.finance.callback_offer_after_s: never offered: must be below "
        "max_wait_s 50" in problems
    )
    assert "routing.default.on_max_wait: 'work_order' has no entry under diverts" in problems


def test_unknown_fields_and_wrong_types_are_named() -> None:
    data = example()
    data["ivr"]["retries"] = "twice"
    data["surveys"] = {}
    data["ivr"]["languages"][0]["language"] = "fr"
    problems = _problems(data)
    assert any(p.startswith("ivr.retries: ") for p in problems)
    assert "surveys: unknown field" in problems


def test_a_sound_missing_in_one_language_is_named() -> None:
    sounds = dict(shipped_sounds())
    sounds["welcome"] = ("zh", "en")
    with pytest.raises(ConfigInvalid) as caught:
        parse_document(example(), sounds)
    assert "ivr.greeting: sound 'welcome' has no recording in ko" in caught.value.problems


def test_a_line_nobody_could_ever_serve_is_named_unless_declared_unserved() -> None:
    config = parse_document(example(), shipped_sounds())
    zh_only = [
        AgentSkills(
            levels={(line, "zh"): 1 for line in ("national_tax", "local_tax", "finance")},
            languages=frozenset({"zh"}),
            overflow=False,
        ),
        AgentSkills(
            levels={
                ("national_tax", "en"): 2,
                ("national_tax", "ko"): 3,
                ("local_tax", "en"): 3,
                ("local_tax", "ko"): 3,
                ("finance", "ko"): 4,
            },
            languages=frozenset({"en", "ko"}),
            overflow=False,
        ),
    ]
    problems = [p.line("en") for p in coverage_problems(config, zh_only)]
    # finance/en is declared unserved in the example; finance/ko only at level 4 (> 3).
    assert problems == [
        "lines.finance: no agent group can ever serve finance/ko (no active agent with the "
        "skill at level <= 3 or in the overflow pool)"
    ]
    overflow_ko = AgentSkills(levels={}, languages=frozenset({"ko"}), overflow=True)
    assert coverage_problems(config, [*zh_only, overflow_ko]) == []


def test_a_line_and_language_the_directory_has_no_skill_for_is_named() -> None:
    config = parse_document(example(), shipped_sounds())
    everyone = AgentSkills(levels={}, languages=frozenset({"zh", "en", "ko"}), overflow=True)
    skills = {
        (line, language)
        for line in ("national_tax", "local_tax", "finance")
        for language in ("zh", "en")
    }
    assert [p.line("en") for p in coverage_problems(config, [everyone], skills)] == [
        f"lines.{line}: unknown skill {line}/ko (the directory has no such skill: add it, or "
        "list it under unserved)"
        for line in ("national_tax", "local_tax", "finance")
    ]


def test_a_prompt_may_name_a_sound_per_language() -> None:
    data = example()
    data["ivr"]["greeting"] = {"zh": "welcome", "en": "welcome", "ko": "goodbye"}
    config = parse_document(data, shipped_sounds())
    assert config.document.ivr.greeting == {"zh": "welcome", "en": "welcome", "ko": "goodbye"}
    assert parse_document(config.to_data(), shipped_sounds()).document == config.document


def test_a_per_language_prompt_is_checked_language_by_language() -> None:
    data = example()
    data["ivr"]["greeting"] = {"zh": "welcome", "en": "welcome-intl", "fr": "welcome"}
    data["survey"]["thanks"] = {"zh": "survey-thanks", "en": "survey-thanks", "ko": "goodbye"}
    sounds = dict(shipped_sounds())
    sounds["goodbye"] = ("zh", "en")  # recorded, but not in Korean
    with pytest.raises(ConfigInvalid) as caught:
        parse_document(data, sounds)
    problems = caught.value.problems
    assert "ivr.greeting.fr: unknown language 'fr' (not in languages)" in problems
    assert (
        "ivr.greeting: no sound for ko (a prompt named per language names every language of "
        "the document)"
    ) in problems
    assert "ivr.greeting.en: unknown sound 'welcome-intl'" in problems
    assert "survey.thanks.ko: sound 'goodbye' has no recording in ko" in problems
    # The languages a mapping must name are checked even without the catalogue (offline).
    offline = example()
    offline["prompts"]["goodbye"] = {"zh": "goodbye"}
    with pytest.raises(ConfigInvalid) as caught:
        parse_document(offline)
    assert caught.value.problems == [
        "prompts.goodbye: no sound for en, ko (a prompt named per language names every "
        "language of the document)"
    ]


def test_what_a_caller_hears_is_listed_per_language() -> None:
    data = example()
    data["survey"]["thanks"] = {"zh": "survey-thanks", "en": "goodbye", "ko": "survey-thanks"}
    document = parse_document(data, shipped_sounds()).document
    played = played_by_language(document)
    assert set(played) == {"zh", "en", "ko"}
    assert ("survey.thanks.en", "goodbye") in played["en"]
    assert ("survey.thanks.zh", "survey-thanks") in played["zh"]
    assert [name for path, name in played["en"] if path.startswith("survey.thanks")] == ["goodbye"]
    assert ("ivr.greeting", "welcome") in played["ko"]  # one name: the same in every language
