"""The interval report: calls against staffing, interval by interval (docs/reports.md).

Pure: it takes the period, the calls that arrived in it and the agents' state spans, and returns
one row per interval plus a total row. A call belongs to the interval it arrived in (the same
filter as the call list, so the totals reconcile with ``GET /api/v1/calls``); the staffing side
counts agent-seconds in each state inside the interval, divided by the interval's length (so
"on call 3.5" means three and a half agents on average).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hotline.reports.period import Period
from hotline.reports.staffing import Span, wrap_up_seconds

ABANDON_OUTCOMES = ("abandoned_queue", "abandoned_ringing")


@dataclass(frozen=True, slots=True)
class CallRow:
    id: int
    kind: str
    arrived_at: datetime
    queued_at: datetime | None
    answered_at: datetime | None
    outcome: str | None
    wait_s: float | None
    talk_s: float | None
    hold_s: float | None


@dataclass(slots=True)
class _Acc:
    start: datetime
    end: datetime
    arrived: int = 0
    callback_calls: int = 0
    abandoned_ivr: int = 0
    offered: int = 0
    answered: int = 0
    answered_within: int = 0
    abandoned_queue: int = 0
    abandoned_ringing: int = 0
    short_abandons: int = 0
    callbacks: int = 0
    wait_answered_s: float = 0.0
    handle_s: float = 0.0
    seconds: dict[str, float] = field(default_factory=dict)
    by_reason: dict[str, float] = field(default_factory=dict)
    agents: set[int] = field(default_factory=set)

    def add_call(self, call: CallRow, wrap_s: float, threshold_s: float, short_s: float) -> None:
        if call.kind != "inbound":
            self.callback_calls += 1
            return
        self.arrived += 1
        if call.queued_at is None:
            if call.outcome == "abandoned_ivr":
                self.abandoned_ivr += 1
            return
        self.offered += 1
        wait = call.wait_s or 0.0
        if call.answered_at is not None:
            self.answered += 1
            self.wait_answered_s += wait
            if wait <= threshold_s:
                self.answered_within += 1
            self.handle_s += (call.talk_s or 0.0) + (call.hold_s or 0.0) + wrap_s
        elif call.outcome in ABANDON_OUTCOMES:
            if call.outcome == "abandoned_queue":
                self.abandoned_queue += 1
            else:
                self.abandoned_ringing += 1
            if wait < short_s:
                self.short_abandons += 1
        elif call.outcome == "callback_requested":
            self.callbacks += 1

    def add_span(self, span: Span, seconds: float) -> None:
        if seconds <= 0:
            return
        self.agents.add(span.agent_id)
        self.seconds[span.status] = self.seconds.get(span.status, 0.0) + seconds
        if span.status == "not_ready":
            reason = span.reason or "unknown"
            self.by_reason[reason] = self.by_reason.get(reason, 0.0) + seconds

    def merge(self, other: _Acc) -> None:
        for name in ("arrived", "callback_calls", "abandoned_ivr", "offered", "answered",
                     "answered_within", "abandoned_queue", "abandoned_ringing",
                     "short_abandons", "callbacks", "wait_answered_s", "handle_s"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for status, value in other.seconds.items():
            self.seconds[status] = self.seconds.get(status, 0.0) + value
        for reason, value in other.by_reason.items():
            self.by_reason[reason] = self.by_reason.get(reason, 0.0) + value
        self.agents |= other.agents

    def as_row(self) -> dict[str, Any]:
        length = (self.end - self.start).total_seconds()
        abandoned = self.abandoned_queue + self.abandoned_ringing
        busy = sum(self.seconds.get(s, 0.0) for s in ("reserved", "on_call", "wrap_up"))
        available = busy + self.seconds.get("idle", 0.0)

        def mean_agents(status: str) -> float:
            return round(self.seconds.get(status, 0.0) / length, 2) if length else 0.0

        return {
            "interval_start": self.start.isoformat(),
            "interval_end": self.end.isoformat(),
            "arrived": self.arrived,
            "callback_calls": self.callback_calls,
            "abandoned_ivr": self.abandoned_ivr,
            "offered": self.offered,
            "answered": self.answered,
            "answered_within": self.answered_within,
            "abandoned_queue": self.abandoned_queue,
            "abandoned_ringing": self.abandoned_ringing,
            "short_abandons": self.short_abandons,
            "callbacks": self.callbacks,
            "service_level": _ratio(self.answered_within, self.offered),
            "service_level_answered": _ratio(self.answered_within, self.answered),
            "service_level_no_short": _ratio(
                self.answered_within, self.offered - self.short_abandons
            ),
            "abandon_rate": _ratio(abandoned, self.offered),
            "asa_s": _mean(self.wait_answered_s, self.answered),
            "aht_s": _mean(self.handle_s, self.answered),
            "agents_logged_in": len(self.agents),
            "staffed": round(sum(self.seconds.values()) / length, 2) if length else 0.0,
            "ready": mean_agents("idle"),
            "ringing": mean_agents("reserved"),
            "on_call": mean_agents("on_call"),
            "wrap_up": mean_agents("wrap_up"),
            "not_ready": mean_agents("not_ready"),
            "not_ready_by_reason": {
                reason: round(value / length, 2) if length else 0.0
                for reason, value in sorted(self.by_reason.items())
            },
            "occupancy": _ratio(busy, available),
        }


def _ratio(part: float, whole: float) -> float | None:
    """A share in [0, 1], rounded to 4 places; None when nothing to divide."""
    if whole <= 0:
        return None
    return round(min(1.0, max(0.0, part / whole)), 4)


def _mean(total: float, count: int) -> float | None:
    return None if count == 0 else round(total / count, 1)


@dataclass(frozen=True, slots=True)
class IntervalReport:
    rows: list[dict[str, Any]]
    total: dict[str, Any]


def interval_report(
    period: Period,
    calls: Iterable[CallRow],
    all_spans: Sequence[Span],
    *,
    threshold_s: float,
    short_abandon_s: float = 5.0,
) -> IntervalReport:
    """One row per interval of the period (empty intervals included) and the total."""
    accs = [_Acc(start, end) for start, end in period.intervals()]
    # Epoch seconds, not aware datetimes: comparing datetimes of two zones asks each for its
    # offset, which was most of the time of a month's report.
    starts = [acc.start.timestamp() for acc in accs]
    ends = [acc.end.timestamp() for acc in accs]
    wraps = wrap_up_seconds(all_spans)
    low, high = period.start.timestamp(), period.end.timestamp()
    for call in calls:
        arrived = call.arrived_at.timestamp()
        if not low <= arrived < high:
            continue
        index = bisect.bisect_right(starts, arrived) - 1
        accs[index].add_call(call, wraps.get(call.id, 0.0), threshold_s, short_abandon_s)
    for span in all_spans:
        begin, finish = span.start.timestamp(), span.end.timestamp()
        index = max(0, bisect.bisect_right(starts, begin) - 1)
        while index < len(accs) and starts[index] < finish:  # no slice copies
            accs[index].add_span(span, min(ends[index], finish) - max(starts[index], begin))
            index += 1
    total = _Acc(period.start.astimezone(period.zone), period.end.astimezone(period.zone))
    for acc in accs:
        total.merge(acc)
    return IntervalReport([acc.as_row() for acc in accs], total.as_row())
