"""The chart definitions: offline page, clock-time axes, percentages in 0-100, bands above 0."""

from __future__ import annotations

import re

import pytest

from simulations.charts import (
    CATALOG,
    Targets,
    day_figure,
    figure_div,
    html_page,
    lines_by_interval_figure,
    lines_figure,
    plotly_js_path,
)
from simulations.runner import SimulationResult, simulate
from simulations.stats import Estimate
from tests.simulations.builders import two_lines

PERCENT_KEYS = ("service_level", "abandon_rate", "occupancy")


def edge_result() -> SimulationResult:
    """A day whose bands run past 100% and below 0, as small samples give (105%, -3%)."""
    scenario = two_lines()  # starts 09:00, half hours

    def figures(
        level: float, abandon: float, occupancy: float, queue: float
    ) -> dict[str, Estimate]:
        return {
            "service_level": Estimate(level, 0.12),
            "abandon_rate": Estimate(abandon, 0.04),
            "occupancy": Estimate(occupancy, 0.05),
            "queue_length": Estimate(queue, 0.9),
        }

    by_interval = [figures(0.97, 0.01, 0.99, 0.2) for _ in range(scenario.interval_count)]
    by_interval[1] = figures(float("nan"), float("nan"), 0.5, 0.0)  # no calls in that interval
    by_skill = {t.label: figures(0.96, 0.02, 0.8, 0.1) for t in scenario.traffic}
    return SimulationResult(scenario, 1, 3, figures(0.9, 0.03, 0.9, 1), by_skill, by_interval)


def _numbers(values: object) -> list[float]:
    return [float(v) for v in values if v is not None]  # type: ignore[attr-defined]


def test_the_page_loads_nothing_from_a_network() -> None:
    page = html_page(edge_result(), Targets())
    # plotly.js is inline; no element fetches a script, style or font from anywhere.
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)
    assert "cdn.plot.ly/plotly" not in page
    assert "Plotly.newPlot" in page
    assert page.count("<script") >= 2
    assert '<html lang="zh">' in page


def test_the_x_axis_shows_clock_times() -> None:
    result = edge_result()
    figure = day_figure(result, Targets())
    expected = [result.scenario.interval_start(i) for i in range(result.scenario.interval_count)]
    assert expected[:2] == ["09:00", "09:30"]
    for trace in figure.data:
        assert list(trace.x) == expected
    assert figure.layout.xaxis.type == "category"


def test_percentages_never_exceed_100_and_bands_never_go_below_0() -> None:
    figure = day_figure(edge_result(), Targets())
    axes = {trace.yaxis for trace in figure.data}
    assert len(axes) == 4
    for trace in figure.data:
        values = _numbers(trace.y)
        assert values
        assert min(values) >= 0.0
        if trace.yaxis != "y4":  # the three percentage panels
            assert max(values) <= 100.0
    assert max(_numbers(figure.data[0].y)) == 100.0  # 97% + 12% is drawn at 100%
    for name in ("yaxis", "yaxis2", "yaxis3"):
        axis = figure.layout[name]
        assert axis.range[0] == 0
        assert axis.range[1] <= 100
        assert axis.ticksuffix == "%"


def test_each_line_and_language_has_its_own_trace_within_0_and_100() -> None:
    result = edge_result()
    figure = lines_figure(result, Targets())
    names = [trace.name for trace in figure.data]
    assert sorted(set(names)) == sorted(result.by_skill)
    for trace in figure.data:
        [value] = _numbers(trace.y)
        assert value + trace.error_y.array[0] <= 100.0
        assert value - trace.error_y.arrayminus[0] >= 0.0


def test_labels_are_chinese_by_default_and_english_on_request() -> None:
    chinese = day_figure(edge_result(), Targets())
    english = day_figure(edge_result(), Targets(), lang="en")
    titles = [a.text for a in chinese.layout.annotations]
    assert "服务水平" in titles
    assert "放弃率" in titles
    assert "Service level" in [a.text for a in english.layout.annotations]


def test_each_line_has_a_service_level_trace_per_interval_from_a_real_run() -> None:
    scenario = two_lines(replications=2)
    result = simulate(scenario)
    figure = lines_by_interval_figure(result, Targets())
    lines = [trace for trace in figure.data if trace.name in result.by_skill]
    assert sorted(trace.name for trace in lines) == sorted(result.by_skill)
    for trace in lines:
        assert len(trace.x) == scenario.interval_count
        assert all(0.0 <= value <= 100.0 for value in _numbers(trace.y))
    # The per-line figures add up to the interval's: offered calls split among the lines.
    for index, figures in enumerate(result.by_interval):
        offered = sum(per[index]["offered"].mean for per in result.by_skill_interval.values())
        assert offered == pytest.approx(figures["offered"].mean)


def test_pages_can_serve_plotly_js_from_the_wheel() -> None:
    path = plotly_js_path()
    assert path.name == "plotly.min.js"
    head = path.read_text(encoding="utf-8")[:400]
    assert "plotly.js" in head
    div = figure_div(lines_figure(edge_result(), Targets()))
    assert "Plotly.newPlot" in div
    assert len(div) < 100_000  # the fragment does not carry the library


def test_every_chart_string_has_both_languages_in_the_catalog() -> None:
    assert all(key.startswith("chart.") for key in CATALOG)
    assert all(zh and en for zh, en in CATALOG.values())
    # Every label a figure shows comes from the catalog, in the language asked for.
    figure = day_figure(edge_result(), Targets(), lang="en")
    english = {en for _, en in CATALOG.values()}
    assert {trace.name for trace in figure.data if trace.showlegend} <= english
