"""Abandoned calls with the whole floor at the moment each caller gave up (docs/reports.md).

The floor comes from the agent state log (every logged-in agent, whatever their skills), the
eligible ones from the call's abandon snapshot (the agents routing could have offered it to):
together they tell understaffing (everyone eligible busy) from slack (eligible agents idle or
away), the Hangzhou centre's question "at that minute, what was every seat doing?".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hotline.reports.staffing import Span

AWAY = "not_ready"


@dataclass(frozen=True, slots=True)
class AbandonRow:
    id: int
    arrived_at: datetime
    abandoned_at: datetime
    caller_number: str
    site: str
    line: str | None
    language: str | None
    outcome: str
    wait_s: float | None
    snapshot: Mapping[str, Any] | None


def _eligible_ids(snapshot: Mapping[str, Any] | None) -> set[int]:
    ids: set[int] = set()
    for entry in (snapshot or {}).get("eligible", []) or []:
        try:
            ids.add(int(entry["agent_id"]))
        except (KeyError, TypeError, ValueError):
            continue  # a snapshot written by another version: skip what is not an id
    return ids


@dataclass(frozen=True, slots=True)
class AbandonReport:
    rows: list[dict[str, Any]]
    summary: dict[str, Any]


class _Sweep:
    """The floor at each moment of a rising sequence, by one pass over the spans.

    An agent's spans never overlap (each ends where the next row starts), so the agent's latest
    span started by ``at`` is the only one that can hold ``at``: it does when it has not ended.
    Counting spans started minus spans ended by ``at`` gives the logged-in total without
    walking the floor, so an abandon costs its eligible agents, not every seat.
    """

    def __init__(self, all_spans: Sequence[Span]) -> None:
        self._by_start = sorted(all_spans, key=lambda s: s.start)
        self._ends = sorted(s.end for s in all_spans)
        self._started = 0
        self._ended = 0
        self.latest: dict[int, Span] = {}

    def advance(self, at: datetime) -> None:
        """Take in every span started by ``at`` (``at`` never goes back)."""
        spans_ = self._by_start
        while self._started < len(spans_) and spans_[self._started].start <= at:
            span = spans_[self._started]
            self.latest[span.agent_id] = span
            self._started += 1
        while self._ended < len(self._ends) and self._ends[self._ended] <= at:
            self._ended += 1

    def logged_in(self) -> int:
        return self._started - self._ended

    def state_of(self, agent_id: int, at: datetime) -> Span | None:
        span = self.latest.get(agent_id)
        return span if span is not None and span.end > at else None

    def floor(self, at: datetime) -> dict[int, Span]:
        return {a: s for a, s in self.latest.items() if s.end > at}


def abandon_report(
    calls: Iterable[AbandonRow],
    all_spans: Sequence[Span],
    agent_codes: Mapping[int, str],
    zone: ZoneInfo,
    with_floor: bool = True,
) -> AbandonReport:
    """Each abandon with its counts, newest last, and the summary over all of them.

    ``with_floor`` adds every logged-in agent's seat to each row: what a page of abandons
    shows, but abandons x seats rows for a month, so exports leave it out (docs/reports.md).
    """
    rows: list[dict[str, Any]] = []
    with_idle = with_away = with_slack = 0
    sweep = _Sweep(all_spans)
    # A span is on the floor of many abandons: format its start once (by identity; spans live
    # for the whole report).
    since: dict[int, str] = {}
    for call in sorted(calls, key=lambda c: (c.abandoned_at, c.id)):
        at = call.abandoned_at
        sweep.advance(at)
        eligible_states = [
            span.status
            for agent_id in _eligible_ids(call.snapshot)
            if (span := sweep.state_of(agent_id, at)) is not None
        ]
        idle = eligible_states.count("idle")
        away = eligible_states.count(AWAY)
        with_idle += idle > 0
        with_away += away > 0
        with_slack += idle + away > 0
        row: dict[str, Any] = {
            "call_id": call.id,
            "arrived_at": call.arrived_at.astimezone(zone).isoformat(),
            "abandoned_at": at.astimezone(zone).isoformat(),
            "caller_number": call.caller_number,
            "site": call.site,
            "line": call.line,
            "language": call.language,
            "where": "ringing" if call.outcome == "abandoned_ringing" else "queue",
            "wait_s": None if call.wait_s is None else round(call.wait_s, 1),
            "position": (call.snapshot or {}).get("position"),
            "eligible": len(eligible_states),
            "eligible_idle": idle,
            "eligible_away": away,
            "floor_logged_in": sweep.logged_in(),
        }
        if with_floor:
            eligible = _eligible_ids(call.snapshot)
            row["floor"] = [
                {
                    "agent_id": agent_id,
                    "agent": agent_codes.get(agent_id, str(agent_id)),
                    "status": span.status,
                    "reason": span.reason,
                    "since": since.get(id(span))
                    or since.setdefault(id(span), span.start.astimezone(zone).isoformat()),
                    "eligible": agent_id in eligible,
                }
                for agent_id, span in sorted(sweep.floor(at).items())
            ]
        rows.append(row)
    summary = {
        "abandons": len(rows),
        "with_eligible_idle": with_idle,
        "with_eligible_away": with_away,
        "with_eligible_idle_or_away": with_slack,
        "understaffed": len(rows) - with_slack,
    }
    return AbandonReport(rows, summary)
