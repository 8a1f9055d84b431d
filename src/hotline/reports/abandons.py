"""Abandoned calls with the whole floor at the moment each caller gave up (docs/reports.md).

The floor comes from the agent state log (every logged-in agent, whatever their skills), the
eligible ones from the call's abandon snapshot (the agents routing could have offered it to):
together they tell understaffing (everyone eligible busy) from slack (eligible agents idle or
away), the Hangzhou centre's question "at that minute, what was every seat doing?".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hotline.reports.staffing import LOGGED_OUT

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


# (agent_id, at, status, reason): one change of the state log, as the report reads it.
Change = tuple[int, datetime, str, str | None]


class AbandonFold:
    """The report folded over the state log as it streams in, in time order.

    The state log is never held whole (a large centre's month is millions of rows): each agent's
    latest change so far is their seat, and the abandons, sorted by when the caller gave up, are
    written out as the changes pass them. The seats are exactly the spans of
    ``staffing.spans`` cut at ``until``: an agent is on the floor at ``at`` in the state of their
    last change at or before ``at`` (the last written of several at one instant), unless that
    change is ``logged_out`` or ``at`` is past ``until``.

    Feed ``feed`` each agent's last change before the period first (the lookback), then the
    changes of the period ordered by (time, id); then ``finish``.
    """

    def __init__(
        self,
        calls: Iterable[AbandonRow],
        agent_codes: Mapping[int, str],
        zone: ZoneInfo,
        until: datetime,
        with_floor: bool = True,
    ) -> None:
        self._calls = sorted(calls, key=lambda c: (c.abandoned_at, c.id))
        self._next = 0
        self._codes = agent_codes
        self._zone = zone
        self._until = until
        self._with_floor = with_floor
        # Every logged-in agent -> [since, status, reason, since as text once a floor showed it]
        self._seats: dict[int, list[Any]] = {}
        self._rows: list[dict[str, Any]] = []
        self._idle = self._away = self._slack = 0

    @property
    def last_abandon(self) -> datetime | None:
        """When the last caller gave up: no change after it matters."""
        return self._calls[-1].abandoned_at if self._calls else None

    def feed(self, changes: Iterable[Change]) -> None:
        calls, seats = self._calls, self._seats
        for agent_id, at, status, reason in changes:
            # A change takes effect at its instant: the abandons strictly before it are done.
            while self._next < len(calls) and calls[self._next].abandoned_at < at:
                self._write(calls[self._next])
                self._next += 1
            if status == LOGGED_OUT:
                seats.pop(agent_id, None)
            else:
                seats[agent_id] = [at, status, reason, None]

    def finish(self) -> AbandonReport:
        while self._next < len(self._calls):
            self._write(self._calls[self._next])
            self._next += 1
        summary = {
            "abandons": len(self._rows),
            "with_eligible_idle": self._idle,
            "with_eligible_away": self._away,
            "with_eligible_idle_or_away": self._slack,
            "understaffed": len(self._rows) - self._slack,
        }
        return AbandonReport(self._rows, summary)

    def _write(self, call: AbandonRow) -> None:
        at, zone = call.abandoned_at, self._zone
        # Past `until` (the period's end, or now) nobody is counted on the floor.
        seats = self._seats if at < self._until else {}
        eligible = _eligible_ids(call.snapshot)
        eligible_states = [seats[a][1] for a in eligible if a in seats]
        idle = eligible_states.count("idle")
        away = eligible_states.count(AWAY)
        self._idle += idle > 0
        self._away += away > 0
        self._slack += idle + away > 0
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
            "floor_logged_in": len(seats),
        }
        if self._with_floor:
            row["floor"] = [
                self._seat(agent_id, seat, eligible) for agent_id, seat in sorted(seats.items())
            ]
        self._rows.append(row)

    def _seat(self, agent_id: int, seat: list[Any], eligible: set[int]) -> dict[str, Any]:
        if seat[3] is None:  # a seat stays on many floors: its start is formatted once
            seat[3] = seat[0].astimezone(self._zone).isoformat()
        return {
            "agent_id": agent_id,
            "agent": self._codes.get(agent_id, str(agent_id)),
            "status": seat[1],
            "reason": seat[2],
            "since": seat[3],
            "eligible": agent_id in eligible,
        }
