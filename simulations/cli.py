"""``hotline simulate`` and ``hotline staff``: thin typer commands over the simulations package.

The lead mounts ``app``'s commands into the ``hotline`` CLI. All logic lives in the other modules;
this one parses options, shows progress and prints.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from simulations import report, terminal
from simulations.charts import LANGUAGES, Lang
from simulations.plots import Targets, write_charts
from simulations.runner import SimulationResult, simulate
from simulations.scenario import Scenario, ScenarioError, load_scenario
from simulations.staffing import (
    SeatReason,
    StaffingPlan,
    Target,
    erlang_estimate,
    search_staffing,
)

app = typer.Typer(
    help="Traffic simulation and staffing for the 12366 hotline.",
    no_args_is_help=True,
    rich_markup_mode=None,  # usage errors on one line, never boxed and wrapped by rich
)

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file (see docs/simulator.md).")]
ReplicationsOpt = Annotated[
    int | None,
    typer.Option("--replications", "-n", min=1, help="Replications (default: scenario's)."),
]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Seed (default: the scenario's).")]
WorkersOpt = Annotated[
    int, typer.Option("--workers", "-w", min=0, help="Parallel processes (0: CPU count).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
LangOpt = Annotated[str, typer.Option("--lang", help="Chart labels: zh (default) or en.")]
# staff's own options, named once: hotline's `staff` (which adds --from-history) takes them too.
TargetOpt = Annotated[str, typer.Option("--target", help="PERCENT/SECONDS, e.g. 80/20 or 75/120.")]
MaxAbandonOpt = Annotated[
    float | None,
    typer.Option("--max-abandon", min=0.0, max=1.0, help="Abandonment ceiling, e.g. 0.05."),
]
ErlangOpt = Annotated[
    bool, typer.Option("--erlang", help="Only the Erlang quick estimate (no simulation).")
]


def _load(path: Path) -> Scenario:
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        raise terminal.fail("invalid scenario", str(exc)) from None


def _target(text: str, max_abandon: float | None = None) -> Target:
    try:
        return Target.parse(text, max_abandon)
    except ValueError as exc:
        raise terminal.fail(f"--target: {exc}") from None


def _lang(text: str) -> Lang:
    for lang in LANGUAGES:
        if text == lang:
            return lang
    raise terminal.fail(f"--lang {text!r}: expected one of {', '.join(LANGUAGES)}")


def _default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def write_plot(result: SimulationResult, plot: Path, targets: Targets, lang: Lang = "zh") -> None:
    """Write the charts after the results are printed, so a failure here loses nothing."""
    try:
        paths = write_charts(result, plot, targets, lang)
    except OSError as exc:
        raise terminal.fail(
            f"--plot {plot}: the charts could not be written ({exc}); the results above stand",
            code=terminal.EXIT_FAILED,
        ) from None
    terminal.error_console().print("charts: " + ", ".join(str(p) for p in paths))


@app.command("simulate")
def simulate_command(
    scenario_path: ScenarioArg,
    replications: ReplicationsOpt = None,
    seed: SeedOpt = None,
    workers: WorkersOpt = 0,
    as_json: JsonOpt = False,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write charts: FILE.png and FILE.html.")
    ] = None,
    target: Annotated[
        str, typer.Option(help="Target drawn on the charts, PERCENT/SECONDS.")
    ] = "80/20",
    max_abandon: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Abandonment ceiling on the charts.")
    ] = 0.05,
    lang: LangOpt = "zh",
) -> None:
    """Simulate a day of traffic with the production routing engine; KPIs with 95% intervals."""
    # Everything that can be wrong with the input is checked before the (long) run.
    parsed = _target(target)
    chart_lang = _lang(lang)
    terminal.check_output_file(plot, "--plot")
    scenario = _load(scenario_path)
    count = replications if replications is not None else scenario.replications
    with terminal.progress() as bar:
        task = bar.add_task(f"simulating {scenario.name}", total=count)
        result = simulate(
            scenario,
            replications=count,
            seed=seed,
            workers=workers or _default_workers(),
            progress=lambda done: bar.update(task, completed=done),
        )
    if as_json:
        typer.echo(report.to_json(result))
    else:
        report.print_result(result, terminal.output_console())
    if plot is not None:
        write_plot(result, plot, Targets(parsed.service_level, max_abandon), chart_lang)


@app.command("staff")
def staff_command(
    scenario_path: ScenarioArg,
    target: TargetOpt = "80/20",
    max_abandon: MaxAbandonOpt = None,
    erlang_only: ErlangOpt = False,
    replications: ReplicationsOpt = None,
    workers: WorkersOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Fewest agents per interval (per group) meeting the target, found by simulation."""
    parsed = _target(target, max_abandon)
    scenario = _load(scenario_path)
    console = terminal.output_console()
    estimate = erlang_estimate(scenario, parsed)
    if erlang_only:
        if as_json:
            rows = [
                {
                    "interval": i,
                    "clock": scenario.interval_label(i),
                    "agents": n,
                    **_erlang_dict(f),
                }
                for i, (n, f) in enumerate(estimate)
            ]
            typer.echo(json.dumps({"scenario": scenario.name, "erlang": rows}, indent=2))
        else:
            labelled = [(scenario.interval_label(i), f) for i, (_, f) in enumerate(estimate)]
            terminal.print_table(console, report.erlang_table(labelled, parsed.threshold_s))
        return
    with terminal.progress() as bar:
        task = bar.add_task("searching", total=None)
        plan = search_staffing(
            scenario,
            parsed,
            replications=replications,
            workers=workers or _default_workers(),
            progress=lambda it, totals: bar.update(
                task, description=f"iteration {it}: {sum(totals)} agent-intervals"
            ),
        )
    if as_json:
        typer.echo(json.dumps(_plan_dict(plan), indent=2))
    else:
        terminal.print_table(console, _plan_table(plan))
        terminal.print_table(console, _lines_table(plan))
        terminal.print_table(console, _reasons_table(plan))


def _erlang_dict(figures: Any) -> dict[str, float]:
    return {
        "load_erl": figures.offered_load,
        "service_level": figures.service_level,
        "asa_s": figures.asa_s,
        "p_wait": figures.p_wait,
        "abandon_rate": figures.abandon_rate,
        "occupancy": figures.occupancy,
    }


def _plan_dict(plan: StaffingPlan) -> dict[str, Any]:
    return {
        "target": {
            "service_level": plan.target.service_level,
            "threshold_s": plan.target.threshold_s,
            "max_abandon": plan.target.max_abandon,
        },
        "iterations": plan.iterations,
        "intervals": [
            {
                "interval": row.interval,
                "clock": plan.result.scenario.interval_label(row.interval),
                "agents": row.agents,
                "total": row.total,
                "erlang_agents": row.erlang_agents,
                "service_level": row.service_level.to_dict(),
                "abandon_rate": row.abandon_rate.to_dict(),
                "occupancy": row.occupancy.to_dict(),
                "met": row.met,
            }
            for row in plan.intervals
        ],
        "cost": plan.cost,
        "groups": {
            name: {
                "serves": reason.serves,
                "sole_server": reason.sole_server,
                "secures_lines": reason.secures_lines,
                "secures_intervals": [
                    plan.result.scenario.interval_label(i) for i in reason.secures_intervals
                ],
                "cost": reason.cost,
            }
            for name, reason in plan.reasons.items()
        },
        "by_skill": {
            label: {
                "service_level": figures["service_level"].to_dict(),
                "abandon_rate": figures["abandon_rate"].to_dict(),
                "met": _line_met(plan, figures),
            }
            for label, figures in plan.result.by_skill.items()
        },
    }


def _line_met(plan: StaffingPlan, figures: Any) -> bool:
    return plan.target.met(figures["service_level"].mean, figures["abandon_rate"].mean)


def _lines_table(plan: StaffingPlan) -> Table:
    """Each line over the day: the search also makes each one meet the target (if it can)."""
    table = Table(title="Each line over the day", title_justify="left")
    for header in ["line", "SL", "aband.", "met"]:
        table.add_column(header, justify="right")
    for label, figures in plan.result.by_skill.items():
        table.add_row(
            label,
            report.format_estimate(figures["service_level"], "pct"),
            report.format_estimate(figures["abandon_rate"], "pct"),
            "yes" if _line_met(plan, figures) else "[red]no[/red]",
        )
    return table


def _reasons_table(plan: StaffingPlan) -> Table:
    """Why each group has seats: the targets one seat fewer in each of its intervals would miss."""
    table = Table(title=f"Why each group's seats (plan cost {plan.cost:g})", title_justify="left")
    for header in ["group", "seat-intervals", "cost", "secures"]:
        table.add_column(header, justify="left" if header == "secures" else "right")
    scenario = plan.result.scenario
    for name, reason in plan.reasons.items():
        seats = sum(row.agents[name] for row in plan.intervals)
        table.add_row(name, str(seats), f"{reason.cost:g}", _why(reason, scenario, seats))
    return table


def _why(reason: SeatReason, scenario: Scenario, seats: int) -> str:
    if seats == 0:
        return "not needed: other groups serve " + ", ".join(reason.serves)
    parts = []
    if reason.sole_server:
        parts.append("only server of " + ", ".join(reason.sole_server))
    if reason.secures_lines:
        parts.append("day target of " + ", ".join(reason.secures_lines))
    if reason.secures_intervals:
        clocks = [scenario.interval_label(i) for i in reason.secures_intervals]
        shown = ", ".join(clocks[:3]) + (f" and {len(clocks) - 3} more" if len(clocks) > 3 else "")
        parts.append("interval target " + shown)
    return "; ".join(parts) or "margin: one fewer still meets every target"


def _plan_table(plan: StaffingPlan) -> Table:
    groups = list(plan.intervals[0].agents) if plan.intervals else []
    table = Table(
        title=(
            f"Staffing for {100 * plan.target.service_level:g}% within "
            f"{plan.target.threshold_s:g} s"
            + (
                f", abandonment <= {100 * plan.target.max_abandon:g}%"
                if plan.target.max_abandon is not None
                else ""
            )
            + f" ({plan.result.replications} replications, {plan.iterations} runs)"
        ),
        title_justify="left",
    )
    for header in ["interval", *groups, "total", "Erlang", "SL", "aband.", "occ.", "met"]:
        table.add_column(header, justify="right")
    for row in plan.intervals:
        table.add_row(
            plan.result.scenario.interval_label(row.interval),
            *(str(row.agents[g]) for g in groups),
            str(row.total),
            str(row.erlang_agents),
            report.format_estimate(row.service_level, "pct"),
            report.format_estimate(row.abandon_rate, "pct"),
            report.format_estimate(row.occupancy, "pct"),
            "yes" if row.met else "[red]no[/red]",
        )
    return table


if __name__ == "__main__":  # ./dev python -m simulations.cli simulate SCENARIO.yaml
    app()
