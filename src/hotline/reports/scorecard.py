"""The director's balanced scorecard (平衡计分卡, after Tianjin's 12329): satisfaction,
complaint rate, completion and timeliness over a period, each with its definition.

Pure: it takes counts read from the call and work-order tables and returns the four figures
(and the service level beside them). Shares in [0, 1]; ``None`` when nothing to divide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ScorecardCounts:
    answered: int
    offered: int
    answered_within: int
    survey_sum: int
    surveys: int
    orders_raised: int
    orders_resolved: int
    complaints: int
    orders_due: int
    orders_on_time: int
    follow_up_sum: int
    follow_ups: int


def _share(part: int, whole: int) -> float | None:
    return None if whole <= 0 else round(min(1.0, part / whole), 4)


def _mean(total: int, count: int) -> float | None:
    return None if count <= 0 else round(total / count, 2)


def scorecard(c: ScorecardCounts) -> dict[str, Any]:
    return {
        "satisfaction": _mean(c.survey_sum, c.surveys),
        "surveys": c.surveys,
        "follow_up_satisfaction": _mean(c.follow_up_sum, c.follow_ups),
        "complaint_rate": _share(c.complaints, c.answered),
        "complaints": c.complaints,
        "completion_rate": _share(c.orders_resolved, c.orders_raised),
        "orders_raised": c.orders_raised,
        "timeliness": _share(c.orders_on_time, c.orders_due),
        "orders_due": c.orders_due,
        "service_level": _share(c.answered_within, c.offered),
    }


SCORECARD_DEFINITIONS: dict[str, tuple[str, str]] = {
    "satisfaction": (
        "来电满意度：期间内接通来电的满意度评分（1–5）均值",
        "mean 1-5 survey score of the calls answered in the period",
    ),
    "follow_up_satisfaction": (
        "回访满意度：期间内创建的工单回访评分（1–5）均值",
        "mean 1-5 follow-up score of the work orders created in the period",
    ),
    "complaint_rate": (
        "投诉率：期间内创建的投诉类工单 / 接通来电",
        "complaint work orders created in the period / calls answered",
    ),
    "completion_rate": (
        "办结率：期间内创建的工单中已办结的比例",
        "work orders created in the period that are resolved / created",
    ),
    "timeliness": (
        "及时率：办结时限落在期间内的工单中按期办结的比例",
        "work orders due in the period resolved by their deadline / due",
    ),
    "service_level": ("服务水平：20 秒内接通 / 受理量", "answered within 20 s / offered"),
}
