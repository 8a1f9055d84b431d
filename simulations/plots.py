"""Charts of a simulated day: PNG (matplotlib, Agg) and a self-contained interactive HTML page.

Four panels, one point per interval with its 95% interval as a band: service level against the
target, abandonment against its ceiling, occupancy, and the mean queue length. The HTML page draws
the same series on <canvas> with a small inline script (no CDN, works offline) and shows the exact
figures under the pointer.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on servers; must precede pyplot
import matplotlib.pyplot as plt

from simulations.runner import SimulationResult


@dataclass(frozen=True, slots=True)
class Targets:
    service_level: float = 0.8
    max_abandon: float = 0.05


@dataclass(frozen=True, slots=True)
class _Panel:
    key: str
    title: str
    percent: bool
    target: float | None


def _panels(targets: Targets) -> tuple[_Panel, ...]:
    return (
        _Panel("service_level", "Service level", True, targets.service_level),
        _Panel("abandon_rate", "Abandonment", True, targets.max_abandon),
        _Panel("occupancy", "Occupancy", True, None),
        _Panel("queue_length", "Mean queue length", False, None),
    )


def write_charts(result: SimulationResult, path: str | Path, targets: Targets) -> list[Path]:
    """Write ``path`` (PNG) and the same name with ``.html``; returns both paths."""
    png = Path(path)
    page = png.with_suffix(".html")
    _write_png(result, png, targets)
    page.write_text(html_page(result, targets), encoding="utf-8")
    return [png, page]


def _series(result: SimulationResult, key: str) -> tuple[list[float], list[float]]:
    means = [figures[key].mean for figures in result.by_interval]
    widths = [figures[key].ci95 for figures in result.by_interval]
    return means, widths


def _labels(result: SimulationResult) -> list[str]:
    return [result.scenario.interval_start(i) for i in range(len(result.by_interval))]


def _write_png(result: SimulationResult, path: Path, targets: Targets) -> None:
    panels = _panels(targets)
    figure, axes = plt.subplots(2, 2, figsize=(12, 7), sharex=True)
    xs = list(range(len(result.by_interval)))
    for axis, panel in zip(axes.flat, panels, strict=True):
        means, widths = _series(result, panel.key)
        scale = 100.0 if panel.percent else 1.0
        ys = [m * scale for m in means]
        lows = [(m - w) * scale for m, w in zip(means, widths, strict=True)]
        highs = [(m + w) * scale for m, w in zip(means, widths, strict=True)]
        axis.plot(xs, ys, marker="o", color="tab:blue", label="simulated mean")
        axis.fill_between(xs, lows, highs, color="tab:blue", alpha=0.2, label="95% interval")
        if panel.target is not None:
            axis.axhline(panel.target * scale, color="tab:red", linestyle="--", label="target")
        axis.set_title(panel.title)
        axis.set_ylabel("%" if panel.percent else "callers")
        axis.grid(alpha=0.3)
    axes.flat[0].legend(loc="lower left", fontsize="small")
    labels = _labels(result)
    for axis in axes[1]:
        axis.set_xticks(xs, labels, rotation=45, fontsize="small")
        axis.set_xlabel("interval start (after the warm-up)")
    figure.suptitle(f"{result.scenario.name}: {result.replications} replications")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def html_page(result: SimulationResult, targets: Targets) -> str:
    data = {
        "labels": _labels(result),
        "panels": [
            {
                "title": panel.title,
                "percent": panel.percent,
                "target": panel.target,
                "mean": [_finite(v) for v in _series(result, panel.key)[0]],
                "ci95": [_finite(v) for v in _series(result, panel.key)[1]],
            }
            for panel in _panels(targets)
        ],
    }
    title = html.escape(f"{result.scenario.name}: {result.replications} replications")
    return _PAGE.replace("__TITLE__", title).replace("__DATA__", json.dumps(data))


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else value


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>__TITLE__</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 1em; }
figure { margin: 0; border: 1px solid #ddd; border-radius: 6px; padding: .5em; }
canvas { width: 100%; height: 260px; }
#tip { position: fixed; pointer-events: none; background: #fff; border: 1px solid #888;
       padding: .3em .5em; font-size: 13px; display: none; }
</style></head>
<body><h1>__TITLE__</h1>
<p>Mean per interval with its 95% confidence band; dashed line: target. Hover for figures.</p>
<div class="grid" id="charts"></div><div id="tip"></div>
<script>
const DATA = __DATA__;
const tip = document.getElementById("tip");
function fmt(v, pct) {
  return v === null ? "-" : pct ? (100 * v).toFixed(1) + "%" : v.toFixed(2);
}
function draw(panel, canvas) {
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, h = canvas.clientHeight;
  canvas.width = w * ratio; canvas.height = h * ratio;
  const g = canvas.getContext("2d"); g.scale(ratio, ratio);
  const pad = {l: 48, r: 12, t: 12, b: 36};
  const n = DATA.labels.length;
  const hi = panel.mean.map((m, i) => m === null ? 0 : m + (panel.ci95[i] || 0));
  let top = Math.max(...hi, panel.target || 0) * 1.1 || 1;
  if (panel.percent) top = Math.min(Math.max(top, 0.1), 1.05);
  const x = i => pad.l + (n === 1 ? 0.5 : i / (n - 1)) * (w - pad.l - pad.r);
  const y = v => h - pad.b - (v / top) * (h - pad.t - pad.b);
  g.strokeStyle = "#eee"; g.fillStyle = "#555"; g.font = "11px sans-serif";
  for (let k = 0; k <= 4; k++) {
    const v = top * k / 4; g.beginPath(); g.moveTo(pad.l, y(v)); g.lineTo(w - pad.r, y(v));
    g.stroke(); g.fillText(fmt(v, panel.percent), 2, y(v) + 4);
  }
  DATA.labels.forEach((label, i) => {
    if (i % Math.ceil(n / 12) === 0) g.fillText(label, x(i) - 12, h - 12);
  });
  g.fillStyle = "rgba(31,119,180,0.2)"; g.beginPath();
  const at = (i, v) => (i ? g.lineTo(x(i), y(v)) : g.moveTo(x(i), y(v)));
  panel.mean.forEach((m, i) => at(i, (m || 0) + (panel.ci95[i] || 0)));
  for (let i = n - 1; i >= 0; i--) {
    g.lineTo(x(i), y(Math.max(0, (panel.mean[i] || 0) - (panel.ci95[i] || 0))));
  }
  g.closePath(); g.fill();
  g.strokeStyle = "#1f77b4"; g.lineWidth = 2; g.beginPath();
  panel.mean.forEach((m, i) => at(i, m || 0));
  g.stroke();
  if (panel.target !== null) {
    g.strokeStyle = "#d62728"; g.setLineDash([6, 4]); g.beginPath();
    g.moveTo(pad.l, y(panel.target)); g.lineTo(w - pad.r, y(panel.target));
    g.stroke(); g.setLineDash([]);
  }
  canvas.onmousemove = ev => {
    const r = canvas.getBoundingClientRect();
    const share = (ev.clientX - r.left - pad.l) / (w - pad.l - pad.r);
    const i = Math.max(0, Math.min(n - 1, Math.round(share * (n - 1))));
    tip.style.display = "block";
    tip.style.left = (ev.clientX + 12) + "px";
    tip.style.top = (ev.clientY + 12) + "px";
    tip.textContent = DATA.labels[i] + ": " + fmt(panel.mean[i], panel.percent)
      + " ± " + fmt(panel.ci95[i], panel.percent);
  };
  canvas.onmouseleave = () => { tip.style.display = "none"; };
}
for (const panel of DATA.panels) {
  const fig = document.createElement("figure");
  const cap = document.createElement("figcaption"); cap.textContent = panel.title;
  const canvas = document.createElement("canvas");
  fig.append(cap, canvas); document.getElementById("charts").append(fig);
  draw(panel, canvas);
  window.addEventListener("resize", () => draw(panel, canvas));
}
</script></body></html>
"""
