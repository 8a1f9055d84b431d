"""Readable tables (rich) and JSON for simulation and staffing results.

The tables' words are this package's English (:data:`ENGLISH`) unless the caller passes its own:
the simulator may not import hotline, so ``hotline config dry-run`` hands in the same keys worded
by its translation layer (``simreport.<key>``, zh-CN or en), as the charts' labels are.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from simulations.erlang import QueueFigures
from simulations.runner import SimulationResult
from simulations.stats import Estimate
from simulations.terminal import print_table

# (key, kind): kind "pct" shows a share as a percentage, "s" seconds, "n" a count; the column's
# title is the word ``column.<key>``.
_COLUMNS: tuple[tuple[str, str], ...] = (
    ("offered", "n"),
    ("answered", "n"),
    ("abandoned", "n"),
    ("callbacks", "n"),
    ("service_level", "pct"),
    ("service_level_answered", "pct"),
    ("asa_s", "s"),
    ("p_wait", "pct"),
    ("abandon_rate", "pct"),
    ("occupancy", "pct"),
    ("wait_p90_s", "s"),
)

# word key -> English; a caller's own words use the same keys and ``{name}`` params.
ENGLISH: dict[str, str] = {
    "heading": (
        "{name}: {replications} replications, seed {seed}; "
        "SL = answered within {threshold} s / offered; mean ± 95% CI half-width"
    ),
    "overall": "Overall",
    "all": "all",
    "by_skill": "By skill",
    "by_interval": "By interval",
    "column.offered": "offered",
    "column.answered": "answered",
    "column.abandoned": "abandoned",
    "column.callbacks": "callbacks",
    "column.service_level": "SL",
    "column.service_level_answered": "SL ans.",
    "column.asa_s": "ASA s",
    "column.p_wait": "P(wait)",
    "column.abandon_rate": "aband.",
    "column.occupancy": "occ.",
    "column.wait_p90_s": "wait p90 s",
}


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


def print_result(
    result: SimulationResult,
    console: Console,
    words: Mapping[str, str] = ENGLISH,
    name: str | None = None,
) -> None:
    """The overall, per-skill and per-interval tables; ``words`` has :data:`ENGLISH`'s keys,
    ``name`` is what the heading calls the run (default: the scenario's name)."""
    scenario = result.scenario
    shown = scenario.name if name is None else name
    console.print(
        escape(words["heading"]).format(
            name=f"[bold]{escape(shown)}[/bold]",
            replications=result.replications,
            seed=result.seed,
            threshold=f"{scenario.threshold_s:g}",
        )
    )
    print_table(console, _table(words["overall"], [(words["all"], result.overall)], words))
    print_table(console, _table(words["by_skill"], list(result.by_skill.items()), words))
    rows = [
        (scenario.interval_label(index), figures)
        for index, figures in enumerate(result.by_interval)
    ]
    print_table(console, _table(words["by_interval"], rows, words))


def _table(
    title: str, rows: Sequence[tuple[str, dict[str, Estimate]]], words: Mapping[str, str]
) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("")
    for key, _ in _COLUMNS:
        table.add_column(words[f"column.{key}"], justify="right")
    for label, figures in rows:
        cells = [
            format_estimate(figures[key], kind) if key in figures else "-" for key, kind in _COLUMNS
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
