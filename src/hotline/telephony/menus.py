"""The IVR menus as data, and the plan handed to the call controller for one call."""

from __future__ import annotations

from dataclasses import dataclass

from cti.calls.ports import IvrPlan, MenuOption


@dataclass(frozen=True, slots=True)
class IvrMenus:
    languages: tuple[MenuOption, ...]
    lines: tuple[MenuOption, ...]
    default_language: str
    default_line: str  # for a callback requested before the caller chose (closed hours)


IVR_MENUS = IvrMenus(
    languages=(
        MenuOption("1", "zh", "sound:hotline/lang-zh"),
        MenuOption("2", "en", "sound:hotline/lang-en"),
        MenuOption("3", "ko", "sound:hotline/lang-ko"),
    ),
    lines=(
        MenuOption("1", "national_tax", "sound:hotline/line-national_tax"),
        MenuOption("2", "local_tax", "sound:hotline/line-local_tax"),
        MenuOption("3", "finance", "sound:hotline/line-finance"),
    ),
    default_language="zh",
    default_line="national_tax",
)


def build_plan(*, open_now: bool, menus: IvrMenus = IVR_MENUS) -> IvrPlan:
    """Menus while the centre is open; the closed message (with a callback offer) otherwise."""
    if not open_now:
        return IvrPlan(open=False, default_language=menus.default_language)
    return IvrPlan(
        open=True,
        languages=menus.languages,
        lines=menus.lines,
        default_language=menus.default_language,
    )
