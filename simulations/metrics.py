"""What one replication measured, and the KPI figures derived from it.

Definitions follow DOMAIN.md ("KPIs"): a call is *offered* when it reaches a queue; service level is
answered within T / offered (abandons count as misses); ``service_level_answered`` is answered
within T / answered; ASA is the mean queue wait of answered calls (zero waits included); ``p_wait``
is the share of offered calls that waited at all; a caller who accepts a callback leaves as a
*callback*, not as an abandon; occupancy is handling time (ring, talk, wrap-up) / logged-in time.
Calls are counted in the interval in which they arrive; the warm-up is not counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum

from simulations.stats import percentile

WAIT_PERCENTILES = (50, 80, 90, 95, 99)
Figures = dict[str, float]


class Outcome(IntEnum):
    WAITING = 0  # still unresolved when the replication stopped
    ANSWERED = 1
    ABANDONED = 2
    CALLBACK = 3
    DIVERTED = 4


@dataclass(slots=True)
class CallLog:
    """Parallel columns, one row per counted call (cheaper than one object per call)."""

    interval: list[int] = field(default_factory=list)
    traffic: list[int] = field(default_factory=list)
    outcome: list[int] = field(default_factory=list)
    wait_s: list[float] = field(default_factory=list)

    def add(self, interval: int, traffic: int) -> int:
        self.interval.append(interval)
        self.traffic.append(traffic)
        self.outcome.append(Outcome.WAITING)
        self.wait_s.append(0.0)
        return len(self.outcome) - 1

    def resolve(self, row: int, outcome: Outcome, wait_s: float) -> None:
        self.outcome[row] = outcome
        self.wait_s[row] = wait_s


@dataclass(slots=True)
class TimeBins:
    """Per-interval time integrals: agent handling time, logged-in time, queue length x time."""

    start_s: float
    width_s: float
    count: int
    handling: list[float] = field(init=False)
    logged_in: list[float] = field(init=False)
    queue_area: list[float] = field(init=False)
    end_s: float = field(init=False)  # the end of the counted day

    def __post_init__(self) -> None:
        self.handling = [0.0] * self.count
        self.logged_in = [0.0] * self.count
        self.queue_area = [0.0] * self.count
        self.end_s = self.start_s + self.width_s * self.count

    def add_span(self, bins: list[float], begin: float, end: float, weight: float = 1.0) -> None:
        """Spread ``weight`` over [begin, end), clipped to the counted day."""
        # Runs once or twice per simulated call: comparisons rather than max/min calls.
        start = self.start_s
        if begin < start:
            begin = start
        if end > self.end_s:
            end = self.end_s
        if begin >= end:
            return
        index = int((begin - start) // self.width_s)
        if end <= start + (index + 1) * self.width_s:  # the common case: one interval
            bins[index if index < self.count else self.count - 1] += (end - begin) * weight
            return
        while begin < end:
            index = int((begin - self.start_s) // self.width_s)
            boundary = self.start_s + (index + 1) * self.width_s
            piece = min(end, boundary) - begin
            bins[min(index, self.count - 1)] += piece * weight
            begin = min(end, boundary)


@dataclass(frozen=True, slots=True)
class ReplicationFigures:
    """KPI figures of one replication: overall, per traffic label, per interval."""

    overall: Figures
    by_skill: dict[str, Figures]
    by_interval: list[Figures]
    # Per traffic label, its call figures per interval (the charts' one trace per line).
    by_skill_interval: dict[str, list[Figures]] = field(default_factory=dict)


def summarise(
    log: CallLog, bins: TimeBins, labels: list[str], threshold_s: float
) -> ReplicationFigures:
    everything = range(len(log.outcome))
    calls = _call_figures(log, everything, threshold_s)
    overall = calls | _time_figures(bins, range(bins.count))
    by_skill: dict[str, Figures] = {}
    if len(labels) == 1:  # one line: its rows are all the rows, no need to go over them again
        by_skill[labels[0]] = dict(calls)
    else:
        for index, label in enumerate(labels):
            rows = [row for row in everything if log.traffic[row] == index]
            by_skill[label] = _call_figures(log, rows, threshold_s)
    if bins.count == 1:  # likewise for a single interval
        single = {label: [dict(figures)] for label, figures in by_skill.items()}
        return ReplicationFigures(overall, by_skill, [dict(overall)], single)
    by_interval_rows: list[list[int]] = [[] for _ in range(bins.count)]
    for row in everything:
        by_interval_rows[log.interval[row]].append(row)
    by_interval = []
    by_skill_interval: dict[str, list[Figures]] = {label: [] for label in labels}
    for index, rows in enumerate(by_interval_rows):
        figures = _call_figures(log, rows, threshold_s)
        figures.update(_time_figures(bins, range(index, index + 1)))
        by_interval.append(figures)
        buckets: list[list[int]] = [[] for _ in labels]
        for row in rows:  # one pass per interval, not one per line
            buckets[log.traffic[row]].append(row)
        for label, line_rows in zip(labels, buckets, strict=True):
            by_skill_interval[label].append(_call_figures(log, line_rows, threshold_s))
    return ReplicationFigures(overall, by_skill, by_interval, by_skill_interval)


def _call_figures(log: CallLog, rows: range | list[int], threshold_s: float) -> Figures:
    offered = len(rows)
    answered_waits: list[float] = []
    abandoned = callbacks = diverted = waited = within = 0
    for row in rows:
        outcome = log.outcome[row]
        wait = log.wait_s[row]
        if wait > 0.0:
            waited += 1
        if outcome == Outcome.ANSWERED:
            answered_waits.append(wait)
            if wait <= threshold_s:
                within += 1
        elif outcome == Outcome.ABANDONED:
            abandoned += 1
        elif outcome == Outcome.CALLBACK:
            callbacks += 1
        elif outcome == Outcome.DIVERTED:
            diverted += 1
        else:  # unresolved when the run stopped: it was still waiting (wait not recorded)
            waited += 1
    answered = len(answered_waits)
    answered_waits.sort()
    figures: Figures = {
        "offered": float(offered),
        "answered": float(answered),
        "abandoned": float(abandoned),
        "callbacks": float(callbacks),
        "diverted": float(diverted),
        "service_level": _ratio(within, offered),
        "service_level_answered": _ratio(within, answered),
        "asa_s": _ratio(math.fsum(answered_waits), answered),
        "p_wait": _ratio(waited, offered),
        "abandon_rate": _ratio(abandoned, offered),
    }
    for share in WAIT_PERCENTILES:
        figures[f"wait_p{share}_s"] = percentile(answered_waits, share / 100.0)
    return figures


def _time_figures(bins: TimeBins, indexes: range) -> Figures:
    handling = math.fsum(bins.handling[i] for i in indexes)
    logged_in = math.fsum(bins.logged_in[i] for i in indexes)
    area = math.fsum(bins.queue_area[i] for i in indexes)
    span = bins.width_s * len(indexes)
    return {
        "occupancy": _ratio(handling, logged_in),
        "queue_length": area / span if span else math.nan,
        "agents": logged_in / span if span else math.nan,
    }


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan
