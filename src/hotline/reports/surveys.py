"""Satisfaction surveys (满意度评价): the 1-5 key the caller presses after the agent hangs up.

Pure: it takes the period's answered calls (score or none) and, for the folded part of the
period, the same counted per day, line and agent by the rollups (``SurveyCount``), and returns,
for the whole period and per line, agent and local day, how many answered calls were surveyed,
the distribution over 1..5 and the mean. The survey records a digit only, no spoken or written
comment; the low scores (1 and 2) are listed call by call instead, so a supervisor can listen to
the recording.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from hotline.db.models.call import LOW_SURVEY_SCORE

SCORES = (1, 2, 3, 4, 5)
LOW = LOW_SURVEY_SCORE  # scores at or below this are listed one by one


@dataclass(frozen=True, slots=True)
class SurveyedCall:
    call_id: int
    arrived_at: datetime  # local
    line: str
    agent: str  # the agent's code, "" when unknown
    caller_number: str
    score: int | None  # None: the caller hung up before pressing a key


@dataclass(frozen=True, slots=True)
class SurveyCount:
    """Answered calls of one local day, line and agent, and how many scored 1, 2 ... 5."""

    day: date
    line: str
    agent: str
    answered: int
    scores: tuple[int, ...]  # calls scored 1, 2 ... 5


@dataclass(slots=True)
class _Tally:
    answered: int = 0
    scores: list[int] = field(default_factory=lambda: [0] * len(SCORES))

    def add(self, answered: int, scores: Iterable[int]) -> None:
        self.answered += answered
        for index, count in enumerate(scores):
            self.scores[index] += count

    def figures(self) -> dict[str, Any]:
        responses = sum(self.scores)
        total = sum(score * count for score, count in zip(SCORES, self.scores, strict=True))
        return {
            "answered": self.answered,
            "responses": responses,
            "response_rate": round(responses / self.answered, 4) if self.answered else None,
            "average": round(total / responses, 2) if responses else None,
            "distribution": {str(s): n for s, n in zip(SCORES, self.scores, strict=True)},
        }


def counted(calls: Iterable[SurveyedCall]) -> list[SurveyCount]:
    """The calls as counts: one per call, for adding to the rollups' counts."""
    return [
        SurveyCount(
            c.arrived_at.date(), c.line, c.agent, 1, tuple(int(c.score == s) for s in SCORES)
        )
        for c in calls
    ]


def survey_report(
    calls: Iterable[SurveyedCall],
    days: list[date],
    rolled: Iterable[SurveyCount] = (),
    low: Iterable[SurveyedCall] | None = None,
) -> dict[str, Any]:
    """The period's figures, by line, by agent, by day (every day, empty ones included) and the
    low-scored calls, oldest first: those of ``low`` when given (the calls of the whole period,
    read apart when part of it is counted by the rollups), else those of ``calls``."""
    chosen = list(calls)
    total = _Tally()
    by_line: dict[str, _Tally] = {}
    by_agent: dict[str, _Tally] = {}
    by_day: dict[str, _Tally] = {d.isoformat(): _Tally() for d in days}
    for count in [*counted(chosen), *rolled]:
        for tally in (
            total,
            by_line.setdefault(count.line, _Tally()),
            by_agent.setdefault(count.agent, _Tally()),
            by_day.setdefault(count.day.isoformat(), _Tally()),
        ):
            tally.add(count.answered, count.scores)
    listed = chosen if low is None else low
    return {
        "total": total.figures(),
        "by_line": [{"line": k, **v.figures()} for k, v in sorted(by_line.items())],
        "by_agent": [{"agent": k, **v.figures()} for k, v in sorted(by_agent.items())],
        "by_day": [{"day": d, **v.figures()} for d, v in sorted(by_day.items())],
        "low_scores": [
            {
                "call_id": c.call_id,
                "arrived_at": c.arrived_at.isoformat(),
                "line": c.line,
                "agent": c.agent,
                "caller_number": c.caller_number,
                "score": c.score,
            }
            for c in sorted(listed, key=lambda c: (c.arrived_at, c.call_id))
            if c.score is not None and c.score <= LOW
        ],
    }
