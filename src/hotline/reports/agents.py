"""Agent performance (坐席绩效): each agent's calls, time by state, transfers, missed offers,
survey scores and work orders over a period (docs/reports.md).

Pure: it takes the agents' state spans (clipped to the period), the calls they ended up with and
the counts read elsewhere, and returns one row per agent plus a total. Talk, wrap-up and not-ready
times come from the state log, so they are the agent's own time even when a call was transferred;
hold and survey scores come from the call rows of the calls each agent finished.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hotline.reports.staffing import Span

RONA = "rona"  # the engine's reason when an agent let an offer ring out


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


@dataclass(slots=True)
class _Agent:
    seconds: dict[str, float] = field(default_factory=dict)
    by_reason: dict[str, float] = field(default_factory=dict)
    calls: set[int] = field(default_factory=set)
    rona: int = 0
    hold_s: float = 0.0
    finished: int = 0
    scores: list[int] = field(default_factory=list)


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
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows per agent (by code) and the total; ``agents`` limits the rows when given."""
    acc: dict[int, _Agent] = {}
    for span in all_spans:
        begin, finish = max(span.start, start), min(span.end, end)
        if finish <= begin:
            continue
        mine = acc.setdefault(span.agent_id, _Agent())
        seconds = (finish - begin).total_seconds()
        mine.seconds[span.status] = mine.seconds.get(span.status, 0.0) + seconds
        if span.status == "not_ready":
            reason = span.reason or "unknown"
            mine.by_reason[reason] = mine.by_reason.get(reason, 0.0) + seconds
            if reason == RONA and span.start >= start:
                mine.rona += 1
        if span.status == "on_call" and span.call_id is not None:
            mine.calls.add(span.call_id)
    for call in finished:
        mine = acc.setdefault(call.agent_id, _Agent())
        mine.finished += 1
        mine.hold_s += call.hold_s or 0.0
        if call.survey_score is not None:
            mine.scores.append(call.survey_score)
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
        for key, value in mine.seconds.items():
            total.seconds[key] = total.seconds.get(key, 0.0) + value
        for key, value in mine.by_reason.items():
            total.by_reason[key] = total.by_reason.get(key, 0.0) + value
        total.calls |= mine.calls
        total.rona += mine.rona
        total.hold_s += mine.hold_s
        total.finished += mine.finished
        total.scores.extend(mine.scores)
    all_orders = Orders(
        sum(orders.get(a, Orders()).raised for a in wanted),
        sum(orders.get(a, Orders()).closed for a in wanted),
        sum(orders.get(a, Orders()).closed_on_time for a in wanted),
    )
    summed = _row("total", total, sum(transfers.get(a, 0) for a in wanted), all_orders)
    return rows, summed


def _row(code: str, a: _Agent, transfers: int, orders: Orders) -> dict[str, Any]:
    handled = len(a.calls)
    talk = a.seconds.get("on_call", 0.0)
    wrap = a.seconds.get("wrap_up", 0.0)
    busy = talk + wrap + a.seconds.get("reserved", 0.0)
    available = busy + a.seconds.get("idle", 0.0)
    return {
        "agent": code,
        "calls": handled,
        "logged_in_s": _r(sum(a.seconds.values())),
        "talk_s": _r(talk),
        "hold_s": _r(a.hold_s),
        "wrap_up_s": _r(wrap),
        "ready_s": _r(a.seconds.get("idle", 0.0)),
        "not_ready_s": _r(a.seconds.get("not_ready", 0.0)),
        "not_ready_by_reason": {k: _r(v) for k, v in sorted(a.by_reason.items())},
        "average_talk_s": _r(talk / handled) if handled else None,
        "average_wrap_up_s": _r(wrap / handled) if handled else None,
        "aht_s": _r((talk + wrap) / handled) if handled else None,
        "transfers": transfers,
        "rona": a.rona,
        "occupancy": round(min(1.0, busy / available), 4) if available else None,
        "surveys": len(a.scores),
        "survey_average": _r(sum(a.scores) / len(a.scores), 2) if a.scores else None,
        "work_orders_raised": orders.raised,
        "work_orders_closed": orders.closed,
        "work_orders_on_time_rate": round(orders.closed_on_time / orders.closed, 4)
        if orders.closed
        else None,
    }
