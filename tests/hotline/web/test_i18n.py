"""Every message the pages use exists in both languages (one translation layer)."""

from __future__ import annotations

import re
from pathlib import Path

from hotline.web import i18n

WEB = Path(i18n.__file__).parent


def _used_ids() -> set[str]:
    ids: set[str] = set()
    for path in WEB.rglob("*.html"):
        ids |= set(re.findall(r'_\("([a-z_.]+)"\)', path.read_text()))
        ids |= set(re.findall(r"_\('([a-z_.]+)'\)", path.read_text()))
    for path in WEB.rglob("*.js"):
        if "vendor" not in path.parts:
            ids |= set(re.findall(r'\bt\("([a-z_.]+)"\)', path.read_text()))
    return ids


def test_every_message_used_by_a_template_or_script_is_in_the_catalog() -> None:
    used = _used_ids()
    assert len(used) > 50
    assert sorted(used - i18n.CATALOG.keys()) == []


def test_every_message_has_both_languages_and_they_differ_where_words_are_chinese() -> None:
    for key, (zh, en) in i18n.CATALOG.items():
        assert zh.strip(), key
        assert en.strip(), key
        if key != "lang.switch":
            assert not re.search(r"[\u4e00-\u9fff]", en), key


def test_the_default_is_chinese_and_an_unknown_cookie_falls_back_to_it() -> None:
    assert i18n.pick_lang(None) == "zh-CN"
    assert i18n.pick_lang("fr") == "zh-CN"
    assert i18n.pick_lang("en") == "en"


def test_the_api_takes_the_first_language_of_accept_language_it_has() -> None:
    assert i18n.pick_accepted(None) == "zh-CN"
    assert i18n.pick_accepted("") == "zh-CN"
    assert i18n.pick_accepted("en-US,en;q=0.9") == "en"
    assert i18n.pick_accepted("fr-FR, en;q=0.5, zh;q=0.8") == "zh-CN"
    assert i18n.pick_accepted("zh;q=0, en") == "en"
    assert i18n.pick_accepted("fr, de;q=0.5") == "zh-CN"
    assert i18n.pick_accepted("en;q=nonsense, zh-TW") == "zh-CN"


def test_the_command_line_takes_the_locale_that_decides_messages() -> None:
    assert i18n.pick_locale({}) == "zh-CN"
    assert i18n.pick_locale({"LANG": "C.UTF-8"}) == "zh-CN"
    assert i18n.pick_locale({"LANG": "en_US.UTF-8"}) == "en"
    assert i18n.pick_locale({"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}) == "zh-CN"
    assert i18n.pick_locale({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_GB"}) == "en"
    assert i18n.pick_locale({"LANG": "en_US.UTF-8", "LC_ALL": ""}) == "en"
