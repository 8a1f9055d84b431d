"""The ``hotline`` command line."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from hotline.cli_config import config_app
from hotline.cli_kb import kb_app
from hotline.cli_live import demo_command, emulator_command
from hotline.cli_reports import reports_app
from hotline.cli_sounds import sounds_app
from hotline.cli_workorders import calendar_app
from hotline.config import Profile, Settings, SettingsError, load_settings

app = typer.Typer(
    name="hotline",
    help="hotline: contact-centre backend for the 12366 tax hotline.",
    no_args_is_help=True,
    add_completion=False,
    # Plain click output for usage errors: rich draws them in a box wrapped at the terminal
    # width, which cuts a message (or a path in it) in the middle.
    rich_markup_mode=None,
    epilog="Exit status: 0 done, 1 failed while running, 2 bad input or usage.",
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
user_app = typer.Typer(help="User accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(calendar_app, name="calendar")
app.add_typer(sounds_app, name="sounds")
app.add_typer(kb_app, name="kb")
app.add_typer(config_app, name="config")
app.add_typer(reports_app, name="reports")

# Messages go to stderr and are never wrapped: a long file path or field name stays on one line
# whatever the terminal width (users copy them; tests and scripts search them).
console = Console(stderr=True, soft_wrap=True, highlight=False)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        print(f"hotline {version('hotline')}")
        raise typer.Exit()


@app.callback()
def _main(
    _: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """hotline: contact-centre backend for the 12366 tax hotline."""


def _mount_simulations() -> None:
    # The simulator's commands live in the simulations package; hotline is where they are mounted.
    # `simulate` is hotline's own: the offline command plus --live, which needs the whole stack;
    # `staff` wraps the offline one to add --from-history (the traffic read from the database).
    from hotline.livesim.cli import simulate_command, staff_command

    app.command("simulate")(simulate_command)
    app.command("staff")(staff_command)


_mount_simulations()
app.command("emulator")(emulator_command)
app.command("demo")(demo_command)


def _settings() -> Settings:
    try:
        return load_settings()
    except (SettingsError, FileNotFoundError) as exc:
        from hotline.cli_settings import settings_lines
        from hotline.web.i18n import pick_locale

        # The locale's language, as every command that reads the settings says it.
        said = "\n".join(settings_lines(exc, pick_locale(os.environ)))
        console.print(f"[red]{escape(said)}[/red]")
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    import_file: Annotated[
        Path | None,
        typer.Option("--import", help="import this YAML file (idempotent) before serving"),
    ] = None,
) -> None:
    """Run the service (uvicorn).  Applies migrations at start-up unless auto_migrate is off."""
    import uvicorn

    from hotline.logs import configure_logging
    from hotline.main import create_app, standard_components

    settings = _settings()
    configure_logging(settings.log.level, json_output=settings.log.json_output)
    if import_file is not None:
        _run_import(settings, import_file)
    _refuse_misconfigured(settings)
    uvicorn.run(
        create_app(settings, components=standard_components(settings)),
        host=host,
        port=port,
        log_config=None,
    )


def _refuse_misconfigured(settings: Settings) -> None:
    """A second instance whose configuration differs from a running one's, or whose database
    is not the one commanding the sites, stops here in words (docs/cluster.md, "Refused at
    start")."""
    import asyncio

    from hotline.cluster.leadership import default_instance_id
    from hotline.cluster.membership import ConfigurationMismatch, preflight
    from hotline.cluster.site_mark import ForeignDatabase

    try:
        asyncio.run(preflight(settings, settings.cluster.instance_id or default_instance_id()))
    except (ConfigurationMismatch, ForeignDatabase) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="target revision")] = "head",
) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from hotline.db import migrate
    from hotline.db.session import create_engine

    settings = _settings()

    async def run() -> str | None:
        engine = create_engine(settings.database_url)
        try:
            await migrate.upgrade(engine, revision)
            return await migrate.current_revision(engine)
        finally:
            await engine.dispose()

    current = asyncio.run(run())
    console.print(f"database at revision {current}")


@db_app.command("current")
def db_current() -> None:
    """Print the database's revision and the newest one."""
    from hotline.db import migrate
    from hotline.db.session import create_engine

    settings = _settings()

    async def run() -> str | None:
        engine = create_engine(settings.database_url)
        try:
            return await migrate.current_revision(engine)
        finally:
            await engine.dispose()

    print(f"current: {asyncio.run(run())}\nhead:    {migrate.head_revision()}")


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="the centre's YAML file", show_default=False)],
) -> None:
    """Import sites, skills, departments, users, agents, SLA policies and call-summary topics
    (all or nothing, idempotent)."""
    _run_import(_settings(), file)


def _run_import(settings: Settings, file: Path) -> None:
    from hotline.db import migrate
    from hotline.db.session import create_engine, create_sessionmaker
    from hotline.importer import ImportFileError, import_file

    async def run() -> dict[str, int]:
        engine = create_engine(settings.database_url)
        try:
            if settings.auto_migrate:
                await migrate.upgrade(engine)
            summary = await import_file(
                create_sessionmaker(engine),
                file,
                allow_plain_passwords=settings.profile is not Profile.PRODUCTION,
            )
            return summary.counts
        finally:
            await engine.dispose()

    try:
        # Hashing every user's password takes seconds: show that work is going on (a spinner
        # on stderr, only in a terminal).
        spinner = console.status(f"importing {file}") if console.is_terminal else None
        with spinner or contextlib.nullcontext():
            counts = asyncio.run(run())
    except ImportFileError as exc:
        console.print(f"[red]import failed, nothing was written:[/red]\n{escape(str(exc))}")
        raise typer.Exit(2) from None  # the file is wrong: an input error
    console.print(f"imported {file}: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Argument(help="login name", show_default=False)],
    role: Annotated[
        list[str], typer.Option("--role", "-r", help="a role (repeatable)", show_default=False)
    ],
    full_name: Annotated[str | None, typer.Option(help="display name")] = None,
    department: Annotated[str | None, typer.Option(help="department code")] = None,
    password_stdin: Annotated[
        bool, typer.Option(help="read the password from standard input")
    ] = False,
) -> None:
    """Create a user (the password is prompted for, or read from stdin)."""
    from pydantic import SecretStr, ValidationError

    from hotline.db import migrate
    from hotline.db.session import create_engine, create_sessionmaker, transaction
    from hotline.errors import AppError
    from hotline.roles import Role
    from hotline.schemas.users import UserCreate
    from hotline.services import users as user_service

    settings = _settings()
    known = {r.value for r in Role}
    unknown = sorted(set(role) - known)
    if unknown:
        console.print(
            f"[red]--role: unknown role {', '.join(unknown)}; "
            f"choose from {', '.join(sorted(known))}[/red]"
        )
        raise typer.Exit(2)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            console.print("[red]the passwords differ[/red]")
            raise typer.Exit(2)
    try:
        data = UserCreate(
            username=username,
            full_name=full_name or username,
            roles=[Role(r) for r in role],
            department=department,
            password=SecretStr(password),
        )
    except ValidationError as exc:
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"])
            console.print(f"[red]{field}: {err['msg']}[/red]")
        raise typer.Exit(2) from None

    async def run() -> None:
        engine = create_engine(settings.database_url)
        try:
            if settings.auto_migrate:
                await migrate.upgrade(engine)
            async with transaction(create_sessionmaker(engine)) as session:
                await user_service.create_user(session, data)
        finally:
            await engine.dispose()

    try:
        asyncio.run(run())
    except AppError as exc:
        details = exc.detail if isinstance(exc.detail, list) else [exc.detail]
        for detail in details:  # a refused password: "body.password: password must ..."
            if isinstance(detail, dict):
                detail = f"{'.'.join(map(str, detail.get('loc', [])))}: {detail.get('msg')}"
            console.print(f"[red]{detail}[/red]")
        raise typer.Exit(1) from None
    console.print(f"created user {username} with roles {', '.join(sorted(set(role)))}")


def main() -> None:  # pragma: no cover - console entry point
    app()
