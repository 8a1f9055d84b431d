"""Service standards (服务标准) as data, measured per day and over the period: red or green.

A standard names a figure of the reports, a comparison and a target, e.g. IRAS's "75% of calls
answered within 2 minutes" is ``service_level >= 0.75`` with T = 120 s. The figures come from the
interval report by day (run once per distinct threshold) and from the work orders due each day,
so a standard means exactly what the report's definition says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import Field, model_validator

from hotline.schemas.base import Schema

Comparison = Literal[">=", ">", "<=", "<"]


@dataclass(frozen=True, slots=True)
class Standard:
    id: str
    metric: str  # service_level, abandon_rate, asa_s (interval report) or on_time_rate
    comparison: Comparison
    target: float
    threshold_s: float | None  # the SL threshold T the metric is measured with
    label_zh: str
    label_en: str

    def met(self, value: float | None) -> bool | None:
        """True or False against the target; None when nothing was measured."""
        if value is None:
            return None
        return {
            ">=": value >= self.target,
            ">": value > self.target,
            "<=": value <= self.target,
            "<": value < self.target,
        }[self.comparison]


INTERVAL_METRICS = frozenset({"service_level", "abandon_rate", "asa_s"})
STANDARD_ID = re.compile(r"^[a-z0-9_]{1,32}$")


class StandardIn(Schema):
    """A service standard as the director sets it (API and page): a figure, a comparison and
    a target."""

    metric: Literal["service_level", "abandon_rate", "asa_s", "on_time_rate"]
    comparison: Comparison
    target: float = Field(ge=0, description="a share in [0, 1] for rates, seconds for asa_s")
    threshold_s: float | None = Field(
        default=None, gt=0, le=3600, description="the threshold T of service_level (seconds)"
    )
    label_zh: str = Field(min_length=1, max_length=120)
    label_en: str = Field(min_length=1, max_length=120)
    active: bool = True

    @model_validator(mode="after")
    def _rates_are_shares(self) -> StandardIn:
        if self.metric != "asa_s" and self.target > 1:
            raise ValueError("target: a rate is a share between 0 and 1 (0.75 for 75%)")
        if self.metric == "service_level" and self.threshold_s is None:
            raise ValueError("threshold_s: a service level needs its threshold T in seconds")
        return self

    def as_standard(self, standard_id: str) -> Standard:
        return Standard(
            standard_id,
            self.metric,
            self.comparison,
            self.target,
            self.threshold_s if self.metric != "on_time_rate" else None,
            self.label_zh,
            self.label_en,
        )


DEFAULT_STANDARDS: tuple[Standard, ...] = (
    Standard("sl_120", "service_level", ">=", 0.75, 120.0,
             "75% 来电 120 秒内接通（新加坡税务局）", "75% of calls answered within 120 s (IRAS)"),
    Standard("sl_15", "service_level", ">=", 0.80, 15.0,
             "80% 来电 15 秒内接通（GB/T 33358）",
             "80% of calls answered within 15 s (GB/T 33358)"),
    Standard("abandon_5", "abandon_rate", "<", 0.05, 20.0,
             "放弃率低于 5%", "abandonment below 5%"),
    Standard("asa_30", "asa_s", "<=", 30.0, 20.0,
             "平均应答速度不超过 30 秒", "average speed of answer at most 30 s"),
    Standard("on_time_95", "on_time_rate", ">", 0.95, None,
             "工单按期办结率高于 95%", "work orders resolved on time above 95%"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DueOrders:
    due: int = 0
    on_time: int = 0

    @property
    def rate(self) -> float | None:
        return None if self.due == 0 else round(self.on_time / self.due, 4)


def measure(
    standards: Sequence[Standard],
    days: Sequence[date],
    interval_by_threshold: Mapping[float, tuple[Sequence[Mapping[str, Any]], Mapping[str, Any]]],
    orders_by_day: Mapping[date, DueOrders],
) -> dict[str, Any]:
    """Each day's and the period's value and verdict of every standard.

    ``interval_by_threshold``: for each threshold T, the interval report's day rows (in the
    order of ``days``) and its total row."""

    def cell(standard: Standard, value: float | None) -> dict[str, Any]:
        return {"value": value, "met": standard.met(value)}

    rows: list[dict[str, Any]] = []
    for index, day in enumerate(days):
        values: dict[str, dict[str, Any]] = {}
        for s in standards:
            if s.metric in INTERVAL_METRICS:
                day_rows, _ = interval_by_threshold[s.threshold_s or 20.0]
                values[s.id] = cell(s, day_rows[index][s.metric])
            else:
                values[s.id] = cell(s, orders_by_day.get(day, DueOrders()).rate)
        rows.append({"day": day.isoformat(), "standards": values})
    total_orders = _sum(orders_by_day.values())
    period: dict[str, dict[str, Any]] = {}
    for s in standards:
        if s.metric in INTERVAL_METRICS:
            period[s.id] = cell(s, interval_by_threshold[s.threshold_s or 20.0][1][s.metric])
        else:
            period[s.id] = cell(s, total_orders.rate)
    met_days = {
        s.id: sum(1 for row in rows if row["standards"][s.id]["met"] is True) for s in standards
    }
    measured_days = {
        s.id: sum(1 for row in rows if row["standards"][s.id]["met"] is not None) for s in standards
    }
    return {"rows": rows, "overall": period, "days_met": met_days, "days_measured": measured_days}


def _sum(orders: Iterable[DueOrders]) -> DueOrders:
    due = on_time = 0
    for o in orders:
        due += o.due
        on_time += o.on_time
    return DueOrders(due, on_time)
