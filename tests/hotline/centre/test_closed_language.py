"""The document's closed-hours language: asked first, or the dialled number's; checked by path."""

from __future__ import annotations

import copy

import pytest

from hotline.centre.document import parse_document
from hotline.centre.files import shipped_sounds
from hotline.centre.live import menus_of
from hotline.centre.problems import ConfigInvalid
from hotline.telephony.menus import build_plan

from .helpers import example


def test_the_dialled_number_gives_the_language_of_the_closed_message() -> None:
    data = copy.deepcopy(example())
    data["ivr"]["number_languages"] = {"4008812366": "en"}
    menus = menus_of(parse_document(data, shipped_sounds()))
    english = build_plan(open_now=False, menus=menus, dialled="4008812366")
    assert (english.default_language, english.languages) == ("en", ())
    assert build_plan(open_now=False, menus=menus, dialled="12366").default_language == "zh"


def test_asking_first_keeps_the_language_menu_after_hours() -> None:
    data = copy.deepcopy(example())
    data["ivr"]["closed_asks_language"] = True
    menus = menus_of(parse_document(data, shipped_sounds()))
    plan = build_plan(open_now=False, menus=menus)
    assert [o.value for o in plan.languages] == ["zh", "en", "ko"]
    assert plan.lines == ()  # no line menu: the centre is closed
    assert plan.prompts is not None
    assert plan.prompts.survey_prompt == ("sound:hotline/survey",)


def test_bad_closed_language_settings_are_refused_by_path() -> None:
    data = copy.deepcopy(example())
    data["ivr"]["number_languages"] = {"4008812366": "fr"}
    data["ivr"]["closed_asks_language"] = True
    data["ivr"]["languages"] = []
    with pytest.raises(ConfigInvalid) as caught:
        parse_document(data, shipped_sounds())
    problems = caught.value.problems
    assert "ivr.number_languages.4008812366: unknown language 'fr' (not in languages)" in problems
    assert "ivr.closed_asks_language: the language menu (ivr.languages) is empty" in problems
