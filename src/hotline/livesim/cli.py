"""``hotline simulate``: the offline simulator's command plus ``--live`` (this package), and
``hotline staff`` with the same ``--from-history``.

Without ``--live`` every option goes to :func:`simulations.cli.simulate_command` unchanged (a
scenario saying ``routing: live`` gets the routing of the configuration version in force, and
``--from-history --days N`` the traffic of the calls recorded in the last N days); with it, the
scenario's day runs through the emulator and the service (one replication).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from hotline.scenarios.history import MAX_DAYS
from simulations import cli as offline
from simulations import report, terminal
from simulations.plots import Targets

FromHistoryOpt = Annotated[
    bool,
    typer.Option(
        "--from-history",
        help="Replace the scenario's traffic by the calls recorded in the last --days whole "
        "days (arrivals per interval, line and language; handle times; patience).",
    ),
]
DaysOpt = Annotated[
    int, typer.Option("--days", min=1, max=MAX_DAYS, help="--from-history: days to read.")
]


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
    from_history: FromHistoryOpt = False,
    days: DaysOpt = 7,
) -> None:
    """Simulate a day of traffic with the production routing engine; KPIs with 95% intervals.

    With --live, drive the running stack instead (an end-to-end capacity test).
    """
    if not live:
        with live_routing(scenario_path, days if from_history else None) as resolved:
            offline.simulate_command(  # it checks every option before running
                resolved, replications, seed, workers, as_json, plot, target, max_abandon, lang
            )
        return
    if replications not in (None, 1):
        terminal.error_console().print("note: --replications is ignored with --live (one day)")
    if from_history:
        raise terminal.fail("--from-history is for the offline simulator; leave out --live")
    _simulate_live(scenario_path, seed, as_json, plot, target, max_abandon, speed, database, lang)


def staff_command(
    scenario_path: offline.ScenarioArg,
    target: offline.TargetOpt = "80/20",
    max_abandon: offline.MaxAbandonOpt = None,
    erlang_only: offline.ErlangOpt = False,
    replications: offline.ReplicationsOpt = None,
    workers: offline.WorkersOpt = 0,
    as_json: offline.JsonOpt = False,
    from_history: FromHistoryOpt = False,
    days: DaysOpt = 7,
) -> None:
    """Fewest agents per interval (per group) meeting the target, found by simulation.

    With --from-history, for the traffic recorded in the last --days days.
    """
    # The offline command checks every option itself; only the scenario is completed first,
    # exactly as `hotline simulate --from-history` completes it.
    with live_routing(scenario_path, days if from_history else None) as resolved:
        offline.staff_command(
            resolved, target, max_abandon, erlang_only, replications, workers, as_json
        )


@contextlib.contextmanager
def live_routing(scenario_path: Path, history_days: int | None = None) -> Iterator[Path]:
    """The scenario completed from the database (hotline.scenarios.resolve): ``routing: live``
    and, with ``history_days``, the traffic of the recorded calls. The simulator may not import
    hotline, so the result is a copy of the file with the same name (its messages still name
    the user's file)."""
    import tempfile

    import yaml

    try:
        data = yaml.safe_load(scenario_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        yield scenario_path  # the simulator reports the file's problem in its own words
        return
    if not isinstance(data, dict) or (data.get("routing") != "live" and history_days is None):
        yield scenario_path
        return
    resolved = _resolve(data, history_days)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / scenario_path.name
        copy.write_text(yaml.safe_dump(resolved, allow_unicode=True), encoding="utf-8")
        yield copy


def _resolve(data: dict[str, Any], history_days: int | None) -> Any:
    from zoneinfo import ZoneInfo

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from hotline.cli_database import fail, with_database
    from hotline.clock import utc_now
    from hotline.config import load_settings
    from hotline.scenarios.history import HistoryError
    from hotline.scenarios.resolve import Resolved, resolve

    async def work(sessionmaker: async_sessionmaker[AsyncSession]) -> Resolved:
        zone = ZoneInfo(load_settings().timezone)
        async with sessionmaker() as session:
            return await resolve(session, data, utc_now(), zone, history_days)

    try:
        resolved = with_database(work)
    except HistoryError as exc:
        raise fail(str(exc)) from None
    for note in resolved.notes:
        terminal.error_console().print(f"note: {note.english()}")
    return resolved.data


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
