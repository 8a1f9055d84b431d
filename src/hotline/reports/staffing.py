"""Agent state spans from the append-only state log, and what each agent was doing at a moment.

The log has one row per change; a state lasts until the agent's next row. A span is cut at
``until`` (the end of what was read, or now for a live day) so that an agent still logged in is
not counted into the future. ``logged_out`` ends a span and opens none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

LOGGED_OUT = "logged_out"


@dataclass(frozen=True, slots=True)
class StateRow:
    agent_id: int
    at: datetime
    status: str
    reason: str | None = None
    call_id: int | None = None


@dataclass(frozen=True, slots=True)
class Span:
    agent_id: int
    start: datetime
    end: datetime
    status: str
    reason: str | None
    call_id: int | None

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def spans(rows: Iterable[StateRow], until: datetime) -> list[Span]:
    """Each logged-in state as a span, agent by agent, in time order."""
    ordered = sorted(rows, key=lambda r: (r.agent_id, r.at))
    out: list[Span] = []
    for _, own in groupby(ordered, key=lambda r: r.agent_id):
        mine = list(own)
        for row, following in zip(mine, [*mine[1:], None], strict=True):
            if row.status == LOGGED_OUT or row.at >= until:
                continue
            end = min(following.at if following is not None else until, until)
            if end > row.at:
                out.append(Span(row.agent_id, row.at, end, row.status, row.reason, row.call_id))
    return out


def wrap_up_seconds(all_spans: Iterable[Span]) -> dict[int, float]:
    """Wrap-up seconds per call, from the spans in wrap-up that name the call."""
    total: dict[int, float] = {}
    for span in all_spans:
        if span.status == "wrap_up" and span.call_id is not None:
            total[span.call_id] = total.get(span.call_id, 0.0) + span.seconds
    return total


def floor_at(all_spans: Iterable[Span], at: datetime) -> dict[int, Span]:
    """Every logged-in agent at ``at`` and the span they were in."""
    return {s.agent_id: s for s in all_spans if s.start <= at < s.end}
