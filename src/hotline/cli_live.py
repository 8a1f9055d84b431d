"""Live-telephony commands of the ``hotline`` CLI: ``emulator`` (a fake Asterisk 22 on loopback)
and ``demo`` (the whole centre with simulated taxpayers and agents).

Passwords never go on the command line (they would land in shell history and ``ps``): they come
from an environment variable or a prompt.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

EMULATOR_PASSWORD_ENV = "HOTLINE_EMULATOR_PASSWORD"


def _password_from_env_or_prompt(env_name: str, prompt: str) -> str:
    value = os.environ.get(env_name)
    if value:
        return value
    if not sys.stdin.isatty():
        print(f"set {env_name} (no terminal to prompt for the password)", file=sys.stderr)
        raise typer.Exit(2)
    return getpass.getpass(prompt)


def emulator_command(
    host: Annotated[str, typer.Option(help="interface to listen on (keep it on loopback)")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="TCP port (0 picks a free one)")] = 8088,
    user: Annotated[str, typer.Option(help="the ARI user clients log in as")] = "hotline",
    speed: Annotated[
        float, typer.Option(help="emulated seconds per real second (scripts run faster)", min=0.01)
    ] = 1.0,
    race: Annotated[
        str,
        typer.Option(help="events_first | response_first | random(SEED): the event/response race"),
    ] = "events_first",
    prompts: Annotated[
        str,
        typer.Option(help="languages with the hotline prompt set installed ('' = stock Asterisk)"),
    ] = "zh,en,ko",
    absent: Annotated[
        str,
        typer.Option(
            help="prompt files left out, comma-separated <lang>/<sound id> "
            "(ko/hotline/goodbye), to try `hotline config check-sounds`"
        ),
    ] = "",
) -> None:
    """Run the ARI emulator: Asterisk 22 REST + events websocket, plus /_emulator/ controls.

    The password is read from HOTLINE_EMULATOR_PASSWORD, or prompted for.
    """
    from cti.emulator import LabConfig, run_emulator
    from cti.emulator.cli import prompt_languages

    password = _password_from_env_or_prompt(EMULATOR_PASSWORD_ENV, "ARI password: ")
    config = LabConfig(
        users={user: (password, False)},
        prompt_languages=prompt_languages(prompts),
        absent_sounds=prompt_languages(absent),
    )

    async def serve() -> None:
        async with run_emulator(
            host=host, port=port, speed=speed, race=race, config=config
        ) as running:
            print(
                f"ARI emulator on {running.ari_url} (user {user}, speed {speed:g}); "
                f"events at {running.ws_url}?app=hotline; Ctrl-C stops",
                file=sys.stderr,
            )
            await asyncio.Event().wait()

    try:
        asyncio.run(serve())
    except ValueError as exc:  # a bad --race
        print(f"--race: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        pass


def demo_command(
    port: Annotated[int, typer.Option(help="the service's TCP port on 127.0.0.1 (0: any)")] = 8000,
    rate: Annotated[
        float, typer.Option(help="taxpayer calls per minute (Poisson arrivals)", min=0.1)
    ] = 6.0,
    agents: Annotated[int, typer.Option(help="simulated agents to log in", min=1)] = 8,
    people: Annotated[
        int, typer.Option(help="agent logins left for people to take calls on /desk", min=0)
    ] = 2,
    duration: Annotated[
        float | None,
        typer.Option(help="stop after this many seconds (default: run until Ctrl-C)", min=1),
    ] = None,
    database: Annotated[Path, typer.Option(help="the SQLite file the demo uses")] = Path(
        "hotline-demo.db"
    ),
    seed: Annotated[int | None, typer.Option(help="random seed for a repeatable demo")] = None,
    example: Annotated[
        Path, typer.Option(help="the centre to import (its site 'hz' is pointed at the emulator)")
    ] = Path("examples/hangzhou.yaml"),
    configuration: Annotated[
        Path,
        typer.Option(
            help="the centre's configuration, published on first start (hotline config ...)"
        ),
    ] = Path("examples/centre.yaml"),
) -> None:
    """Run the whole centre on this machine: service on SQLite, ARI emulator, simulated
    taxpayers and agents in real time.  Prints where to look and the demo logins."""
    from hotline.demo import DemoOptions
    from hotline.demo.runner import run_demo_on_uvloop

    options = DemoOptions(
        port=port,
        calls_per_minute=rate,
        agents=agents,
        people=people,
        duration_s=duration,
        database=database,
        seed=seed,
        example=example,
        configuration=configuration,
    )
    if not example.is_file():
        print(f"--example: no such file: {example}", file=sys.stderr)
        raise typer.Exit(2)
    _cheap_password_hashing()
    with contextlib.suppress(KeyboardInterrupt):
        run_demo_on_uvloop(options)


def _cheap_password_hashing() -> None:
    # The demo's passwords are public and its database is throw-away: light argon2 parameters
    # make its start-up (about 50 demo users hashed at each import) take seconds, not half a
    # minute. The hashes stay argon2 and verifiable; `hotline serve` keeps the strong default.
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    from hotline.auth.passwords import set_hasher

    set_hasher(PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8192, parallelism=1),)))
