"""``hotline simulate``: the offline simulator's command plus ``--live`` (this package).

Without ``--live`` every option goes to :func:`simulations.cli.simulate_command` unchanged; with
it, the scenario's day runs through the emulator and the service (one replication).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from simulations import cli as offline
from simulations import report
from simulations.plots import Targets, write_charts
from simulations.scenario import ScenarioError, load_scenario
from simulations.staffing import Target


def simulate_command(
    scenario_path: offline.ScenarioArg,
    replications: offline.ReplicationsOpt = None,
    seed: offline.SeedOpt = None,
    workers: offline.WorkersOpt = 0,
    as_json: offline.JsonOpt = False,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write charts: FILE.png and FILE.html.")
    ] = None,
    target: Annotated[
        str, typer.Option(help="Target drawn on the charts, PERCENT/SECONDS.")
    ] = "80/20",
    max_abandon: Annotated[float, typer.Option(help="Abandonment ceiling on the charts.")] = 0.05,
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="Run the day through the ARI emulator and the service (real HTTP, WebSocket, "
            "database); KPIs from the service's call records. One replication.",
        ),
    ] = False,
    speed: Annotated[
        float, typer.Option(help="--live: emulated seconds per real second.", min=0.1)
    ] = 20.0,
    database: Annotated[
        str | None,
        typer.Option(help="--live: database URL (default: a throw-away SQLite file)."),
    ] = None,
) -> None:
    """Simulate a day of traffic with the production routing engine; KPIs with 95% intervals.

    With --live, drive the running stack instead (an end-to-end capacity test).
    """
    if not live:
        offline.simulate_command(
            scenario_path, replications, seed, workers, as_json, plot, target, max_abandon
        )
        return
    if replications not in (None, 1):
        Console(stderr=True).print("note: --replications is ignored with --live (one day)")
    _simulate_live(scenario_path, seed, as_json, plot, target, max_abandon, speed, database)


def _simulate_live(
    scenario_path: Path,
    seed: int | None,
    as_json: bool,
    plot: Path | None,
    target: str,
    max_abandon: float,
    speed: float,
    database: str | None,
) -> None:
    from hotline.livesim.feasibility import LiveScenarioError
    from hotline.livesim.options import LiveOptions
    from hotline.livesim.report import stack_table
    from hotline.livesim.runner import run_live
    from hotline.logs import configure_logging

    console = offline._console(as_json)
    try:
        scenario = load_scenario(scenario_path)
    except ScenarioError as exc:
        console.print(f"[red]invalid scenario[/red]\n{exc}", highlight=False)
        raise typer.Exit(2) from None
    options = LiveOptions(speed=speed, database_url=database, seed=seed)
    configure_logging("WARNING", json_output=False)
    _cheap_password_hashing()
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f} emulated s"),
        TimeElapsedColumn(),
        console=console,
        disable=as_json,
        transient=True,
    )
    with bar:
        task = bar.add_task(f"live {scenario.name} at x{speed:g}", total=1.0)
        try:
            run = asyncio.run(
                run_live(
                    scenario,
                    options,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
            )
        except LiveScenarioError as exc:
            console.print(f"[red]cannot run live[/red]\n{exc}", highlight=False)
            raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(run.to_dict(), indent=2))
    else:
        report.print_result(run.result, console)
        console.print(stack_table(run.stack))
    if plot is not None:
        parsed = Target.parse(target)
        paths = write_charts(run.result, plot, Targets(parsed.service_level, max_abandon))
        console.print("charts: " + ", ".join(str(p) for p in paths))


def _cheap_password_hashing() -> None:
    # The live centre's database and passwords are throw-away: light argon2 parameters keep the
    # import of one user per seat (and their sign-ins) from dominating a short run.
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    from hotline.auth.passwords import set_hasher

    set_hasher(PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8192, parallelism=1),)))
