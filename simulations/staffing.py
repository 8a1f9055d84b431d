"""Staffing: the Erlang quick estimate and the simulation search for the fewest agents per interval.

The search keeps the scenario's *mix* of groups (each group's share of the interval's agents, and at
least one agent in every group the scenario staffs, so no language loses its only seat) and finds,
interval by interval, the fewest total agents whose simulated mean service level and abandonment
meet the targets. It starts from the Erlang A estimate of the pooled traffic, adds agents where an
interval misses, then tries to take agents away where it passes, until nothing changes. Every run
uses the same seed: common random numbers, so two staffings differ only by the staffing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from simulations import erlang
from simulations.runner import SimulationResult, simulate
from simulations.scenario import Scenario
from simulations.stats import Estimate


@dataclass(frozen=True, slots=True)
class Target:
    """``service_level`` of calls answered within ``threshold_s``; optional abandonment ceiling."""

    service_level: float
    threshold_s: float
    max_abandon: float | None = None

    @classmethod
    def parse(cls, text: str, max_abandon: float | None = None) -> Target:
        """``"80/20"``: 80% within 20 s."""
        try:
            percent, seconds = text.split("/")
            level = float(percent) / 100.0
            threshold = float(seconds)
        except ValueError:
            raise ValueError(f"target {text!r}: expected PERCENT/SECONDS, e.g. 80/20") from None
        if not 0.0 < level < 1.0 or threshold < 0:
            raise ValueError(f"target {text!r}: percent must be in (0, 100), seconds >= 0")
        return cls(level, threshold, max_abandon)

    def met(self, service_level: float, abandon_rate: float) -> bool:
        if math.isnan(service_level):
            return True  # no calls offered in the interval: nothing to miss
        if service_level < self.service_level:
            return False
        return self.max_abandon is None or abandon_rate <= self.max_abandon


@dataclass(frozen=True, slots=True)
class IntervalStaffing:
    interval: int
    agents: dict[str, int]  # group -> agents
    erlang_agents: int
    service_level: Estimate
    abandon_rate: Estimate
    occupancy: Estimate

    met: bool  # the final run's means meet the target (intervals interact, so recheck)

    @property
    def total(self) -> int:
        return sum(self.agents.values())


@dataclass(frozen=True, slots=True)
class StaffingPlan:
    target: Target
    intervals: list[IntervalStaffing]
    result: SimulationResult
    iterations: int


SearchProgress = Callable[[int, list[int]], None]  # (iteration, totals per interval)


def erlang_estimate(scenario: Scenario, target: Target) -> list[tuple[int, erlang.QueueFigures]]:
    """Fewest agents per interval for the pooled traffic by Erlang A (C without patience).

    Pooling every line into one queue assumes fully cross-trained agents, so for a multi-skill
    centre it is a lower bound; wrap-up is added to the handle time since it keeps agents busy.
    """
    estimates = []
    for interval in range(scenario.interval_count):
        calls = [t.calls_per_interval[interval] for t in scenario.traffic]
        total = sum(calls)
        rate = total / scenario.interval_s
        if total == 0:
            estimates.append((0, erlang.QueueFigures(0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0)))
            continue
        handle = sum(c * t.handle_time.mean_s for c, t in zip(calls, scenario.traffic, strict=True))
        handle = handle / total + scenario.wrap_up_s
        patient = [
            (c, t.patience.mean_s)
            for c, t in zip(calls, scenario.traffic, strict=True)
            if t.patience is not None
        ]
        patience = None
        if patient and sum(c for c, _ in patient) > 0:
            patience = sum(c * p for c, p in patient) / sum(c for c, _ in patient)
        estimates.append(
            erlang.fewest_agents(
                rate, handle, patience, target.threshold_s, target.service_level, target.max_abandon
            )
        )
    return estimates


def split_by_mix(scenario: Scenario, interval: int, total: int) -> dict[str, int]:
    """Share ``total`` agents among the groups like the scenario does in that interval."""
    base = {group.name: group.count[interval] for group in scenario.agents}
    staffed = [name for name, count in base.items() if count > 0] or list(base)
    result = {name: 0 for name in base}
    for name in staffed:
        result[name] = 1  # every staffed group keeps at least its one seat
    remaining = total - len(staffed)
    if remaining <= 0:
        return result
    weight = sum(base[name] for name in staffed) or len(staffed)
    exact = {name: remaining * (base[name] or 1) / weight for name in staffed}
    for name in staffed:
        result[name] += math.floor(exact[name])
    left = remaining - sum(math.floor(v) for v in exact.values())
    by_remainder = sorted(staffed, key=lambda n: (exact[n] - math.floor(exact[n]), n), reverse=True)
    for name in by_remainder[:left]:
        result[name] += 1
    return result


def search_staffing(
    scenario: Scenario,
    target: Target,
    replications: int | None = None,
    workers: int = 1,
    max_iterations: int = 30,
    progress: SearchProgress | None = None,
) -> StaffingPlan:
    scenario = _with_threshold(scenario, target.threshold_s)
    minimum = sum(1 for g in scenario.agents if any(c > 0 for c in g.count)) or 1
    estimate = erlang_estimate(scenario, target)
    totals = [max(agents, minimum) for agents, _ in estimate]
    best_passing: list[int | None] = [None] * scenario.interval_count
    lowest_failing = [minimum - 1] * scenario.interval_count
    result = _run(scenario, totals, replications, workers)
    iterations = 1
    while iterations < max_iterations:
        if progress:
            progress(iterations, list(totals))
        changed = False
        for index, figures in enumerate(result.by_interval):
            ok = target.met(figures["service_level"].mean, figures["abandon_rate"].mean)
            if ok:
                best_passing[index] = min(best_passing[index] or totals[index], totals[index])
                if totals[index] - 1 > lowest_failing[index]:
                    totals[index] -= 1
                    changed = True
            else:
                lowest_failing[index] = max(lowest_failing[index], totals[index])
                passing = best_passing[index]
                step = _step_up(figures["service_level"].mean, target)
                proposal = totals[index] + step
                if passing is not None:
                    proposal = min(proposal, passing)
                if proposal != totals[index]:
                    totals[index] = proposal
                    changed = True
        if not changed:
            break
        result = _run(scenario, totals, replications, workers)
        iterations += 1
    # Settle on the fewest totals that passed (the last run may have probed one below).
    final = [p if p is not None else t for p, t in zip(best_passing, totals, strict=True)]
    if final != totals:
        result = _run(scenario, final, replications, workers)
        iterations += 1
    intervals = [
        IntervalStaffing(
            interval=index,
            agents=split_by_mix(scenario, index, total),
            erlang_agents=estimate[index][0],
            service_level=result.by_interval[index]["service_level"],
            abandon_rate=result.by_interval[index]["abandon_rate"],
            occupancy=result.by_interval[index]["occupancy"],
            met=target.met(
                result.by_interval[index]["service_level"].mean,
                result.by_interval[index]["abandon_rate"].mean,
            ),
        )
        for index, total in enumerate(final)
    ]
    return StaffingPlan(target, intervals, result, iterations)


def _step_up(service_level: float, target: Target) -> int:
    # Far below target, move faster than one agent at a time.
    shortfall = target.service_level - service_level
    return 1 if math.isnan(shortfall) or shortfall < 0.1 else 2 if shortfall < 0.3 else 4


def _run(
    scenario: Scenario, totals: list[int], replications: int | None, workers: int
) -> SimulationResult:
    counts = {group.name: [0] * scenario.interval_count for group in scenario.agents}
    for index, total in enumerate(totals):
        for name, agents in split_by_mix(scenario, index, total).items():
            counts[name][index] = agents
    staffed = scenario.with_staffing({name: tuple(c) for name, c in counts.items()})
    return simulate(staffed, replications=replications, workers=workers)


def _with_threshold(scenario: Scenario, threshold_s: float) -> Scenario:
    from dataclasses import replace

    return replace(scenario, threshold_s=threshold_s)
