"""The IVR menus as data, and the plan handed to the call controller for one call."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from cti.calls.ports import IvrPlan, MenuOption, PlanPrompts, VoicemailSpec


@dataclass(frozen=True, slots=True)
class IvrMenus:
    """The IVR of the configuration in force (``hotline.centre.live`` builds it from the
    document); a call keeps the plan it was given on arrival, so a new version never changes
    the menu a caller is in."""

    languages: tuple[MenuOption, ...]
    lines: tuple[MenuOption, ...]
    default_language: str
    default_line: str  # for a callback requested before the caller chose (closed hours)
    greeting: str = "sound:hotline/welcome"
    closed_message: str = "sound:hotline/closed"
    digit_timeout_s: float = 5.0
    retries: int = 2
    music_on_hold: str = "default"
    survey: bool = True
    # What the periodic announcement says (the configuration's ``announcements``).
    announce_position: bool = True
    announce_expected_wait: bool = True
    # The configuration's ``diverts``: what a voicemail records, and what each outcome becomes
    # (``work_order``, ``callback`` or ``nothing``).
    voicemail_max_length_s: int = 120
    voicemail_beep: bool = True
    divert_prompts: tuple[tuple[str, str], ...] = ()  # outcome -> media URI (configuration)
    closed_voicemail: bool = False  # routing's on_closed: voicemail after the closed message
    divert_becomes: tuple[tuple[str, str], ...] = (
        ("voicemail", "work_order"),
        ("work_order", "work_order"),
        ("callback", "callback"),
    )
    # The configuration's own sounds (``prompts`` and ``survey``); None: the controller's.
    prompts: PlanPrompts | None = None
    # After hours: ask the language before the closed message (else the number's language).
    closed_asks_language: bool = False
    # The number dialled -> the language of its callers (an English service number, say): the
    # language of the closed message and of a caller who never chooses one.
    number_languages: tuple[tuple[str, str], ...] = ()

    def language_of(self, dialled: str | None) -> str:
        return dict(self.number_languages).get(dialled or "", self.default_language)


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


def build_plan(
    *,
    open_now: bool,
    menus: IvrMenus = IVR_MENUS,
    closed_voicemail: VoicemailSpec | None = None,
    dialled: str | None = None,
) -> IvrPlan:
    """Menus while the centre is open; the closed message otherwise (in the language asked
    first, or the dialled number's), then a callback offer or (``closed_voicemail``) a
    voicemail."""
    ask_language = open_now or menus.closed_asks_language
    return IvrPlan(
        open=open_now,
        greeting=menus.greeting,
        languages=menus.languages if ask_language else (),
        lines=menus.lines if open_now else (),
        default_language=menus.language_of(dialled),
        digit_timeout_s=menus.digit_timeout_s,
        retries=menus.retries,
        closed_message=menus.closed_message,
        music_on_hold=menus.music_on_hold,
        survey=menus.survey,
        closed_voicemail=None if open_now else closed_voicemail,
        prompts=menus.prompts,
    )


def taxpayer_plan(menus: IvrMenus, language: str | None) -> IvrPlan:
    """What a call the service places to a taxpayer (a callback, a 回访) plays after the talk:
    the survey and sounds of the configuration in force, in the taxpayer's language (the
    default one when it is not known); no menus, the taxpayer is called, not calling."""
    return dataclasses.replace(
        build_plan(open_now=True, menus=menus),
        languages=(),
        lines=(),
        default_language=language or menus.default_language,
    )
