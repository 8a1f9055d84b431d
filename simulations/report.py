"""Readable tables (rich) and JSON for simulation and staffing results."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from simulations.erlang import QueueFigures
from simulations.runner import SimulationResult
from simulations.stats import Estimate
from simulations.terminal import print_table

# (key, column title, kind): kind "pct" shows a share as a percentage, "s" seconds, "n" a count.
_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("offered", "offered", "n"),
    ("answered", "answered", "n"),
    ("abandoned", "abandoned", "n"),
    ("callbacks", "callbacks", "n"),
    ("service_level", "SL", "pct"),
    ("service_level_answered", "SL ans.", "pct"),
    ("asa_s", "ASA s", "s"),
    ("p_wait", "P(wait)", "pct"),
    ("abandon_rate", "aband.", "pct"),
    ("occupancy", "occ.", "pct"),
    ("wait_p90_s", "wait p90 s", "s"),
)


def to_json(result: SimulationResult) -> str:
    return json.dumps(result.to_dict(), indent=2, sort_keys=False)


def format_estimate(value: Estimate, kind: str) -> str:
    if math.isnan(value.mean):
        return "-"
    if kind == "pct":
        return f"{100 * value.mean:.1f}±{100 * value.ci95:.1f}%"
    if kind == "s":
        return f"{value.mean:.1f}±{value.ci95:.1f}"
    return f"{value.mean:.0f}±{value.ci95:.0f}"


def print_result(result: SimulationResult, console: Console) -> None:
    scenario = result.scenario
    console.print(
        f"[bold]{scenario.name}[/bold]: {result.replications} replications, seed {result.seed}; "
        f"SL = answered within {scenario.threshold_s:g} s / offered; mean ± 95% CI half-width"
    )
    print_table(console, _table("Overall", [("all", result.overall)]))
    print_table(console, _table("By skill", list(result.by_skill.items())))
    rows = [
        (scenario.interval_label(index), figures)
        for index, figures in enumerate(result.by_interval)
    ]
    print_table(console, _table("By interval", rows))


def _table(title: str, rows: Sequence[tuple[str, dict[str, Estimate]]]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("")
    for _, header, _ in _COLUMNS:
        table.add_column(header, justify="right")
    for label, figures in rows:
        cells = [
            format_estimate(figures[key], kind) if key in figures else "-"
            for key, _, kind in _COLUMNS
        ]
        table.add_row(label, *cells)
    return table


def erlang_table(rows: Sequence[tuple[str, QueueFigures]], threshold_s: float) -> Table:
    """The Erlang quick estimate: one row per (interval, traffic line)."""
    table = Table(title=f"Erlang estimate (SL: answered within {threshold_s:g} s)")
    for header in ("", "agents", "load Erl", "SL", "ASA s", "P(wait)", "aband.", "occ."):
        table.add_column(header, justify="right")
    for label, figures in rows:
        table.add_row(
            label,
            str(figures.agents),
            f"{figures.offered_load:.1f}",
            f"{100 * figures.service_level:.1f}%",
            f"{figures.asa_s:.1f}",
            f"{100 * figures.p_wait:.1f}%",
            f"{100 * figures.abandon_rate:.1f}%",
            f"{100 * figures.occupancy:.1f}%",
        )
    return table
