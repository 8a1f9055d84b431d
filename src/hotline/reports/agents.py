"""Agent performance (坐席绩效): each agent's calls, time by state, transfers, missed offers,
survey scores and work orders over a period (docs/reports.md).

Pure: it takes the agents' state spans (clipped to the period), the calls they ended up with and
the counts read elsewhere, and returns one row per agent plus a total. Talk, wrap-up and not-ready
times come from the state log, so they are the agent's own time even when a call was transferred;
hold and survey scores come from the call rows of the calls each agent finished. Over folded
buckets the same figures come summed per agent from the rollups (``AgentTally``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hotline.reports.interval import US, to_epoch_us, to_us
from hotline.reports.staffing import Span

RONA = "rona"  # the engine's reason when an agent let an offer ring out
SCORES = range(1, 6)  # a survey score: the 1-5 key the caller pressed


@dataclass(frozen=True, slots=True)
class FinishedCall:
    agent_id: int
    hold_s: float | None
    survey_score: int | None


@dataclass(frozen=True, slots=True)
class Orders:
    raised: int = 0
    closed: int = 0
    closed_on_time: int = 0


@dataclass(frozen=True, slots=True)
class AgentTally:
    """One agent's sums over the folded buckets of a period (``rollup_people``): agent-time in
    microseconds per state and not-ready reason, calls, RONA, the calls they finished with
    their hold time and 1-5 survey scores (transfers are a mapping of their own)."""

    us: Mapping[str, int] = field(default_factory=dict)
    reason_us: Mapping[str, int] = field(default_factory=dict)
    calls: int = 0
    rona: int = 0
    finished: int = 0
    hold_us: int = 0
    surveys: int = 0
    score_sum: int = 0


@dataclass(slots=True)
class _Agent:
    # Integer microseconds, so that sums are exact in any order: the rollups add the same
    # amounts bucket by bucket and must give the very same figures.
    us: dict[str, int] = field(default_factory=dict)
    reason_us: dict[str, int] = field(default_factory=dict)
    calls: set[int] = field(default_factory=set)
    counted_calls: int = 0  # calls counted already (from the rollups, or per agent in a total)
    rona: int = 0
    hold_us: int = 0
    finished: int = 0
    surveys: int = 0
    score_sum: int = 0

    def add_time(self, status: str, reason: str | None, us: int) -> None:
        self.us[status] = self.us.get(status, 0) + us
        if status == "not_ready":
            key = reason or "unknown"
            self.reason_us[key] = self.reason_us.get(key, 0) + us

    def add_tally(self, tally: AgentTally) -> None:
        for status, us in tally.us.items():
            self.us[status] = self.us.get(status, 0) + us
        for reason, us in tally.reason_us.items():
            self.reason_us[reason] = self.reason_us.get(reason, 0) + us
        self.counted_calls += tally.calls
        self.rona += tally.rona
        self.finished += tally.finished
        self.hold_us += tally.hold_us
        self.surveys += tally.surveys
        self.score_sum += tally.score_sum

    @property
    def handled(self) -> int:
        return len(self.calls) + self.counted_calls


def _r(value: float | None, places: int = 1) -> float | None:
    return None if value is None else round(value, places)


def agent_report(
    start: datetime,
    end: datetime,
    all_spans: Iterable[Span],
    finished: Iterable[FinishedCall],
    transfers: Mapping[int, int],
    orders: Mapping[int, Orders],
    codes: Mapping[int, str],
    agents: Sequence[int] | None = None,
    rolled: Mapping[int, AgentTally] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows per agent (by code) and the total; ``agents`` limits the rows when given.

    With ``rolled`` (the sums of the folded buckets before ``start``), the spans and calls
    count from ``start`` on only, and a call an agent was on right up to ``start`` is not
    counted again: the rollups counted it (``report_agent_rollup.calls_continued``)."""
    acc: dict[int, _Agent] = {}
    low, high = to_epoch_us(start), to_epoch_us(end)
    counted: set[tuple[int, int]] = set()
    for span in all_spans:
        begin, finish = to_epoch_us(span.start), to_epoch_us(span.end)
        # On a call right up to ``start`` with rollups before it: the rollups counted it.
        carried = rolled is not None and span.status == "on_call" and begin < low <= finish
        if carried and span.call_id is not None:
            counted.add((span.agent_id, span.call_id))
        begin, finish = max(begin, low), min(finish, high)
        if finish <= begin:
            continue
        mine = acc.setdefault(span.agent_id, _Agent())
        mine.add_time(span.status, span.reason, finish - begin)
        if span.status == "not_ready" and span.reason == RONA and span.start >= start:
            mine.rona += 1
        if span.status == "on_call" and span.call_id is not None:
            mine.calls.add(span.call_id)
    for agent_id, call_id in counted:
        if agent_id in acc:
            acc[agent_id].calls.discard(call_id)
    for call in finished:
        mine = acc.setdefault(call.agent_id, _Agent())
        mine.finished += 1
        mine.hold_us += to_us(call.hold_s)
        score = call.survey_score
        if score is not None and score in SCORES:
            mine.surveys += 1
            mine.score_sum += score
    for agent_id, tally in (rolled or {}).items():
        acc.setdefault(agent_id, _Agent()).add_tally(tally)
    for agent_id in [*transfers, *orders]:
        acc.setdefault(agent_id, _Agent())
    wanted = set(agents) if agents is not None else set(acc)
    rows = [
        _row(codes.get(a, str(a)), acc[a], transfers.get(a, 0), orders.get(a, Orders()))
        for a in sorted(wanted & set(acc), key=lambda a: codes.get(a, str(a)))
    ]
    total = _Agent()
    for a in wanted & set(acc):
        mine = acc[a]
        total.add_tally(
            AgentTally(
                mine.us,
                mine.reason_us,
                mine.handled,  # per agent: a call two agents were on counts for each
                mine.rona,
                mine.finished,
                mine.hold_us,
                mine.surveys,
                mine.score_sum,
            )
        )
    all_orders = Orders(
        sum(orders.get(a, Orders()).raised for a in wanted),
        sum(orders.get(a, Orders()).closed for a in wanted),
        sum(orders.get(a, Orders()).closed_on_time for a in wanted),
    )
    summed = _row("total", total, sum(transfers.get(a, 0) for a in wanted), all_orders)
    return rows, summed


def _row(code: str, a: _Agent, transfers: int, orders: Orders) -> dict[str, Any]:
    handled = a.handled
    talk = a.us.get("on_call", 0) / US
    wrap = a.us.get("wrap_up", 0) / US
    busy = talk + wrap + a.us.get("reserved", 0) / US
    available = busy + a.us.get("idle", 0) / US
    return {
        "agent": code,
        "calls": handled,
        "logged_in_s": _r(sum(a.us.values()) / US),
        "talk_s": _r(talk),
        "hold_s": _r(a.hold_us / US),
        "wrap_up_s": _r(wrap),
        "ready_s": _r(a.us.get("idle", 0) / US),
        "not_ready_s": _r(a.us.get("not_ready", 0) / US),
        "not_ready_by_reason": {k: _r(v / US) for k, v in sorted(a.reason_us.items())},
        "average_talk_s": _r(talk / handled) if handled else None,
        "average_wrap_up_s": _r(wrap / handled) if handled else None,
        "aht_s": _r((talk + wrap) / handled) if handled else None,
        "transfers": transfers,
        "rona": a.rona,
        "occupancy": round(min(1.0, busy / available), 4) if available else None,
        "surveys": a.surveys,
        "survey_average": _r(a.score_sum / a.surveys, 2) if a.surveys else None,
        "work_orders_raised": orders.raised,
        "work_orders_closed": orders.closed,
        "work_orders_on_time_rate": round(orders.closed_on_time / orders.closed, 4)
        if orders.closed
        else None,
    }
