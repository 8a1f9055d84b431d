"""A scenario's traffic built from the calls the centre really took (``--from-history``).

Ops keep the staffing side of a scenario (agent groups, routing, wrap-up) in their file and ask
"what if": the traffic (arrivals per interval, line and language; handle times; patience) comes
from the recorded calls of the last N whole days, so the simulated day is the one the centre has
been living, not a guess.

How each figure is made (also in docs/ops.md):

- Arrivals: calls that reached the queue (inbound, with a line and language), counted in the
  scenario's own intervals by their local arrival time and divided by the number of days that had
  any such call (a closed Sunday does not halve the weekday). Calls outside the scenario's day
  are left out and counted, so the person can widen the day.
- Handle time: talk + hold of the answered calls of each line and language, as a lognormal with
  their mean and coefficient of variation; a pair with no answered call borrows the figures of
  all answered calls.
- Patience: exponential with mean = all waiting seconds / abandons in queue or ringing (each
  caller's wait is a lower bound of their patience, the standard estimate when some callers are
  answered before they would give up); a pair nobody abandoned keeps callers who never hang up.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hotline.db.models import Call
from hotline.web.i18n import Lang, translate_with

MAX_DAYS = 92  # a quarter: enough for a seasonal pattern, bounded so the read stays small
_ABANDONS = ("abandoned_queue", "abandoned_ringing")
# A coefficient of variation outside this band comes from too few calls to mean anything.
_CV_MIN, _CV_MAX = 0.1, 3.0


class HistoryError(ValueError):
    """The history cannot make a scenario; the message says what to do, in English (the CLI's
    words). ``path`` (the field, ``""`` for none), ``key`` and ``params`` say the same as data:
    the pages word it with the catalogue's ``scenario.history.<key>`` in the reader's language."""

    def __init__(self, path: str, key: str, english: str, **params: object) -> None:
        self.path = path
        self.key = key
        self.params = params
        super().__init__(f"{path}: {english}" if path else english)

    def message(self, lang: Lang) -> str:
        """``path: what to do`` in ``lang``."""
        text = translate_with(lang, f"scenario.history.{self.key}", **self.params)
        return f"{self.path}: {text}" if self.path else text


@dataclass(frozen=True, slots=True)
class CallSample:
    arrived: datetime  # local time
    line: str
    language: str
    outcome: str | None
    wait_s: float | None
    handle_s: float | None  # talk + hold, answered calls only


@dataclass(frozen=True, slots=True)
class DayShape:
    count: int
    minutes: float
    start_minute: int


@dataclass(frozen=True, slots=True)
class HistoryTraffic:
    traffic: list[dict[str, Any]]  # the scenario's ``traffic`` list
    first_day: date
    last_day: date
    days_open: int
    calls: int
    outside_day: int  # calls that arrived before or after the scenario's intervals


def period(now: datetime, days: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The last ``days`` whole local days before today (today is not over yet)."""
    if not 1 <= days <= MAX_DAYS:
        raise HistoryError(
            "days",
            "days",
            f"must be between 1 and {MAX_DAYS} (got {days})",
            most=MAX_DAYS,
            got=days,
        )
    local = now.astimezone(zone)
    midnight = datetime(local.year, local.month, local.day, tzinfo=zone)
    return midnight - timedelta(days=days), midnight


async def read_samples(
    session: AsyncSession, start: datetime, end: datetime, zone: ZoneInfo
) -> list[CallSample]:
    rows = await session.execute(
        select(
            Call.arrived_at,
            Call.business_line,
            Call.language,
            Call.outcome,
            Call.wait_s,
            Call.talk_s,
            Call.hold_s,
        ).where(
            Call.kind == "inbound",
            Call.arrived_at >= start,
            Call.arrived_at < end,
            Call.queued_at.is_not(None),
            Call.business_line.is_not(None),
            Call.language.is_not(None),
            Call.outcome.is_not(None),  # a call still live has no outcome to learn from
        )
    )
    return [
        CallSample(
            arrived=arrived.astimezone(zone),
            line=str(line),
            language=str(language),
            outcome=outcome,
            wait_s=wait,
            handle_s=(talk or 0.0) + (hold or 0.0)
            if outcome == "answered" and talk is not None
            else None,
        )
        for arrived, line, language, outcome, wait, talk, hold in rows.all()
    ]


async def traffic_from_history(
    session: AsyncSession, shape: DayShape, now: datetime, days: int, zone: ZoneInfo
) -> HistoryTraffic:
    start, end = period(now, days, zone)
    samples = await read_samples(session, start, end, zone)
    return build_traffic(samples, shape, start.date(), (end - timedelta(days=1)).date())


def build_traffic(
    samples: Iterable[CallSample], shape: DayShape, first_day: date, last_day: date
) -> HistoryTraffic:
    by_pair: dict[tuple[str, str], list[CallSample]] = defaultdict(list)
    days: set[date] = set()
    for sample in samples:
        by_pair[(sample.line, sample.language)].append(sample)
        days.add(sample.arrived.date())
    if not days:
        raise HistoryError(
            "",
            "no_calls",
            f"no call reached the queue between {first_day} and {last_day}: "
            "choose more days, or check that calls are being recorded",
            first=first_day,
            last=last_day,
        )
    everyone = [s.handle_s for pair in by_pair.values() for s in pair if s.handle_s]
    if not everyone:
        raise HistoryError(
            "",
            "no_answered",
            f"no answered call between {first_day} and {last_day} to learn handle times from: "
            "choose more days",
            first=first_day,
            last=last_day,
        )
    fallback = _handle_time(everyone)
    traffic: list[dict[str, Any]] = []
    outside = 0
    for (line, language), own in sorted(by_pair.items()):
        counts = [0] * shape.count
        for sample in own:
            index = _interval(sample.arrived, shape)
            if index is None:
                outside += 1
            else:
                counts[index] += 1
        handled = [s.handle_s for s in own if s.handle_s]
        entry: dict[str, Any] = {
            "skill": line,
            "language": language,
            "calls_per_interval": [round(c / len(days), 3) for c in counts],
            "handle_time": _handle_time(handled) if handled else fallback,
        }
        patience = _patience(own)
        if patience is not None:
            entry["patience"] = patience
        traffic.append(entry)
    return HistoryTraffic(
        traffic=traffic,
        first_day=first_day,
        last_day=last_day,
        days_open=len(days),
        calls=sum(len(own) for own in by_pair.values()),
        outside_day=outside,
    )


def _interval(arrived: datetime, shape: DayShape) -> int | None:
    minute = arrived.hour * 60 + arrived.minute + arrived.second / 60.0
    index = math.floor((minute - shape.start_minute) / shape.minutes)
    return index if 0 <= index < shape.count else None


def _handle_time(values: list[float]) -> dict[str, Any]:
    mean = sum(values) / len(values)
    if len(values) < 2:
        return {"dist": "lognormal", "mean_s": round(mean, 1), "cv": 1.0}
    variance = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    cv = min(max(math.sqrt(variance) / mean, _CV_MIN), _CV_MAX)
    return {"dist": "lognormal", "mean_s": round(mean, 1), "cv": round(cv, 3)}


def _patience(own: list[CallSample]) -> dict[str, Any] | None:
    abandons = sum(1 for s in own if s.outcome in _ABANDONS)
    if abandons == 0:
        return None
    waited = sum(s.wait_s or 0.0 for s in own)
    return {"dist": "exponential", "mean_s": round(max(waited / abandons, 1.0), 1)}


def day_shape(data: Mapping[str, Any]) -> DayShape:
    """The scenario's intervals, read from its plain data (before the simulator validates it)."""
    intervals = data.get("intervals")
    if not isinstance(intervals, Mapping):
        raise HistoryError(
            "intervals",
            "intervals_required",
            "is required (count, minutes, start) to place the calls",
        )
    count = intervals.get("count")
    minutes = intervals.get("minutes", 30)
    start = intervals.get("start", "09:00")
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise HistoryError("intervals.count", "count", "must be an integer >= 1")
    if isinstance(minutes, bool) or not isinstance(minutes, int | float) or minutes <= 0:
        raise HistoryError("intervals.minutes", "minutes", "must be a number > 0")
    return DayShape(count, float(minutes), _start_minute(start))


def _start_minute(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return value  # YAML 1.1 reads an unquoted 09:00 as 540
    if isinstance(value, str):
        hours, _, mins = value.partition(":")
        if hours.isdigit() and mins.isdigit() and int(hours) < 24 and int(mins) < 60:
            return int(hours) * 60 + int(mins)
    raise HistoryError(
        "intervals.start",
        "start",
        f"must be a clock time HH:MM (got {value!r})",
        value=repr(value),
    )


def with_history(data: dict[str, Any], history: HistoryTraffic) -> dict[str, Any]:
    """A copy of the scenario's plain data whose traffic is the history's."""
    return {**data, "traffic": history.traffic}
