"""What the ops pages show of a run: the day's figures per interval as plotly charts and tables.

The charts follow the simulator's rules (simulations.charts): clock times on the x axis,
percentages drawn in 0-100, an interval without calls is a gap rather than a zero, and the
labels come from simulations.charts' catalog (Chinese by default), so the page and the CLI's
``--plot`` name the same things the same way. ASA is added here (the CLI's panel shows the queue
length instead), since it is what a supervisor is asked about.
"""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simulations.charts import CATALOG, Lang
from simulations.runner import SimulationResult
from simulations.staffing import StaffingPlan, Target
from simulations.stats import Estimate

OVERALL_KEYS = ("offered", "service_level", "asa_s", "abandon_rate", "occupancy")
_PERCENT = frozenset({"service_level", "abandon_rate", "occupancy"})
_LABELS: dict[str, tuple[str, str]] = {
    "service_level": CATALOG["chart.service_level"],
    "abandon_rate": CATALOG["chart.abandon_rate"],
    "occupancy": CATALOG["chart.occupancy"],
    "asa_s": ("平均应答速度（秒）", "Average speed of answer (s)"),
    "agents": ("所需坐席", "Agents needed"),
    "erlang": ("Erlang 估算", "Erlang estimate"),
    "interval": CATALOG["chart.interval"],
    "target": CATALOG["chart.target"],
}


def _text(key: str, lang: Lang) -> str:
    zh, en = _LABELS[key]
    return zh if lang == "zh" else en


def _value(estimate: Estimate, key: str) -> float | None:
    if math.isnan(estimate.mean):
        return None
    if key in _PERCENT:
        return min(max(estimate.mean * 100.0, 0.0), 100.0)
    return max(estimate.mean, 0.0)


def _shown(estimate: Estimate, key: str) -> str:
    value = _value(estimate, key)
    if value is None:
        return "–"
    return f"{value:.1f}%" if key in _PERCENT else f"{value:.1f}"


def overall(result: SimulationResult) -> dict[str, str]:
    return {key: _shown(result.overall[key], key) for key in OVERALL_KEYS}


def interval_rows(result: SimulationResult) -> list[dict[str, str]]:
    return [
        {"clock": result.scenario.interval_label(index)}
        | {key: _shown(f[key], key) for key in OVERALL_KEYS}
        for index, f in enumerate(result.by_interval)
    ]


def day_chart(result: SimulationResult, target: Target, lang: Lang) -> str:
    """Service level, ASA, abandon rate and occupancy per interval (2 x 2), as plotly JSON."""
    x = [result.scenario.interval_start(i) for i in range(len(result.by_interval))]
    panels = ("service_level", "asa_s", "abandon_rate", "occupancy")
    lines = {"service_level": target.service_level, "abandon_rate": target.max_abandon}
    figure = make_subplots(
        rows=2, cols=2, subplot_titles=[_text(p, lang) for p in panels], shared_xaxes=True
    )
    for number, key in enumerate(panels):
        row, col = divmod(number, 2)
        y = [_value(f[key], key) for f in result.by_interval]
        figure.add_trace(
            go.Scatter(x=x, y=y, name=_text(key, lang), mode="lines+markers"),
            row=row + 1,
            col=col + 1,
        )
        goal = lines.get(key)
        if goal is not None:
            figure.add_trace(
                go.Scatter(
                    x=x,
                    y=[goal * 100.0] * len(x),
                    name=f"{_text('target', lang)} {_text(key, lang)}",
                    mode="lines",
                    line={"dash": "dash"},
                ),
                row=row + 1,
                col=col + 1,
            )
        percent = key in _PERCENT
        figure.update_yaxes(
            range=[0, 100] if percent else None,
            rangemode="tozero",
            ticksuffix="%" if percent else "",
            row=row + 1,
            col=col + 1,
        )
    figure.update_xaxes(type="category", tickangle=-45)
    figure.update_xaxes(title_text=_text("interval", lang), row=2)
    figure.update_layout(height=640, hovermode="x unified", legend={"orientation": "h", "y": -0.2})
    return str(figure.to_json())


def staff_chart(plan: StaffingPlan, lang: Lang) -> str:
    """Agents needed per interval, stacked by group, with the Erlang estimate as a line."""
    scenario = plan.result.scenario
    x = [scenario.interval_start(row.interval) for row in plan.intervals]
    groups = list(plan.intervals[0].agents) if plan.intervals else []
    figure = go.Figure()
    for group in groups:
        figure.add_trace(go.Bar(x=x, y=[row.agents[group] for row in plan.intervals], name=group))
    figure.add_trace(
        go.Scatter(
            x=x,
            y=[row.erlang_agents for row in plan.intervals],
            name=_text("erlang", lang),
            mode="lines+markers",
        )
    )
    figure.update_layout(
        barmode="stack",
        height=420,
        yaxis={"title": {"text": _text("agents", lang)}, "rangemode": "tozero"},
        xaxis={"type": "category", "title": {"text": _text("interval", lang)}},
        legend={"orientation": "h", "y": -0.25},
    )
    return str(figure.to_json())


def plan_rows(plan: StaffingPlan) -> dict[str, Any]:
    groups = list(plan.intervals[0].agents) if plan.intervals else []
    return {
        "groups": groups,
        "rows": [
            {
                "clock": plan.result.scenario.interval_label(row.interval),
                "agents": [row.agents[g] for g in groups],
                "total": row.total,
                "erlang": row.erlang_agents,
                "service_level": _shown(row.service_level, "service_level"),
                "abandon_rate": _shown(row.abandon_rate, "abandon_rate"),
                "met": row.met,
            }
            for row in plan.intervals
        ],
        "cost": plan.cost,
    }
