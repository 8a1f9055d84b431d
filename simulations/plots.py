"""``--plot`` files of a simulated day: an interactive page (plotly) and a PNG (matplotlib, Agg).

The chart definitions live in ``simulations.charts`` (reused by the report pages); this module only
writes the files. The PNG draws the same clipped series for reading without a browser; its labels
are English because matplotlib's default fonts have no Chinese glyphs.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot
import matplotlib.pyplot as plt

from simulations.charts import Lang, Targets, axis_top, clock_labels, html_page, panel_series
from simulations.runner import SimulationResult

__all__ = ["Targets", "write_charts"]

_TITLES = {
    "service_level": "Service level",
    "abandon_rate": "Abandonment",
    "occupancy": "Occupancy",
    "queue_length": "Mean queue length",
}


def write_charts(
    result: SimulationResult, path: str | Path, targets: Targets, lang: Lang = "zh"
) -> list[Path]:
    """Write ``path`` (PNG) and the same name with ``.html``; returns both paths."""
    png = Path(path)
    page = png.with_suffix(".html")
    _write_png(result, png, targets)
    page.write_text(html_page(result, targets, lang), encoding="utf-8")
    return [png, page]


def _write_png(result: SimulationResult, path: Path, targets: Targets) -> None:
    figure, axes = plt.subplots(2, 2, figsize=(12, 7), sharex=True)
    labels = clock_labels(result)
    xs = list(range(len(labels)))
    for axis, panel in zip(axes.flat, panel_series(result, targets), strict=True):
        nan = float("nan")
        ys = [nan if v is None else v for v in panel.mean]
        lows = [nan if v is None else v for v in panel.low]
        highs = [nan if v is None else v for v in panel.high]
        axis.plot(xs, ys, marker="o", color="tab:blue", label="simulated mean")
        axis.fill_between(xs, lows, highs, color="tab:blue", alpha=0.2, label="95% interval")
        if panel.target is not None:
            axis.axhline(panel.target, color="tab:red", linestyle="--", label="target")
        axis.set_ylim(0, axis_top(panel))
        axis.set_title(_TITLES[panel.key])
        axis.set_ylabel("%" if panel.percent else "callers")
        axis.grid(alpha=0.3)
    axes.flat[0].legend(loc="lower left", fontsize="small")
    step = max(1, len(xs) // 12)
    for axis in axes[1]:
        axis.set_xticks(xs[::step], labels[::step], rotation=45, fontsize="small")
        axis.set_xlabel("interval start")
    figure.suptitle(f"{result.scenario.name}: {result.replications} replications")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
