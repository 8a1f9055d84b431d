"""Chart definitions for a simulated day, drawn with plotly; reusable by the report pages.

Why plotly: it is a maintained Python package whose wheel carries plotly.js, so a page embeds the
library (``include_plotlyjs=True``) and works on a government intranet with no CDN, and the report
pages can later serve the same file from the wheel; it has hover figures, zoom and PNG export in the
page without any code of ours. The figures are built here from plain data so the reports can feed
them from the database as well.

What the charts guarantee, whatever the simulation returns: the x axis shows the interval start
as a clock time (09:00), percentages are drawn in 0-100 (a mean plus its 95% half-width can pass
100 and a band can reach below 0 with few calls: both are clipped to what the quantity can be),
counts never below 0, and each business line x language has its own trace.

Labels are Chinese by default (the 12366 centre's staff read these) and English with ``lang="en"``;
one table of strings below is the translation layer for this module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Literal

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simulations.runner import SimulationResult

Lang = Literal["zh", "en"]
LANGUAGES: tuple[Lang, ...] = ("zh", "en")

# message id -> (Chinese, English): the same shape as the pages' catalog (hotline.web.i18n), so
# the report pages can merge these ids into their one translation layer.
CATALOG: dict[str, tuple[str, str]] = {
    "chart.service_level": ("服务水平", "Service level"),
    "chart.abandon_rate": ("放弃率", "Abandonment"),
    "chart.occupancy": ("坐席占用率", "Occupancy"),
    "chart.queue_length": ("平均排队人数", "Mean queue length"),
    "chart.by_line": ("各业务线全天服务水平与放弃率", "Each line over the day"),
    "chart.lines_by_interval": ("各业务线分时段服务水平", "Each line's service level per interval"),
    "chart.mean": ("模拟均值", "simulated mean"),
    "chart.band": ("95% 置信区间", "95% interval"),
    "chart.target": ("目标", "target"),
    "chart.interval": ("时段开始", "interval start"),
    "chart.percent": ("%", "%"),
    "chart.callers": ("人", "callers"),
    "chart.title": ("{name}：{n} 次重复模拟", "{name}: {n} replications"),
    "chart.line_sl": ("服务水平", "service level"),
    "chart.line_abandon": ("放弃率", "abandonment"),
}
_TEXT: dict[Lang, dict[str, str]] = {
    lang: {key.removeprefix("chart."): pair[number] for key, pair in CATALOG.items()}
    for number, lang in enumerate(LANGUAGES)
}


@dataclass(frozen=True, slots=True)
class Targets:
    service_level: float = 0.8
    max_abandon: float = 0.05


@dataclass(frozen=True, slots=True)
class Series:
    """One panel's points, ready to draw: clipped to what the quantity can be."""

    key: str
    percent: bool
    target: float | None  # in the drawn unit (percent for percentages)
    mean: list[float | None]
    low: list[float | None]
    high: list[float | None]


def clock_labels(result: SimulationResult) -> list[str]:
    """Interval starts as clock times, e.g. ``09:00``, ``09:30``."""
    return [result.scenario.interval_start(i) for i in range(len(result.by_interval))]


def panel_series(result: SimulationResult, targets: Targets) -> list[Series]:
    """The four per-interval panels: service level, abandonment, occupancy, queue length."""
    panels = (
        ("service_level", True, targets.service_level),
        ("abandon_rate", True, targets.max_abandon),
        ("occupancy", True, None),
        ("queue_length", False, None),
    )
    series = []
    for key, percent, target in panels:
        scale, top = (100.0, 100.0) if percent else (1.0, math.inf)
        mean: list[float | None] = []
        low: list[float | None] = []
        high: list[float | None] = []
        for figures in result.by_interval:
            m, w = figures[key].mean, figures[key].ci95
            if math.isnan(m):  # no calls in the interval: a gap, not a zero
                mean.append(None)
                low.append(None)
                high.append(None)
                continue
            w = 0.0 if math.isnan(w) else w
            mean.append(_clip(m * scale, top))
            low.append(_clip((m - w) * scale, top))
            high.append(_clip((m + w) * scale, top))
        series.append(
            Series(key, percent, None if target is None else target * scale, mean, low, high)
        )
    return series


def day_figure(result: SimulationResult, targets: Targets, lang: Lang = "zh") -> go.Figure:
    """The day per interval (2 x 2 panels) with 95% bands and target lines."""
    text = _TEXT[lang]
    x = clock_labels(result)
    panels = panel_series(result, targets)
    figure = make_subplots(
        rows=2,
        cols=2,
        subplot_titles=[text[p.key] for p in panels],
        shared_xaxes=True,
        vertical_spacing=0.12,
    )
    for number, panel in enumerate(panels):
        row, col = divmod(number, 2)
        _add_band(figure, x, panel, text, row + 1, col + 1, first=number == 0)
        figure.update_yaxes(
            range=[0, axis_top(panel)],
            ticksuffix="%" if panel.percent else "",
            title_text=text["percent"] if panel.percent else text["callers"],
            row=row + 1,
            col=col + 1,
        )
    figure.update_xaxes(type="category", tickangle=-45)
    figure.update_xaxes(title_text=text["interval"], row=2)
    figure.update_layout(
        title=text["title"].format(name=result.scenario.name, n=result.replications),
        height=700,
        legend={"orientation": "h", "y": -0.18},
        hovermode="x unified",
        margin={"t": 80},
    )
    return figure


def lines_figure(result: SimulationResult, targets: Targets, lang: Lang = "zh") -> go.Figure:
    """Each business line x language over the day: service level and abandonment, one trace each."""
    text = _TEXT[lang]
    figure = make_subplots(rows=1, cols=2, subplot_titles=[text["line_sl"], text["line_abandon"]])
    for col, (key, target) in enumerate(
        (("service_level", targets.service_level), ("abandon_rate", targets.max_abandon)), start=1
    ):
        highest = 100 * target
        for number, (label, figures) in enumerate(result.by_skill.items()):
            m, w = figures[key].mean, figures[key].ci95
            value = None if math.isnan(m) else _clip(100 * m, 100.0)
            w = 0.0 if math.isnan(w) else w
            up = 0.0 if value is None else _clip(100 * (m + w), 100.0) - value
            down = 0.0 if value is None else value - _clip(100 * (m - w), 100.0)
            highest = max(highest, (value or 0.0) + up)
            figure.add_bar(
                name=label, x=[label], y=[value], legendgroup=label, showlegend=False,
                marker_color=_COLOURS[number % len(_COLOURS)],
                error_y={"type": "data", "array": [up], "arrayminus": [down]},
                hovertemplate="%{y:.1f}%<extra>" + label + "</extra>", row=1, col=col,
            )  # fmt: skip
        figure.add_hline(
            y=100 * target, line_dash="dash", line_color="#d62728", row=1, col=col,
            annotation_text=text["target"], annotation_position="top left",
        )  # fmt: skip
        figure.update_yaxes(range=[0, min(100.0, highest * 1.15)], ticksuffix="%", row=1, col=col)
    figure.update_layout(title=text["by_line"], height=420, bargap=0.3)
    return figure


_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf")


def lines_by_interval_figure(
    result: SimulationResult, targets: Targets, lang: Lang = "zh"
) -> go.Figure:
    """Each business line x language's service level per interval: one trace per line.

    No bands here (five overlapping bands hide the lines); the hover gives each mean and half-width.
    An interval without calls of a line leaves a gap rather than a zero.
    """
    text = _TEXT[lang]
    x = clock_labels(result)
    figure = go.Figure()
    for number, (label, per_interval) in enumerate(result.by_skill_interval.items()):
        means: list[float | None] = []
        widths: list[float | None] = []
        for figures in per_interval:
            m, w = figures["service_level"].mean, figures["service_level"].ci95
            means.append(None if math.isnan(m) else _clip(100 * m, 100.0))
            widths.append(None if math.isnan(w) else 100 * w)
        figure.add_scatter(
            x=x, y=means, customdata=widths, name=label, mode="lines+markers",
            line={"color": _COLOURS[number % len(_COLOURS)]},
            hovertemplate="%{y:.1f}% ± %{customdata:.1f}<extra>" + label + "</extra>",
        )  # fmt: skip
    figure.add_scatter(
        x=x, y=[100 * targets.service_level] * len(x), mode="lines", name=text["target"],
        line={"color": "#d62728", "dash": "dash"}, hoverinfo="skip",
    )  # fmt: skip
    figure.update_xaxes(type="category", tickangle=-45, title_text=text["interval"])
    figure.update_yaxes(range=[0, 100], ticksuffix="%")
    figure.update_layout(title=text["lines_by_interval"], height=420, hovermode="x unified")
    return figure


def plotly_js_path() -> Path:
    """plotly.js as shipped in the plotly wheel: what a web page serves instead of a CDN copy."""
    return Path(str(files("plotly") / "package_data" / "plotly.min.js"))


def figure_div(figure: go.Figure) -> str:
    """One figure as an HTML fragment for a page that loads plotly.js itself (plotly_js_path)."""
    return str(figure.to_html(full_html=False, include_plotlyjs=False, config=_CONFIG))


_CONFIG = {"displaylogo": False}


def html_page(result: SimulationResult, targets: Targets, lang: Lang = "zh") -> str:
    """A self-contained page: plotly.js embedded from the wheel, nothing fetched from a network."""
    day = day_figure(result, targets, lang).to_html(
        full_html=False, include_plotlyjs=True, config=_CONFIG
    )
    lines = "\n".join(
        figure_div(figure)
        for figure in (
            lines_by_interval_figure(result, targets, lang),
            lines_figure(result, targets, lang),
        )
    )
    title = _TEXT[lang]["title"].format(name=result.scenario.name, n=result.replications)
    return (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{_escape(title)}</title></head>\n<body>\n{day}\n{lines}\n</body></html>\n"
    )


def _add_band(
    figure: go.Figure,
    x: list[str],
    panel: Series,
    text: dict[str, str],
    row: int,
    col: int,
    first: bool,
) -> None:
    unit = "%" if panel.percent else ""
    figure.add_scatter(
        x=x, y=panel.high, mode="lines", line={"width": 0}, hoverinfo="skip",
        showlegend=False, row=row, col=col,
    )  # fmt: skip
    figure.add_scatter(
        x=x, y=panel.low, mode="lines", line={"width": 0}, fill="tonexty",
        fillcolor="rgba(31,119,180,0.2)", name=text["band"], legendgroup="band",
        showlegend=first, hoverinfo="skip", row=row, col=col,
    )  # fmt: skip
    figure.add_scatter(
        x=x, y=panel.mean, mode="lines+markers", line={"color": "#1f77b4"}, name=text["mean"],
        legendgroup="mean", showlegend=first, row=row, col=col,
        hovertemplate="%{y:.1f}" + unit + "<extra>" + text[panel.key] + "</extra>",
    )  # fmt: skip
    if panel.target is not None:
        figure.add_scatter(
            x=x, y=[panel.target] * len(x), mode="lines",
            line={"color": "#d62728", "dash": "dash"}, name=text["target"], legendgroup="target",
            showlegend=first, hoverinfo="skip", row=row, col=col,
        )  # fmt: skip


def _clip(value: float, top: float) -> float:
    return min(max(value, 0.0), top)


def axis_top(panel: Series) -> float:
    """The y axis top: a little above the highest band or target, never above 100%."""
    finite = [v for v in panel.high if v is not None]
    if panel.target is not None:
        finite.append(panel.target)
    top = max(1.0, max(finite, default=1.0) * 1.15)
    return min(100.0, top) if panel.percent else top


def _escape(value: str) -> str:
    import html

    return html.escape(value)
