"""The interval report: calls against staffing, interval by interval (docs/reports.md).

Pure: it takes the period, the calls that arrived in it and the agents' state spans, and returns
one row per interval plus a total row. A call belongs to the interval it arrived in (the same
filter as the call list, so the totals reconcile with ``GET /api/v1/calls``); the staffing side
counts agent-seconds in each state inside the interval, divided by the interval's length (so
"on call 3.5" means three and a half agents on average).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from hotline.reports.period import Period
from hotline.reports.staffing import Span, wrap_up_seconds

if TYPE_CHECKING:
    from hotline.reports.rollup import Rolled

ABANDON_OUTCOMES = ("abandoned_queue", "abandoned_ringing")
US = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)


def to_us(seconds: float | None) -> int:
    """A duration in whole microseconds (the database keeps seconds as floats)."""
    return round((seconds or 0.0) * US)


def to_epoch_us(at: datetime) -> int:
    """Exact, unlike ``timestamp()``: a float of 1.7e9 seconds keeps no exact microsecond."""
    return (at - _EPOCH) // _ONE_US


def handle_us(call: CallRow, wrap_s: float) -> int:
    """Talk, hold and wrap-up of an answered call, each rounded alike on both paths."""
    return to_us(call.talk_s) + to_us(call.hold_s) + to_us(wrap_s)


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
    # Integer microseconds, so that sums are exact in any order: the rollups add the same
    # amounts bucket by bucket and must give the very same figures.
    wait_answered_us: int = 0
    handle_us: int = 0
    us: dict[str, int] = field(default_factory=dict)
    reason_us: dict[str, int] = field(default_factory=dict)
    agents: set[int] = field(default_factory=set)
    rolled_agents: int = 0  # distinct agents counted by the rollups (intervals read from them)

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
            self.wait_answered_us += to_us(wait)
            if wait <= threshold_s:
                self.answered_within += 1
            self.handle_us += handle_us(call, wrap_s)
        elif call.outcome in ABANDON_OUTCOMES:
            if call.outcome == "abandoned_queue":
                self.abandoned_queue += 1
            else:
                self.abandoned_ringing += 1
            if wait < short_s:
                self.short_abandons += 1
        elif call.outcome == "callback_requested":
            self.callbacks += 1

    def add_span(self, span: Span, us: int) -> None:
        if us <= 0:
            return
        self.agents.add(span.agent_id)
        self.add_state(span.status, span.reason, us)

    def add_state(self, status: str, reason: str | None, us: int) -> None:
        self.us[status] = self.us.get(status, 0) + us
        if status == "not_ready":
            key = reason or "unknown"
            self.reason_us[key] = self.reason_us.get(key, 0) + us

    def merge(self, other: _Acc) -> None:
        for name in ("arrived", "callback_calls", "abandoned_ivr", "offered", "answered",
                     "answered_within", "abandoned_queue", "abandoned_ringing",
                     "short_abandons", "callbacks", "wait_answered_us", "handle_us"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for status, value in other.us.items():
            self.us[status] = self.us.get(status, 0) + value
        for reason, value in other.reason_us.items():
            self.reason_us[reason] = self.reason_us.get(reason, 0) + value
        self.agents |= other.agents

    def as_row(self) -> dict[str, Any]:
        length = to_epoch_us(self.end) - to_epoch_us(self.start)
        abandoned = self.abandoned_queue + self.abandoned_ringing
        busy = sum(self.us.get(s, 0) for s in ("reserved", "on_call", "wrap_up"))
        available = busy + self.us.get("idle", 0)

        def mean_agents(status: str) -> float:
            return round(self.us.get(status, 0) / length, 2) if length else 0.0

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
            "asa_s": _mean(self.wait_answered_us / US, self.answered),
            "aht_s": _mean(self.handle_us / US, self.answered),
            "agents_logged_in": len(self.agents) + self.rolled_agents,
            "staffed": round(sum(self.us.values()) / length, 2) if length else 0.0,
            "ready": mean_agents("idle"),
            "ringing": mean_agents("reserved"),
            "on_call": mean_agents("on_call"),
            "wrap_up": mean_agents("wrap_up"),
            "not_ready": mean_agents("not_ready"),
            "not_ready_by_reason": {
                reason: round(value / length, 2) if length else 0.0
                for reason, value in sorted(self.reason_us.items())
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
    rolled: Rolled | None = None,
    wraps: Mapping[int, float] | None = None,
) -> IntervalReport:
    """One row per interval of the period (empty intervals included) and the total.

    With ``rolled``, the buckets in [rolled.start, rolled.end) come from the rollups and the
    calls and spans only count outside that range (the open end of the period). ``wraps``: the
    wrap-up seconds per call when the spans are those of some agents only (a staffing filter):
    a call's handle time counts the wrap-up of whoever wrapped it up."""
    accs = [_Acc(start, end) for start, end in period.intervals()]
    # Epoch microseconds, not aware datetimes: comparing datetimes of two zones asks each for
    # its offset (most of the time of a month's report); integers, so that pieces cut at the
    # interval edges add up exactly.
    starts = [to_epoch_us(acc.start) for acc in accs]
    ends = [to_epoch_us(acc.end) for acc in accs]
    if wraps is None:
        wraps = wrap_up_seconds(all_spans)
    low, high = to_epoch_us(period.start), to_epoch_us(period.end)
    cut_low, cut_high = (
        (int(rolled.start) * US, int(rolled.end) * US) if rolled is not None else (high, high)
    )

    def index_of(at: int) -> int:
        return max(0, bisect.bisect_right(starts, max(at, low)) - 1)

    for call in calls:
        arrived = to_epoch_us(call.arrived_at)
        if not low <= arrived < high or cut_low <= arrived < cut_high:
            continue
        accs[index_of(arrived)].add_call(
            call, wraps.get(call.id, 0.0), threshold_s, short_abandon_s
        )
    for span in all_spans:
        begin, finish = to_epoch_us(span.start), to_epoch_us(span.end)
        # The parts of the span outside the rolled range (before it and after it).
        for part_begin, part_end in ((begin, min(finish, cut_low)), (max(begin, cut_high), finish)):
            if part_end <= part_begin:
                continue
            index = index_of(part_begin)
            while index < len(accs) and starts[index] < part_end:  # no slice copies
                accs[index].add_span(
                    span, min(ends[index], part_end) - max(starts[index], part_begin)
                )
                index += 1
    total = _Acc(period.start.astimezone(period.zone), period.end.astimezone(period.zone))
    if rolled is not None:
        _add_rolled(accs, starts, ends, index_of, rolled)
    for acc in accs:
        total.merge(acc)
    if rolled is not None:
        total.agents |= rolled.agents
    return IntervalReport([acc.as_row() for acc in accs], total.as_row())


def _add_rolled(
    accs: list[_Acc],
    starts: list[int],
    ends: list[int],
    index_of: Callable[[int], int],
    rolled: Rolled,
) -> None:
    for bucket, counters in rolled.calls:
        if rolled.start <= bucket < rolled.end:
            acc = accs[index_of(bucket * US)]
            for name, value in counters.items():
                setattr(acc, name, getattr(acc, name) + value)
    for bucket, status, reason, us in rolled.us:
        if rolled.start <= bucket < rolled.end:
            accs[index_of(bucket * US)].add_state(status, reason, us)
    low, high = int(rolled.start) * US, int(rolled.end) * US
    for interval_start, count in rolled.agent_counts:
        index = index_of(interval_start * US)
        if ends[index] <= high and starts[index] >= low:
            accs[index].rolled_agents = count
        else:  # the interval the rollups end in: its raw part's agents are a set to join
            accs[index].agents |= rolled.edge_agents
