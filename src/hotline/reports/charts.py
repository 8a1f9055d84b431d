"""Plotly figures of the reports, built from the same rows the API returns.

Why plotly (as in ``simulations/charts.py``): its wheel carries plotly.js, which the pages serve
from the installed package (no CDN on a government intranet); hover, zoom and PNG export come
with it. The axes keep to what the quantities can be: clock times (09:00) or dates on x,
percentages in 0-100, counts from 0; labels come from the caller (Chinese by default).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import plotly.graph_objects as go

Translate = Callable[[str], str]
_LAYOUT: dict[str, Any] = {
    "margin": {"l": 56, "r": 56, "t": 40, "b": 80},
    "legend": {"orientation": "h", "y": -0.32},
    "hovermode": "x unified",
    "font": {"family": "system-ui, 'Noto Sans CJK SC', sans-serif", "size": 13},
    "height": 360,
}


def _x(rows: Sequence[dict[str, Any]]) -> list[str]:
    # Local wall time without the offset: plotly would otherwise shift it to the browser's zone.
    return [row["interval_start"][:19] for row in rows]


def _time_axis(daily: bool, t: Translate) -> dict[str, Any]:
    return {
        "title": {"text": t("reports.chart.time")},
        "type": "date",
        "tickformat": "%m-%d" if daily else "%H:%M\n%m-%d",
        "hoverformat": "%Y-%m-%d" if daily else "%m-%d %H:%M",
    }


def interval_calls(rows: Sequence[dict[str, Any]], daily: bool, t: Translate) -> str:
    """Offered, answered and abandoned as bars; service level as a line on a 0-100 % axis."""
    x = _x(rows)
    fig = go.Figure()
    for key, colour in (("offered", "#9db4d6"), ("answered", "#2f6fbf")):
        fig.add_bar(x=x, y=[r[key] for r in rows], name=t(f"reports.iv.{key}"), marker_color=colour)
    fig.add_bar(
        x=x,
        y=[r["abandoned_queue"] + r["abandoned_ringing"] for r in rows],
        name=t("reports.chart.abandoned"),
        marker_color="#d9534f",
    )
    fig.add_scatter(
        x=x,
        y=[
            None if r["service_level"] is None else min(100.0, 100 * r["service_level"])
            for r in rows
        ],
        name=t("reports.iv.service_level"),
        yaxis="y2",
        mode="lines+markers",
        line={"color": "#2e7d32", "width": 2},
        connectgaps=False,
    )
    fig.update_layout(
        **_LAYOUT,
        title={"text": t("reports.chart.calls")},
        barmode="group",
        xaxis=_time_axis(daily, t),
        yaxis={"title": {"text": t("reports.chart.count")}, "rangemode": "tozero"},
        yaxis2={
            "title": {"text": t("reports.iv.service_level") + " %"},
            "overlaying": "y",
            "side": "right",
            # 0-100 % (a hair more, so that 100 % is not drawn on the frame), own ticks
            "range": [0, 103],
            "tickmode": "array",
            "tickvals": [0, 25, 50, 75, 100],
            "ticksuffix": "%",
            "showgrid": False,
        },
    )
    return str(fig.to_json())


def interval_staffing(rows: Sequence[dict[str, Any]], daily: bool, t: Translate) -> str:
    """Mean agents in each state, stacked: what the floor was doing interval by interval."""
    x = _x(rows)
    fig = go.Figure()
    colours = {"on_call": "#2f6fbf", "ringing": "#7fa7dc", "wrap_up": "#f0ad4e", "ready": "#5cb85c"}
    for key, colour in colours.items():
        fig.add_bar(x=x, y=[r[key] for r in rows], name=t(f"reports.iv.{key}"), marker_color=colour)
    # Not ready, one bar per reason (示忙原因), in greys: why people were away.
    reasons = sorted({reason for r in rows for reason in r["not_ready_by_reason"]})
    greys = ("#9e9e9e", "#757575", "#bdbdbd", "#616161", "#e0e0e0", "#424242")
    for number, reason in enumerate(reasons):
        fig.add_bar(
            x=x,
            y=[r["not_ready_by_reason"].get(reason, 0.0) for r in rows],
            name=f"{t('reports.iv.not_ready')}: {t('reason.' + reason)}",
            marker_color=greys[number % len(greys)],
        )
    fig.update_layout(
        **_LAYOUT,
        title={"text": t("reports.chart.staffing")},
        barmode="stack",
        xaxis=_time_axis(daily, t),
        yaxis={"title": {"text": t("reports.chart.agents")}, "rangemode": "tozero"},
    )
    return str(fig.to_json())


def abandon_waits(rows: Sequence[dict[str, Any]], t: Translate) -> str:
    """Each abandon at its clock time and wait; coloured by whether eligible agents were free."""
    fig = go.Figure()
    for slack, colour in ((True, "#d9534f"), (False, "#555555")):
        mine = [r for r in rows if (r["eligible_idle"] + r["eligible_away"] > 0) is slack]
        fig.add_scatter(
            x=[r["abandoned_at"][:19] for r in mine],
            y=[r["wait_s"] for r in mine],
            mode="markers",
            marker={"color": colour, "size": 9},
            name=t("reports.chart.slack" if slack else "reports.chart.busy"),
            text=[f"{r['line'] or ''} #{r['call_id']}" for r in mine],
        )
    fig.update_layout(
        **_LAYOUT,
        title={"text": t("reports.chart.abandons")},
        xaxis=_time_axis(False, t),
        yaxis={"title": {"text": t("reports.chart.wait")}, "rangemode": "tozero"},
    )
    return str(fig.to_json())


def as_script_data(figure_json: str) -> str:
    """The figure for a ``<script type="application/json">`` block: ``</`` cannot close it."""
    return json.dumps(json.loads(figure_json)).replace("</", "<\\/")


def agent_time(rows: Sequence[dict[str, Any]], t: Translate) -> str:
    """Each agent's logged-in time split by state, in hours, stacked horizontally."""
    agents = [r["agent"] for r in rows]
    fig = go.Figure()
    parts = {
        "talk_s": "#2f6fbf",
        "wrap_up_s": "#f0ad4e",
        "ready_s": "#5cb85c",
        "not_ready_s": "#9e9e9e",
    }
    for key, colour in parts.items():
        fig.add_bar(
            y=agents,
            x=[round((r[key] or 0.0) / 3600, 2) for r in rows],
            name=t(f"reports.ag.{key}"),
            orientation="h",
            marker_color=colour,
        )
    fig.update_layout(
        **{**_LAYOUT, "height": max(240, 60 + 28 * len(agents)), "hovermode": "y unified"},
        title={"text": t("reports.chart.agent_time")},
        barmode="stack",
        xaxis={"title": {"text": t("reports.chart.hours")}, "rangemode": "tozero"},
        yaxis={"autorange": "reversed"},
    )
    return str(fig.to_json())


def origin_ranking(report: dict[str, Any], t: Translate, top: int = 15) -> str:
    """The top places in each scope as ranked horizontal bars (a map would need map data the
    intranet does not have; a ranking reads as well for 11 cities and 30 provinces)."""
    fig = go.Figure()
    colours = {"home": "#2f6fbf", "province": "#f0ad4e", "abroad": "#8e44ad"}
    for scope, colour in colours.items():
        rows = report[scope][:top]
        fig.add_bar(
            y=[r["name"] for r in rows],
            x=[r["calls"] for r in rows],
            name=t(f"reports.origin.{scope}"),
            orientation="h",
            marker_color=colour,
        )
    count = sum(len(report[s][:top]) for s in colours)
    fig.update_layout(
        **{**_LAYOUT, "height": max(260, 80 + 22 * count), "hovermode": "closest"},
        title={"text": t("reports.chart.origin")},
        xaxis={"title": {"text": t("reports.chart.count")}, "rangemode": "tozero"},
        yaxis={"autorange": "reversed", "type": "category"},
    )
    return str(fig.to_json())


def _day_axis(t: Translate) -> dict[str, Any]:
    # Days as categories: a date axis over one or two days invents ticks between them.
    return {"title": {"text": t("reports.chart.day")}, "type": "category"}


def topic_trend(report: dict[str, Any], lang: str, t: Translate) -> str:
    """Summaries per day stacked by business area (a dozen areas read; 80 topics would not)."""
    name = "name_zh" if lang == "zh" else "name_en"
    area_of = {row["code"]: row["area"] for row in report["topics"]}
    days = [row["day"] for row in report["trend"]]
    fig = go.Figure()
    for area in report["areas"]:
        fig.add_bar(
            x=days,
            y=[
                sum(n for code, n in row["topics"].items() if area_of[code]["code"] == area["code"])
                for row in report["trend"]
            ],
            name=area[name],
        )
    fig.update_layout(
        **_LAYOUT,
        barmode="stack",
        title={"text": t("reports.chart.topic_trend")},
        xaxis=_day_axis(t),
        yaxis={"title": {"text": t("reports.chart.count")}, "rangemode": "tozero"},
    )
    return str(fig.to_json())


def survey_chart(report: dict[str, Any], t: Translate) -> str:
    """Responses per day stacked by score (1 red .. 5 green), the average on a 1-5 axis."""
    days = [row["day"] for row in report["by_day"]]
    colours = {"1": "#c0392b", "2": "#e67e22", "3": "#f1c40f", "4": "#7dbb5c", "5": "#2e8b57"}
    fig = go.Figure()
    for score, colour in colours.items():
        fig.add_bar(
            x=days,
            y=[row["distribution"][score] for row in report["by_day"]],
            name=score,
            marker_color=colour,
        )
    fig.add_scatter(
        x=days,
        y=[row["average"] for row in report["by_day"]],
        name=t("reports.chart.survey_average"),
        yaxis="y2",
        mode="lines+markers",
        line={"color": "#222"},
    )
    fig.update_layout(
        **_LAYOUT,
        barmode="stack",
        title={"text": t("reports.chart.survey_distribution")},
        xaxis=_day_axis(t),
        yaxis={"title": {"text": t("reports.chart.responses")}, "rangemode": "tozero"},
        yaxis2={
            "title": {"text": t("reports.chart.survey_average")},
            "overlaying": "y",
            "side": "right",
            "range": [1, 5],
            "dtick": 1,
            "showgrid": False,
        },
    )
    return str(fig.to_json())
