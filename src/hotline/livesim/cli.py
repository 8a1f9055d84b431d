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

from simulations import cli as offline
from simulations import report, terminal
from simulations.plots import Targets


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
    max_abandon: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Abandonment ceiling on the charts.")
    ] = 0.05,
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
    lang: offline.LangOpt = "zh",
) -> None:
    """Simulate a day of traffic with the production routing engine; KPIs with 95% intervals.

    With --live, drive the running stack instead (an end-to-end capacity test).
    """
    if not live:
        offline.simulate_command(  # it checks every option before running
            scenario_path, replications, seed, workers, as_json, plot, target, max_abandon, lang
        )
        return
    if replications not in (None, 1):
        terminal.error_console().print("note: --replications is ignored with --live (one day)")
    _simulate_live(scenario_path, seed, as_json, plot, target, max_abandon, speed, database, lang)


def _simulate_live(
    scenario_path: Path,
    seed: int | None,
    as_json: bool,
    plot: Path | None,
    target: str,
    max_abandon: float,
    speed: float,
    database: str | None,
    lang: str,
) -> None:
    from hotline.livesim.feasibility import LiveScenarioError
    from hotline.livesim.options import LiveOptions
    from hotline.livesim.report import stack_table
    from hotline.livesim.runner import run_live
    from hotline.logs import configure_logging

    # Every input is checked before the (long) run, so a typo cannot lose a finished day.
    parsed = offline._target(target)
    chart_lang = offline._lang(lang)
    terminal.check_output_file(plot, "--plot")
    scenario = offline._load(scenario_path)
    options = LiveOptions(speed=speed, database_url=database, seed=seed)
    configure_logging("WARNING", json_output=False)
    _cheap_password_hashing()
    with terminal.progress("emulated s") as bar:
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
            raise terminal.fail("cannot run live", str(exc)) from None
    if as_json:
        typer.echo(json.dumps(run.to_dict(), indent=2))
    else:
        console = terminal.output_console()
        report.print_result(run.result, console)
        terminal.print_table(console, stack_table(run.stack))
    if plot is not None:
        targets = Targets(parsed.service_level, max_abandon)
        offline.write_plot(run.result, plot, targets, chart_lang)


def _cheap_password_hashing() -> None:
    # The live centre's database and passwords are throw-away: light argon2 parameters keep the
    # import of one user per seat (and their sign-ins) from dominating a short run.
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    from hotline.auth.passwords import set_hasher

    set_hasher(PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8192, parallelism=1),)))
