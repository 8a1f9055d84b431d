"""Simulated taxpayers: Poisson arrivals, a language and a business line chosen by DTMF, a
patience after which they hang up, and a survey digit when the agent leaves first.

The digits are taken from the service's own IVR menus, so the demo follows any change to them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from cti.calls.ports import localized
from cti.emulator import TaxpayerScript
from hotline.telephony.menus import IVR_MENUS, IvrMenus, build_plan

# Weights of the Hangzhou centre's traffic (mostly Mandarin; national tax the busiest line).
LANGUAGE_WEIGHTS = {"zh": 0.90, "en": 0.07, "ko": 0.03}
LINE_WEIGHTS = {"national_tax": 0.5, "local_tax": 0.3, "finance": 0.2}
MOBILE_PREFIXES = ("139", "138", "137", "159", "186", "189")
LANDLINE_PREFIXES = ("0571", "0577", "021", "010")  # Hangzhou, Wenzhou, Shanghai, Beijing


@dataclass(frozen=True)
class Caller:
    number: str
    language: str
    line: str
    patience_s: float
    script: TaxpayerScript


def _number(rng: random.Random) -> str:
    if rng.random() < 0.8:
        return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
    return rng.choice(LANDLINE_PREFIXES) + f"{rng.randrange(10**7, 10**8)}"


def _digit(menu: tuple[object, ...], value: str) -> str:
    for option in menu:
        if getattr(option, "value", None) == value:
            return str(getattr(option, "digit"))  # noqa: B009 - MenuOption is frozen data
    raise KeyError(value)


def make_caller(rng: random.Random, *, menus: IvrMenus = IVR_MENUS) -> Caller:
    """One taxpayer: who they are, what they will press, how long they will wait."""
    language = rng.choices(list(LANGUAGE_WEIGHTS), weights=list(LANGUAGE_WEIGHTS.values()))[0]
    line = rng.choices(list(LINE_WEIGHTS), weights=list(LINE_WEIGHTS.values()))[0]
    # Patience: exponential with a 90 s mean, at least 10 s (people rarely hang up at once).
    patience_s = 10.0 + rng.expovariate(1 / 80.0)
    number = _number(rng)
    # Key each choice one second into its menu (barge-in). The language menu is one playback
    # that starts with the greeting, so its first PlaybackStarted carries the greeting.
    # A prompt named per language plays the default language's sound before the choice and
    # the caller's after it: key on what this caller will hear.
    greeting = localized(build_plan(open_now=True, menus=menus).greeting, menus.default_language)
    press = {
        greeting: _digit(menus.languages, language),
        localized(menus.lines[0].prompt, language): _digit(menus.lines, line),
    }
    script = TaxpayerScript(
        caller_number=number,
        caller_name="",
        dialled="12366",
        patience_s=patience_s,
        hangup_after_answer_s=patience_s + 600.0,
        press_on_prompt=press,
        survey_digit=rng.choice("345") if rng.random() < 0.7 else None,
    )
    return Caller(number, language, line, patience_s, script)


def arrival_gaps(rng: random.Random, calls_per_minute: float) -> Iterator[float]:
    """Seconds between consecutive arrivals of a Poisson stream."""
    rate_per_s = calls_per_minute / 60.0
    while True:
        yield rng.expovariate(rate_per_s)
