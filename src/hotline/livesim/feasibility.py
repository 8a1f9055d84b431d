"""Can this scenario run live? Checked before anything starts, each refusal naming its field.

Live mode goes through the real IVR, so every traffic line needs a language and a business line
the service's menus offer. Callbacks are refused: the emulated trunk has no taxpayer to call back.
The load checks are rough (Little's law per interval), meant to stop a run that would measure the
machine instead of the centre, not to predict the KPIs.
"""

from __future__ import annotations

import math
import re

from hotline.livesim.callers import IVR_ESTIMATE_S
from hotline.livesim.options import LiveOptions
from hotline.telephony.menus import IVR_MENUS, IvrMenus
from simulations.scenario import Scenario

_SLUG = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


class LiveScenarioError(ValueError):
    """A scenario that cannot run live; ``problems`` holds one ``field: message`` per problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {problem}" for problem in problems))


def check_live(scenario: Scenario, options: LiveOptions, menus: IvrMenus = IVR_MENUS) -> None:
    """Raise :class:`LiveScenarioError` listing every reason the scenario cannot run live."""
    problems = [
        *_menu_problems(scenario, menus),
        *_directory_problems(scenario),
        *_load_problems(scenario, options),
    ]
    if options.speed <= 0 or not math.isfinite(options.speed):
        problems.append("--speed: must be a positive number")
    if scenario.callbacks is not None:
        problems.append(
            "callbacks: not supported live (the emulated trunk has no taxpayer to call back); "
            "remove the section to run live"
        )
    if problems:
        raise LiveScenarioError(scenario.source, problems)


def _menu_problems(scenario: Scenario, menus: IvrMenus) -> list[str]:
    languages = {option.value for option in menus.languages}
    lines = {option.value for option in menus.lines}
    problems = []
    for index, traffic in enumerate(scenario.traffic):
        if traffic.language not in languages:
            problems.append(
                f"traffic[{index}].language: {traffic.language!r} has no entry in the IVR "
                f"language menu (offered: {', '.join(sorted(languages))})"
            )
        if traffic.line not in lines:
            problems.append(
                f"traffic[{index}].skill: {traffic.line!r} has no entry in the IVR business-line "
                f"menu (offered: {', '.join(sorted(lines))})"
            )
    return problems


def _directory_problems(scenario: Scenario) -> list[str]:
    """Names the centre's directory would refuse (skills are business-line slugs)."""
    problems = []
    for index, group in enumerate(scenario.agents):
        for line in group.levels:
            if not _SLUG.match(line):
                problems.append(
                    f"agents[{index}].skills.{line}: a business line must be lower-case letters, "
                    "digits and _ (at most 32)"
                )
        for language in sorted(group.languages):
            if not _LANGUAGE.match(language):
                problems.append(
                    f"agents[{index}].languages: {language!r} is not a 2-3 letter language code"
                )
    return problems


def expected_concurrent_callers(scenario: Scenario) -> list[float]:
    """Rough callers in the system per interval: in the IVR, talking, and queued (a backlog
    carried over from interval to interval, capped by patience when callers have some)."""
    interval_s = scenario.interval_s
    backlog = 0.0
    result = []
    for index in range(scenario.interval_count):
        rate = sum(t.calls_per_interval[index] for t in scenario.traffic) / interval_s
        if rate <= 0.0:
            result.append(backlog)
            continue
        weights = [t.calls_per_interval[index] / interval_s / rate for t in scenario.traffic]
        handle_s = sum(
            w * t.handle_time.mean_s for w, t in zip(weights, scenario.traffic, strict=True)
        )
        patience = [t.patience.mean_s if t.patience else math.inf for t in scenario.traffic]
        patience_s = sum(w * p for w, p in zip(weights, patience, strict=True) if w > 0)
        agents = sum(group.count[index] for group in scenario.agents)
        talking = min(rate * handle_s, float(agents))
        excess_rate = max(-backlog / interval_s, rate - agents / handle_s)
        backlog = max(0.0, backlog + excess_rate * interval_s)
        backlog = min(backlog, rate * patience_s)
        result.append(rate * IVR_ESTIMATE_S + talking + backlog)
    return result


def _load_problems(scenario: Scenario, options: LiveOptions) -> list[str]:
    problems = []
    for index, callers in enumerate(expected_concurrent_callers(scenario)):
        if callers > options.max_concurrent_callers:
            problems.append(
                f"traffic[].calls_per_interval[{index}]: about {callers:.0f} callers at once "
                f"expected in interval {index}, more than live mode handles "
                f"({options.max_concurrent_callers}); scale the traffic and agents down"
            )
    peak = max(
        sum(t.calls_per_interval[i] for t in scenario.traffic)
        for i in range(scenario.interval_count)
    )
    real_rate = peak / scenario.interval_s * options.speed
    if real_rate > options.max_calls_per_real_s:
        slowest = peak / scenario.interval_s
        problems.append(
            f"--speed: {options.speed:g} would place {real_rate:.1f} calls per real second at the "
            f"busiest interval (at most {options.max_calls_per_real_s:g}); use --speed "
            f"{options.max_calls_per_real_s / slowest:.0f} or less"
        )
    return problems
