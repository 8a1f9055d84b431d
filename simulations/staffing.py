"""Staffing: the Erlang quick estimate and the simulation search for the cheapest seats per group.

The search has four phases. The coarse one keeps the scenario's *mix* of groups (each group's share
of the interval's agents, and at least one agent in every group the scenario staffs) and finds,
interval by interval, the fewest total agents whose simulated mean service level and abandonment
meet the targets: it starts from the Erlang A estimate of the pooled traffic, adds agents where an
interval misses, then takes agents away where it passes, until nothing changes. Lines whose callers
the interval totals leave waiting (a small language beside a big line) then get seats until each
meets the target over the day: seats of the group that serves the most missing lines and would be
freest for them per unit of cost, which may be a group the scenario does not staff (``count: 0``,
e.g. an English+Korean group), so small lines are served by shared seats. The fine phase then takes
agents away group by group (coordinate descent, dearest seats first): one agent fewer in one group
in every interval at once, kept where the interval still meets the target and no line that met it
over the day stops meeting it; a group may lose all its seats when another staffed group still
serves each of its lines. Last, the cost objective: a dear seat (a group's ``cost``, default 1)
is traded for a cheaper group's where the targets hold, and the fine phase runs again. Every run
uses the same seed: common random numbers, so two staffings differ only by the staffing.

Each group's reason is measured, not guessed: one seat fewer in every interval it staffs, and the
lines and intervals whose targets that misses (``SeatReason``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from simulations import erlang
from simulations.runner import SimulationResult, simulate
from simulations.scenario import AgentGroup, Scenario, Traffic
from simulations.stats import Estimate


class TargetError(ValueError):
    """A target that is not PERCENT/SECONDS (``code`` ``format``) or out of range (``range``);
    the message is English, ``code`` and ``text`` (as written) let a shell word it itself."""

    def __init__(self, code: str, text: str, english: str) -> None:
        self.code = code
        self.text = text
        super().__init__(english)


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
            raise TargetError(
                "format", text, f"target {text!r}: expected PERCENT/SECONDS, e.g. 80/20"
            ) from None
        if not 0.0 < level < 1.0 or threshold < 0:
            raise TargetError(
                "range", text, f"target {text!r}: percent must be in (0, 100), seconds >= 0"
            )
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
class SeatReason:
    """Why a group has seats: what it serves and which targets one seat fewer would miss."""

    serves: list[str]  # the traffic lines (line/language) its seats can take
    sole_server: list[str]  # lines no other staffed group can take in some interval
    secures_lines: list[str]  # lines meeting the day's target that would miss it
    secures_intervals: list[int]  # intervals meeting the target that would miss it
    cost: float  # the group's seats times its cost per seat-interval


@dataclass(frozen=True, slots=True)
class StaffingPlan:
    target: Target
    intervals: list[IntervalStaffing]
    result: SimulationResult
    iterations: int
    reasons: dict[str, SeatReason] = field(default_factory=dict)

    @property
    def cost(self) -> float:
        """The objective: seats times their group's cost, over all intervals."""
        return sum(reason.cost for reason in self.reasons.values())


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


Counts = dict[str, list[int]]  # group -> agents in each interval


def search_staffing(
    scenario: Scenario,
    target: Target,
    replications: int | None = None,
    workers: int = 1,
    max_iterations: int = 30,
    max_rounds: int = 20,
    progress: SearchProgress | None = None,
) -> StaffingPlan:
    """Fewest agents per interval and group whose simulated means meet ``target``.

    ``max_iterations`` caps the runs of the coarse phase (totals in the scenario's mix);
    ``max_rounds`` caps the rounds of the fine phase (one agent fewer per group, group by group).
    """
    scenario = _with_threshold(scenario, target.threshold_s)
    estimate = erlang_estimate(scenario, target)
    run = _Simulator(scenario, replications, workers, progress)
    totals, result = _search_totals(scenario, target, estimate, run, max_iterations)
    counts = _mix_counts(scenario, totals)
    counts, result = _top_up_lines(scenario, target, counts, result, run, max_rounds)
    counts, result = _trim_groups(scenario, target, counts, result, run, max_rounds)
    swapped, result = _swap_seats(scenario, target, counts, result, run, max_rounds)
    if swapped != counts:  # cheaper seats may let other groups shed more
        counts, result = _trim_groups(scenario, target, swapped, result, run, max_rounds)
    reasons = _reasons(scenario, target, counts, result, run)
    intervals = [
        IntervalStaffing(
            interval=index,
            agents={name: per[index] for name, per in counts.items()},
            erlang_agents=estimate[index][0],
            service_level=result.by_interval[index]["service_level"],
            abandon_rate=result.by_interval[index]["abandon_rate"],
            occupancy=result.by_interval[index]["occupancy"],
            met=_interval_met(result, index, target),
        )
        for index in range(scenario.interval_count)
    ]
    return StaffingPlan(target, intervals, result, run.runs, reasons)


def _search_totals(
    scenario: Scenario,
    target: Target,
    estimate: list[tuple[int, erlang.QueueFigures]],
    run: _Simulator,
    max_iterations: int,
) -> tuple[list[int], SimulationResult]:
    """The coarse phase: the fewest passing totals per interval, split in the scenario's mix."""
    minimum = sum(1 for g in scenario.agents if any(c > 0 for c in g.count)) or 1
    totals = [max(agents, minimum) for agents, _ in estimate]
    best_passing: list[int | None] = [None] * scenario.interval_count
    lowest_failing = [minimum - 1] * scenario.interval_count
    result = run(_mix_counts(scenario, totals))
    iterations = 1
    while iterations < max_iterations:
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
        result = run(_mix_counts(scenario, totals))
        iterations += 1
    # Settle on the fewest totals that passed (the last run may have probed one below).
    final = [p if p is not None else t for p, t in zip(best_passing, totals, strict=True)]
    if final != totals:
        result = run(_mix_counts(scenario, final))
    return final, result


def _top_up_lines(
    scenario: Scenario,
    target: Target,
    counts: Counts,
    result: SimulationResult,
    run: _Simulator,
    max_rounds: int,
) -> tuple[Counts, SimulationResult]:
    """Between the phases: lines that miss the target over the day get seats that serve them.

    The coarse phase meets each interval's target for all lines together, which a big line's
    surplus can do while a small language's callers wait (one Korean-speaking seat for a queue
    that needs three). Each round gives one more agent, in every interval with calls for them,
    to the groups ``_top_up_choice`` picks for the missing lines (possibly a group the scenario
    does not staff, such as a shared English+Korean one). The fine phase then takes back what the
    intervals and lines do not need.
    """
    counts = {name: list(per) for name, per in counts.items()}
    before: dict[str, float] = {}
    for _ in range(max_rounds):
        missing = []
        for traffic in scenario.traffic:
            figures = result.by_skill[traffic.label]
            level = figures["service_level"].mean
            if target.met(level, figures["abandon_rate"].mean):
                continue
            # A line that more agents no longer help (its callers give up faster than any
            # answer could come, say) gets no more: the planner sees its miss in the table.
            if level > before.get(traffic.label, -math.inf):
                missing.append(traffic)
            before[traffic.label] = level
        added = False
        for name, lines in _top_up_choice(scenario, missing):
            for index in range(scenario.interval_count):
                if any(traffic.calls_per_interval[index] > 0 for traffic in lines):
                    counts[name][index] += 1
                    added = True
        if not added:
            break
        result = run(counts)
    return counts, result


def _top_up_choice(scenario: Scenario, missing: list[Traffic]) -> list[tuple[str, list[Traffic]]]:
    """Which groups get one more seat for the ``missing`` lines, each with the lines it is for.

    Greedy set cover: first the group that serves the most missing lines (one English+Korean seat
    helps both small lines). Among groups serving as many, the one whose seats would be freest for
    them per unit of cost: the missing lines' share of all the work the group can take. A Korean
    speaker who also answers the big Chinese line is rarely free when a Korean caller rings (five
    such seats in every interval for 0.8 calls per half hour); a seat shared by the small lines
    is. Then the best level, then the scenario's order. Overflow pools only for lines nobody else
    serves.
    """
    remaining = list(missing)
    chosen: list[tuple[str, list[Traffic]]] = []
    while remaining:
        options = []
        for position, group in enumerate(scenario.agents):
            lines = [
                t for t in remaining if t.language in group.languages and t.line in group.levels
            ]
            if group.overflow or not lines:
                continue
            servable = [t for t in scenario.traffic if group.can_serve(t.line, t.language)]
            share = _work(lines) / (_work(servable) or 1.0)
            level = min(group.levels[traffic.line] for traffic in lines)
            key = (-len(lines), -share / group.cost, level, position)
            options.append((key, group.name, lines))
        if not options:  # only an overflow pool serves what is left
            for group in scenario.agents:
                lines = [
                    t for t in remaining if group.overflow and group.can_serve(t.line, t.language)
                ]
                if lines:
                    options.append(((-len(lines), 0.0, 0, 0), group.name, lines))
                    break
        if not options:
            break
        _, name, lines = min(options, key=lambda option: option[0])
        chosen.append((name, lines))
        remaining = [traffic for traffic in remaining if traffic not in lines]
    return chosen


def _work(lines: list[Traffic]) -> float:
    """Expected agent-seconds of talk the lines bring over the day."""
    return sum(sum(t.calls_per_interval) * t.handle_time.mean_s for t in lines)


def _trim_groups(
    scenario: Scenario,
    target: Target,
    counts: Counts,
    result: SimulationResult,
    run: _Simulator,
    max_rounds: int,
) -> tuple[Counts, SimulationResult]:
    """The fine phase: coordinate descent over the groups.

    ``result`` is the run of ``counts``. Each step takes agents away from one group in every
    interval where it has more than its floor (its one seat, if the mix gave it any), simulates that
    once for all intervals, and keeps each interval's removal if that interval still meets the
    target. A removal starts at one agent and doubles each time it is kept, so a group the mix
    over-staffs by many agents sheds them in a few rounds; a refused removal of several agents
    is retried with one. The interval totals can hide a starved skill (a small language's misses
    drown in a big line's surplus), so a step is refused if a skill that met the target over the day
    before the phase misses it after the step, or if a skill that already missed it does worse.
    """
    counts = {name: list(per) for name, per in counts.items()}
    # Dearest seats first: with equal headcounts the plan keeps the cheaper kind of seat.
    order = sorted(counts, key=lambda name: -_group(scenario, name).cost)
    baseline = _skill_baseline(result)
    steps = {name: [1] * scenario.interval_count for name in counts}
    # A one-agent removal that failed is not proposed again: with the same callers, agents taken
    # away later elsewhere only add load, so it would fail again (and each retry costs a run). An
    # interval that already misses has nothing to give.
    exhausted = {
        (name, index)
        for name in counts
        for index in range(scenario.interval_count)
        if not _interval_met(result, index, target)
    }
    ran = {name: list(per) for name, per in counts.items()}  # the staffing ``result`` is for
    trimmed: list[list[str]] = [[] for _ in range(scenario.interval_count)]  # one entry per agent
    for _ in range(max_rounds):
        progressed = False
        for name in order:
            floors = [_floor(scenario, counts, name, index) for index in range(len(counts[name]))]
            proposal = {
                index: min(steps[name][index], agents - floors[index])
                for index, agents in enumerate(counts[name])
                if agents > floors[index] and (name, index) not in exhausted
            }
            kept: list[int] = []
            candidates = list(proposal)
            while candidates:
                trial = {n: list(per) for n, per in counts.items()}
                for index in candidates:
                    trial[name][index] -= proposal[index]
                result, ran = run(trial), trial
                passing = [i for i in candidates if _interval_met(result, i, target)]
                if _skills_hold(result, baseline, target):
                    kept = passing
                    break
                # A skill fell under the target. The removals in intervals that missed may be what
                # pulled it down, so try the passing ones alone (each retry is smaller) first.
                candidates = passing if 0 < len(passing) < len(candidates) else []
            for index, removal in proposal.items():
                if index in kept:
                    counts[name][index] -= removal
                    trimmed[index].extend([name] * removal)
                    steps[name][index] = 2 * removal
                elif removal > 1:
                    steps[name][index] = 1
                else:
                    exhausted.add((name, index))
            progressed = progressed or bool(proposal)
        if not progressed:
            break
    if ran != counts:
        result = run(counts)  # some proposed removals were reverted: the reported figures are these
    # Each removal was judged in a run with other removals, not in the final staffing, and an
    # interval kept at the edge of the target can slip under it once the rest changes (a change
    # early in the day shifts which caller draws which handle time later). Give back the latest
    # removal in each trimmed interval that now misses, until none does.
    for _ in range(max_rounds):
        missing = [
            i for i, names in enumerate(trimmed) if names and not _interval_met(result, i, target)
        ]
        if not missing:
            break
        for index in missing:
            counts[trimmed[index].pop()][index] += 1
        result = run(counts)
    return counts, result


def _swap_seats(
    scenario: Scenario,
    target: Target,
    counts: Counts,
    result: SimulationResult,
    run: _Simulator,
    max_rounds: int,
) -> tuple[Counts, SimulationResult]:
    """The cost objective: trade a dear seat for a cheaper one where the targets still hold.

    Taking seats away cannot replace a bilingual seat that mostly answers the big Chinese line by a
    Chinese-only seat (the headcount is the same), so for each group, dearest first, one seat in
    every interval above its floor moves to each cheaper group in turn; an interval keeps the move
    if it still meets the target and no line falls under it over the day.
    """
    counts = {name: list(per) for name, per in counts.items()}
    baseline = _skill_baseline(result)
    groups = sorted(scenario.agents, key=lambda group: -group.cost)
    for _ in range(max_rounds):
        moved = False
        for dear in groups:
            for cheap in sorted(scenario.agents, key=lambda group: group.cost):
                if cheap.cost >= dear.cost or cheap.overflow:
                    continue
                candidates = [
                    index
                    for index, agents in enumerate(counts[dear.name])
                    if agents > _floor(scenario, counts, dear.name, index)
                ]
                if not candidates:
                    continue
                trial = {name: list(per) for name, per in counts.items()}
                for index in candidates:
                    trial[dear.name][index] -= 1
                    trial[cheap.name][index] += 1
                trial_result = run(trial)
                if not _skills_hold(trial_result, baseline, target):
                    continue
                kept = [i for i in candidates if _interval_met(trial_result, i, target)]
                if kept == candidates:
                    counts, result, moved = trial, trial_result, True
                elif kept:
                    for index in kept:
                        counts[dear.name][index] -= 1
                        counts[cheap.name][index] += 1
                    result = run(counts)
                    if _skills_hold(result, baseline, target):
                        moved = True
                    else:  # the intervals interact: undo
                        for index in kept:
                            counts[dear.name][index] += 1
                            counts[cheap.name][index] -= 1
                        result = run(counts)
        if not moved:
            break
    return counts, result


def _reasons(
    scenario: Scenario,
    target: Target,
    counts: Counts,
    result: SimulationResult,
    run: _Simulator,
) -> dict[str, SeatReason]:
    """Each staffed group's reason: one seat fewer in every interval it staffs, and what misses."""
    reasons = {}
    for group in scenario.agents:
        per = counts[group.name]
        serves = [t.label for t in scenario.traffic if group.can_serve(t.line, t.language)]
        sole = sorted(
            {
                t.label
                for index, agents in enumerate(per)
                if agents > 0
                for t in scenario.traffic
                if t.calls_per_interval[index] > 0
                and group.can_serve(t.line, t.language)
                and not any(
                    other.name != group.name
                    and counts[other.name][index] > 0
                    and other.can_serve(t.line, t.language)
                    for other in scenario.agents
                )
            }
        )
        lines: list[str] = []
        intervals: list[int] = []
        if any(per):
            fewer = {name: list(c) for name, c in counts.items()}
            fewer[group.name] = [max(0, agents - 1) for agents in per]
            trial = run(fewer)
            lines = [
                label
                for label, figures in result.by_skill.items()
                if _met(target, figures) and not _met(target, trial.by_skill[label])
            ]
            intervals = [
                index
                for index, agents in enumerate(per)
                if agents > 0
                and _interval_met(result, index, target)
                and not _interval_met(trial, index, target)
            ]
        reasons[group.name] = SeatReason(serves, sole, lines, intervals, group.cost * sum(per))
    return reasons


def _met(target: Target, figures: dict[str, Estimate]) -> bool:
    return target.met(figures["service_level"].mean, figures["abandon_rate"].mean)


def _group(scenario: Scenario, name: str) -> AgentGroup:
    return next(group for group in scenario.agents if group.name == name)


def _floor(scenario: Scenario, counts: Counts, name: str, index: int) -> int:
    """1 if group ``name`` is the only staffed group serving a line with calls in the interval.

    A group may otherwise go to no seats at all: a small line keeps a server, but it can be a
    shared seat of another group rather than one of its own.
    """
    group = _group(scenario, name)
    if counts[name][index] == 0:
        return 0
    for traffic in scenario.traffic:
        if traffic.calls_per_interval[index] <= 0:
            continue
        if not group.can_serve(traffic.line, traffic.language):
            continue
        others = [
            other
            for other in scenario.agents
            if other.name != name
            and counts[other.name][index] > 0
            and other.can_serve(traffic.line, traffic.language)
        ]
        if not others:
            return 1
    return 0


def _interval_met(result: SimulationResult, index: int, target: Target) -> bool:
    figures = result.by_interval[index]
    return target.met(figures["service_level"].mean, figures["abandon_rate"].mean)


_SkillBaseline = dict[str, tuple[float, float]]
"""Per skill, its day's (service level, abandon rate) when the fine phase began."""


def _skill_baseline(result: SimulationResult) -> _SkillBaseline:
    return {
        label: (figures["service_level"].mean, figures["abandon_rate"].mean)
        for label, figures in result.by_skill.items()
    }


def _skills_hold(result: SimulationResult, baseline: _SkillBaseline, target: Target) -> bool:
    """Each skill still meets the target over the day if it did, and does no worse if not."""
    for label, (level_before, abandon_before) in baseline.items():
        level = result.by_skill[label]["service_level"].mean
        abandon = result.by_skill[label]["abandon_rate"].mean
        if target.met(level_before, abandon_before):
            if not target.met(level, abandon):
                return False
        elif level < level_before or abandon > abandon_before:
            return False  # taking agents away must not deepen a miss
    return True


def _step_up(service_level: float, target: Target) -> int:
    # Far below target, move faster than one agent at a time.
    shortfall = target.service_level - service_level
    return 1 if math.isnan(shortfall) or shortfall < 0.1 else 2 if shortfall < 0.3 else 4


def _mix_counts(scenario: Scenario, totals: list[int]) -> Counts:
    counts = {group.name: [0] * scenario.interval_count for group in scenario.agents}
    for index, total in enumerate(totals):
        for name, agents in split_by_mix(scenario, index, total).items():
            counts[name][index] = agents
    return counts


class _Simulator:
    """Runs a staffing with the scenario's seed (common random numbers) and counts the runs."""

    def __init__(
        self,
        scenario: Scenario,
        replications: int | None,
        workers: int,
        progress: SearchProgress | None,
    ) -> None:
        self.scenario = scenario
        self.replications = replications
        self.workers = workers
        self.progress = progress
        self.runs = 0

    def __call__(self, counts: Counts) -> SimulationResult:
        self.runs += 1
        if self.progress:
            totals = [sum(column) for column in zip(*counts.values(), strict=True)]
            self.progress(self.runs, totals)
        staffed = self.scenario.with_staffing({name: tuple(per) for name, per in counts.items()})
        return simulate(staffed, replications=self.replications, workers=self.workers)


def _with_threshold(scenario: Scenario, threshold_s: float) -> Scenario:
    from dataclasses import replace

    return replace(scenario, threshold_s=threshold_s)
