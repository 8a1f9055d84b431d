"""Satisfaction surveys (满意度评价): the 1-5 key the caller presses after the agent hangs up.

Pure: it takes the period's answered calls (score or none) and returns, for the whole period and
per line, agent and local day, how many answered calls were surveyed, the distribution over 1..5
and the mean. The survey records a digit only, no spoken or written comment; the low scores
(1 and 2) are listed call by call instead, so a supervisor can listen to the recording.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

SCORES = (1, 2, 3, 4, 5)
LOW = 2  # scores at or below this are listed one by one


@dataclass(frozen=True, slots=True)
class SurveyedCall:
    call_id: int
    arrived_at: datetime  # local
    line: str
    agent: str  # the agent's code, "" when unknown
    caller_number: str
    score: int | None  # None: the caller hung up before pressing a key


def _figures(calls: list[SurveyedCall]) -> dict[str, Any]:
    scores = [c.score for c in calls if c.score is not None and c.score in SCORES]
    distribution = {str(s): scores.count(s) for s in SCORES}
    return {
        "answered": len(calls),
        "responses": len(scores),
        "response_rate": round(len(scores) / len(calls), 4) if calls else None,
        "average": round(sum(scores) / len(scores), 2) if scores else None,
        "distribution": distribution,
    }


def _grouped(
    calls: list[SurveyedCall], key: Callable[[SurveyedCall], str], name: str
) -> list[dict[str, Any]]:
    groups: dict[str, list[SurveyedCall]] = {}
    for call in calls:
        groups.setdefault(key(call), []).append(call)
    return [{name: k, **_figures(v)} for k, v in sorted(groups.items())]


def survey_report(calls: Iterable[SurveyedCall], days: list[date]) -> dict[str, Any]:
    """The period's figures, by line, by agent, by day (every day, empty ones included) and the
    low-scored calls, oldest first."""
    chosen = list(calls)
    by_day: dict[str, list[SurveyedCall]] = {d.isoformat(): [] for d in days}
    by_day |= _by(chosen, lambda c: c.arrived_at.date())
    return {
        "total": _figures(chosen),
        "by_line": _grouped(chosen, lambda c: c.line, "line"),
        "by_agent": _grouped(chosen, lambda c: c.agent, "agent"),
        "by_day": [{"day": d, **_figures(v)} for d, v in sorted(by_day.items())],
        "low_scores": [
            {
                "call_id": c.call_id,
                "arrived_at": c.arrived_at.isoformat(),
                "line": c.line,
                "agent": c.agent,
                "caller_number": c.caller_number,
                "score": c.score,
            }
            for c in sorted(chosen, key=lambda c: (c.arrived_at, c.call_id))
            if c.score is not None and c.score <= LOW
        ],
    }


def _by(
    calls: list[SurveyedCall], key: Callable[[SurveyedCall], date]
) -> dict[str, list[SurveyedCall]]:
    groups: dict[str, list[SurveyedCall]] = {}
    for call in calls:
        groups.setdefault(key(call).isoformat(), []).append(call)
    return groups
