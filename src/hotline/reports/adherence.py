"""Adherence to scheduled hours (排班遵从率), where the agents have shifts (``agent_shift``).

Pure: for each agent with a shift in the period, the scheduled seconds, the seconds logged in
during them, the seconds available for calls during them (ready, ringing, on a call or in
wrap-up: logged in and not in 示忙), and adherence = available in shift / scheduled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from hotline.reports.staffing import Span

WORKING = frozenset({"idle", "reserved", "on_call", "wrap_up"})


def _overlap(a0: datetime, a1: datetime, b0: datetime, b1: datetime) -> float:
    return max(0.0, (min(a1, b1) - max(a0, b0)).total_seconds())


def adherence(
    start: datetime,
    end: datetime,
    shifts: Iterable[tuple[int, datetime, datetime]],
    all_spans: Iterable[Span],
) -> dict[int, dict[str, Any]]:
    """Per agent with a shift overlapping [start, end): the scheduled, logged-in and working
    seconds inside the shifts (clipped to the period) and the adherence share."""
    mine: dict[int, list[tuple[datetime, datetime]]] = {}
    for agent_id, s0, s1 in shifts:
        clipped = (max(s0, start), min(s1, end))
        if clipped[1] > clipped[0]:
            mine.setdefault(agent_id, []).append(clipped)
    out: dict[int, dict[str, float]] = {
        agent_id: {
            "scheduled_s": sum((b - a).total_seconds() for a, b in own),
            "logged_in_scheduled_s": 0.0,
            "working_scheduled_s": 0.0,
        }
        for agent_id, own in mine.items()
    }
    for span in all_spans:
        own = mine.get(span.agent_id)
        if not own:
            continue
        inside = sum(_overlap(span.start, span.end, a, b) for a, b in own)
        out[span.agent_id]["logged_in_scheduled_s"] += inside
        if span.status in WORKING:
            out[span.agent_id]["working_scheduled_s"] += inside
    return {agent_id: _shape(figures) for agent_id, figures in out.items()}


def _shape(f: Mapping[str, float]) -> dict[str, Any]:
    scheduled = f["scheduled_s"]
    return {
        "scheduled_s": round(scheduled, 1),
        "logged_in_scheduled_s": round(f["logged_in_scheduled_s"], 1),
        "working_scheduled_s": round(f["working_scheduled_s"], 1),
        "adherence": round(min(1.0, f["working_scheduled_s"] / scheduled), 4)
        if scheduled
        else None,
    }
