"""A scenario's plain data completed from the database before the simulator reads it.

The simulator may not import hotline (it is the pure side of "one brain, two clocks"), so the
substitutions happen here on plain data: ``routing: live`` becomes the routing of the configuration
version in force, and with ``history_days`` the traffic becomes that of the recorded calls.
The CLI and the ops pages both call :func:`resolve`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from hotline.centre import store
from hotline.scenarios.history import HistoryError, day_shape, traffic_from_history


@dataclass(frozen=True, slots=True)
class Note:
    """What was taken from the database: ``key`` names the message (pages translate it with
    ``values``; :meth:`english` is the CLI's wording)."""

    key: str  # "routing" or "history"
    values: dict[str, Any]

    def english(self) -> str:
        if self.key == "routing":
            return f"routing of configuration version {self.values['version']}"
        return (
            f"traffic from {self.values['calls']} calls on {self.values['days']} days "
            f"({self.values['first']}..{self.values['last']}); "
            f"{self.values['outside']} outside the scenario's day"
        )


@dataclass(frozen=True, slots=True)
class Resolved:
    data: Any  # the scenario's plain data, ready for simulations.scenario.parse_scenario
    notes: list[Note]  # what was taken from the database, for the person to read


async def resolve(
    session: AsyncSession,
    data: Any,
    now: datetime,
    zone: ZoneInfo,
    history_days: int | None = None,
) -> Resolved:
    """Raises :class:`HistoryError` (its message names the field) when nothing can be taken."""
    if not isinstance(data, dict):
        return Resolved(data, [])  # the simulator says what is wrong with it
    notes: list[Note] = []
    if data.get("routing") == "live":
        row = await store.in_force(session, now)
        if row is None:
            raise HistoryError(
                "routing",
                "no_version_in_force",
                "live, but no configuration version is in force "
                "(publish one first: hotline config publish)",
            )
        data = {**data, "routing": dict(row.document["routing"])}
        notes.append(Note("routing", {"version": row.id}))
    if history_days is not None:
        shape = day_shape(data)
        history = await traffic_from_history(session, shape, now, history_days, zone)
        data = {**data, "traffic": history.traffic}
        notes.append(
            Note(
                "history",
                {
                    "calls": history.calls,
                    "days": history.days_open,
                    "first": history.first_day.isoformat(),
                    "last": history.last_day.isoformat(),
                    "outside": history.outside_day,
                },
            )
        )
    return Resolved(data, notes)
