"""Simulated taxpayers: the scenario's Poisson arrivals, each with a language and business line
keyed into the service's own IVR menus and a patience drawn from the scenario.

Every planned call gets a unique caller number, which is how its call record is found again at
the end (the record, not the plan, says what happened to it).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from cti.calls.ports import MenuOption, localized
from cti.emulator import TaxpayerScript
from hotline.telephony.menus import IVR_MENUS, IvrMenus, build_plan
from simulations.distributions import sampler
from simulations.scenario import Scenario

# About how long the IVR keeps a caller (greeting with the language menu, then the line menu,
# each keyed a second in), for load estimates; it grows with the stack's latency times the speed.
IVR_ESTIMATE_S = 5.0
# Keyed at the satisfaction survey, so that a caller whose agent hung up leaves promptly.
SURVEY_DIGIT = "5"
_NUMBER_PREFIX = "1390"  # an 11-digit mobile number: the prefix and a 7-digit serial


@dataclass(frozen=True, slots=True)
class PlannedCall:
    at_s: float  # emulated seconds from the start of the run (warm-up included)
    interval: int  # -1 during the warm-up
    traffic: int  # index into scenario.traffic
    number: str
    patience_s: float | None  # from queue entry; None: never hangs up while waiting


def plan_calls(scenario: Scenario, seed: int) -> list[PlannedCall]:
    """Every arrival of the run (warm-up at interval 0's rate, then each interval), by time."""
    segments = [(-1, 0.0, scenario.warmup_s, 0)] if scenario.warmup_s > 0 else []
    for index in range(scenario.interval_count):
        start = scenario.warmup_s + index * scenario.interval_s
        segments.append((index, start, start + scenario.interval_s, index))
    arrivals: list[tuple[float, int, int, float | None]] = []
    for traffic_index, traffic in enumerate(scenario.traffic):
        rng = random.Random(f"{seed}:live:arrivals:{traffic.label}")
        patience = (
            sampler(traffic.patience, random.Random(f"{seed}:live:patience:{traffic.label}"))
            if traffic.patience is not None
            else None
        )
        for counted, start, end, rate_index in segments:
            rate = traffic.calls_per_interval[rate_index] / scenario.interval_s
            if rate <= 0.0:
                continue
            at = start + rng.expovariate(rate)  # memoryless: restarting per segment is exact
            while at < end:
                drawn = patience() if patience is not None else None
                arrivals.append((at, counted, traffic_index, drawn))
                at += rng.expovariate(rate)
    arrivals.sort(key=lambda arrival: arrival[0])
    return [
        PlannedCall(at, interval, traffic, f"{_NUMBER_PREFIX}{serial:07d}", patience)
        for serial, (at, interval, traffic, patience) in enumerate(arrivals)
    ]


def _digit(menu: tuple[MenuOption, ...], value: str) -> str:
    for option in menu:
        if option.value == value:
            return option.digit
    raise KeyError(value)


def taxpayer_script(
    call: PlannedCall, scenario: Scenario, menus: IvrMenus = IVR_MENUS
) -> TaxpayerScript:
    """The emulated phone of one planned call: what it keys, how long it waits."""
    traffic = scenario.traffic[call.traffic]
    # A prompt named per language plays as this caller will hear it (see cti.calls.ports).
    greeting = localized(build_plan(open_now=True, menus=menus).greeting, menus.default_language)
    press = {
        greeting: _digit(menus.languages, traffic.language),
        localized(menus.lines[0].prompt, traffic.language): _digit(menus.lines, traffic.line),
    }
    return TaxpayerScript(
        caller_number=call.number,
        caller_name="",
        dialled="12366",
        patience_s=None,  # counted from queue entry instead: see hotline.livesim.patience
        # The agent ends the call (its phone draws the talk time); this is only a backstop far
        # beyond any day, so that no emulated caller can stay on the line for ever.
        hangup_after_answer_s=7 * 24 * 3600.0,
        press_on_prompt=press,
        survey_digit=SURVEY_DIGIT,
    )
