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

from hotline.reports.staffing import Span, floor_at

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


def abandon_report(
    calls: Iterable[AbandonRow],
    all_spans: Sequence[Span],
    agent_codes: Mapping[int, str],
    zone: ZoneInfo,
) -> AbandonReport:
    """Each abandon with its floor, newest last, and the summary over all of them."""
    rows: list[dict[str, Any]] = []
    with_idle = with_away = with_slack = 0
    for call in sorted(calls, key=lambda c: (c.abandoned_at, c.id)):
        eligible = _eligible_ids(call.snapshot)
        floor = floor_at(all_spans, call.abandoned_at)
        seats = [
            {
                "agent_id": agent_id,
                "agent": agent_codes.get(agent_id, str(agent_id)),
                "status": span.status,
                "reason": span.reason,
                "since": span.start.astimezone(zone).isoformat(),
                "eligible": agent_id in eligible,
            }
            for agent_id, span in sorted(floor.items())
        ]
        idle = sum(1 for s in seats if s["eligible"] and s["status"] == "idle")
        away = sum(1 for s in seats if s["eligible"] and s["status"] == AWAY)
        with_idle += idle > 0
        with_away += away > 0
        with_slack += idle + away > 0
        rows.append(
            {
                "call_id": call.id,
                "arrived_at": call.arrived_at.astimezone(zone).isoformat(),
                "abandoned_at": call.abandoned_at.astimezone(zone).isoformat(),
                "caller_number": call.caller_number,
                "site": call.site,
                "line": call.line,
                "language": call.language,
                "where": "ringing" if call.outcome == "abandoned_ringing" else "queue",
                "wait_s": None if call.wait_s is None else round(call.wait_s, 1),
                "position": (call.snapshot or {}).get("position"),
                "eligible": sum(1 for s in seats if s["eligible"]),
                "eligible_idle": idle,
                "eligible_away": away,
                "floor_logged_in": len(seats),
                "floor": seats,
            }
        )
    summary = {
        "abandons": len(rows),
        "with_eligible_idle": with_idle,
        "with_eligible_away": with_away,
        "with_eligible_idle_or_away": with_slack,
        "understaffed": len(rows) - with_slack,
    }
    return AbandonReport(rows, summary)
