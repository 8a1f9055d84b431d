"""What taxpayers ask about: call-summary topics per day, and knowledge-base searches that
found nothing.

Pure: it takes the summaries counted per (local day, topic code) and the misses counted per
query, both by the database, and the taxonomy, and returns ranked counts, the per-day trend
and each topic's area, labelled in both languages. A topic missing from the taxonomy (never:
summaries reference it) keeps its code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class TopicName:
    code: str
    parent_code: str | None
    name_zh: str
    name_en: str


def topics_report(
    days: Sequence[date],
    summaries: Iterable[tuple[date, str, int]],
    taxonomy: Iterable[TopicName],
    misses: Iterable[tuple[str, int, date]],
) -> dict[str, Any]:
    """Counts per topic and per area, the trend (every day of the period, zeros included) and
    the unanswered searches, most first (ties by code or text). ``summaries``: (day, topic,
    summaries); ``misses``: (query, searches, day of the last one)."""
    names = {t.code: t for t in taxonomy}
    per_topic: Counter[str] = Counter()
    per_day: dict[date, Counter[str]] = {day: Counter() for day in days}
    for day, code, n in summaries:
        per_topic[code] += n
        per_day.setdefault(day, Counter())[code] += n
    total = sum(per_topic.values())

    def label(code: str | None) -> dict[str, Any]:
        topic = names.get(code or "")
        return {
            "code": code,
            "name_zh": topic.name_zh if topic else code,
            "name_en": topic.name_en if topic else code,
        }

    def area_of(code: str) -> str | None:
        topic = names.get(code)
        return topic.parent_code if topic and topic.parent_code else code

    ranked = sorted(per_topic.items(), key=lambda kv: (-kv[1], kv[0]))
    rows = [
        {
            **label(code),
            "area": label(area_of(code)),
            "calls": calls,
            "share": round(calls / total, 4) if total else None,
        }
        for code, calls in ranked
    ]
    per_area: Counter[str] = Counter()
    for code, calls in per_topic.items():
        per_area[area_of(code) or code] += calls
    areas = [
        {**label(code), "calls": calls, "share": round(calls / total, 4) if total else None}
        for code, calls in sorted(per_area.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    trend = [
        {"day": day.isoformat(), "calls": sum(c.values()), "topics": dict(sorted(c.items()))}
        for day, c in sorted(per_day.items())
    ]
    searched: Counter[str] = Counter()
    last: dict[str, date] = {}
    for query, n, day in misses:
        searched[query] += n
        last[query] = max(day, last.get(query, day))
    unanswered = [
        {"query": query, "searches": n, "last_day": last[query].isoformat()}
        for query, n in sorted(searched.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return {
        "total": total,
        "topics": rows,
        "areas": areas,
        "trend": trend,
        "unanswered_searches": unanswered,
    }
