"""A media item naming one sound per language is resolved by the call's language before it is
played; any other media item passes through."""

from __future__ import annotations

from cti.calls.ports import by_language, localized


def test_a_per_language_item_plays_the_callers_own_sound() -> None:
    item = by_language({"zh": "sound:hotline/welcome", "en": "sound:hotline/welcome-intl"})
    assert item.startswith("bylang:")
    assert localized(item, "zh") == "sound:hotline/welcome"
    assert localized(item, "en") == "sound:hotline/welcome-intl"
    # A language the item does not list (a taxpayer called back in Korean, say): the first.
    assert localized(item, "ko") == "sound:hotline/welcome"
    assert localized(item, None) == "sound:hotline/welcome"


def test_other_media_pass_through() -> None:
    assert localized("sound:hotline/welcome", "en") == "sound:hotline/welcome"
    assert localized("tone:ring;tonezone=cn", "zh") == "tone:ring;tonezone=cn"
