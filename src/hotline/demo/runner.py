"""Run the demo: emulator, service, simulated agents and taxpayers, until time is up or Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import random
import secrets
import signal
import sys
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
import yaml
from pydantic import SecretStr

from cti.calls.controller import ControllerOptions
from cti.emulator import LabConfig, RunningEmulator, run_emulator
from hotline.config import AuthSettings, Settings, load_settings
from hotline.demo.agents import (
    DemoAgent,
    agents_of_site,
    choose_agents,
    people_agents,
    softphone,
)
from hotline.demo.banner import banner, status_line
from hotline.demo.options import (
    ARI_PASSWORD_ENV,
    DEFAULT_ARI_PASSWORD,
    DEFAULT_PASSWORD,
    PASSWORD_ENV,
    DemoOptions,
)
from hotline.demo.taxpayers import arrival_gaps, make_caller
from routing import default_policy

ARI_USER = "hotline"


@dataclass
class DemoStats:
    placed: int = 0
    agents_ready: list[str] = field(default_factory=list)


def demo_passwords() -> tuple[str, str]:
    """(login password, ARI password): from the environment, with demo defaults."""
    os.environ.setdefault(PASSWORD_ENV, DEFAULT_PASSWORD)
    os.environ.setdefault(ARI_PASSWORD_ENV, DEFAULT_ARI_PASSWORD)
    return os.environ[PASSWORD_ENV], os.environ[ARI_PASSWORD_ENV]


def centre_pointing_at(example: dict[str, Any], site: str, ari_url: str) -> dict[str, Any]:
    """The example centre with `site` on the emulator and every other site disabled (the demo
    runs one emulated Asterisk)."""
    document = dict(example)
    sites = []
    for entry in example.get("sites", []):
        changed = dict(entry)
        if entry.get("code") == site:
            changed["ari_url"] = ari_url
            changed["enabled"] = True
        else:
            changed["enabled"] = False
        sites.append(changed)
    if not any(s.get("code") == site for s in sites):
        raise ValueError(f"the example has no site '{site}'")
    document["sites"] = sites
    return document


async def publish_configuration(settings: Settings, path: Path) -> int | None:
    """Publish the demo's configuration file when no version exists (a newcomer then edits it
    and publishes again while the demo runs); problems are printed, the demo runs on."""
    from hotline.centre.live import publish_file_if_none
    from hotline.centre.problems import ConfigInvalid
    from hotline.clock import utc_now
    from hotline.db.session import create_engine, create_sessionmaker

    if not path.exists():
        return None
    engine = create_engine(settings.database_url)
    try:
        return await publish_file_if_none(
            create_sessionmaker(engine), path, by="demo", now=utc_now()
        )
    except ConfigInvalid as exc:
        sys.stderr.write(f"configuration not published ({path}):\n{exc}\n")
        return None
    finally:
        await engine.dispose()


async def import_centre(settings: Settings, document: dict[str, Any]) -> dict[str, int]:
    from hotline.db import migrate
    from hotline.db.session import create_engine, create_sessionmaker
    from hotline.importer import import_file

    engine = create_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "centre.yaml"
            path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
            summary = await import_file(create_sessionmaker(engine), path)
        if document.get("topics"):
            # The articles name the centre's topic codes: only a centre with its taxonomy (the
            # example's) can take them; the smaller centres tests build have none.
            await import_sample_kb(create_sessionmaker(engine))
        await seed_known_calendar_years(create_sessionmaker(engine))
        return summary.counts
    finally:
        await engine.dispose()


async def import_sample_kb(sessionmaker: Any) -> None:
    """The sample knowledge base (examples/kb, written for this project) when it is there."""
    from hotline.cli_kb import import_directory

    folder = Path(__file__).parents[3] / "examples" / "kb"
    if folder.is_dir():
        await import_directory(sessionmaker, folder)
        await give_sample_editors(sessionmaker)


# The demo's back-office people edit their departments' sample articles (the files name none).
DEMO_EDITORS = {
    "national_tax": ["national-spec1", "national-spec2"],
    "local_tax": ["local-spec1", "local-spec2"],
    "finance": ["finance-spec1", "finance-spec2"],
    "social_insurance": ["finance-spec1", "finance-spec2"],
    "service_hall": ["supervisor"],
}


async def give_sample_editors(sessionmaker: Any) -> None:
    """Articles without editors get the demo specialists of their department, so that someone
    can publish in the demo; an article that names its editors keeps them."""
    from sqlalchemy import select

    from hotline.db.models import KbArticle

    async with sessionmaker() as session:
        for article in await session.scalars(select(KbArticle)):
            if article.editors:
                continue
            for prefix, names in DEMO_EDITORS.items():
                if article.department.startswith(prefix):
                    article.editors = list(names)
                    break
        await session.commit()


async def seed_known_calendar_years(sessionmaker: Any) -> None:
    """Work-order deadlines need the working-day calendar: load this year and the next from
    chinesecalendar where it knows them (days an admin entered are kept)."""
    from hotline.clock import utc_now
    from hotline.db.session import transaction
    from hotline.workorders.rules import seed_year
    from workorders.errors import CalendarNotLoadedError

    now = utc_now()
    async with transaction(sessionmaker) as session:
        for year in (now.year, now.year + 1):
            with contextlib.suppress(CalendarNotLoadedError):
                await seed_year(session, year, now, overwrite=False)


@contextlib.asynccontextmanager
async def serving(app: Any, port: int) -> AsyncIterator[uvicorn.Server]:
    """The service on 127.0.0.1:`port` (0 picks one), with its lifespan, on this loop."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("the service stopped during start-up (port in use?)")
            await asyncio.sleep(0.02)
        yield server
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task


def bound_port(server: uvicorn.Server) -> int:
    return int(server.servers[0].sockets[0].getsockname()[1])


async def log_in_agents(
    http: httpx.AsyncClient, agents: list[DemoAgent], password: str, site: str
) -> list[str]:
    """Each simulated agent signs in and goes ready through the service's own API."""
    ready = []
    for agent in agents:
        token_response = await http.post(
            "/api/v1/auth/token", data={"username": agent.username, "password": password}
        )
        token_response.raise_for_status()
        headers = {"Authorization": f"Bearer {token_response.json()['access_token']}"}
        login = await http.post("/api/v1/agent/session", json={"site": site}, headers=headers)
        login.raise_for_status()
        state = await http.put(
            "/api/v1/agent/session/state", json={"state": "ready"}, headers=headers
        )
        state.raise_for_status()
        ready.append(agent.username)
    return ready


async def place_taxpayers(
    emulator: RunningEmulator, options: DemoOptions, rng: random.Random, stats: DemoStats
) -> None:
    for gap in arrival_gaps(rng, options.calls_per_minute):
        await asyncio.sleep(gap / options.speed)
        emulator.place_call(make_caller(rng).script)
        stats.placed += 1


async def report_status(
    http: httpx.AsyncClient, password: str, stats: DemoStats, every_s: float
) -> None:
    """Every `every_s`, one line of totals read through the API as the demo supervisor."""
    token = await http.post(
        "/api/v1/auth/token", data={"username": "supervisor", "password": password}
    )
    token.raise_for_status()
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    while True:
        await asyncio.sleep(every_s)
        try:
            response = await http.get("/api/v1/queues", headers=headers)
        except httpx.HTTPError:
            # A read that timed out on a saturated service: skip this line, not all later ones.
            continue
        if response.status_code == 200:
            sys.stderr.write(status_line(stats.placed, response.json()) + "\n")


async def run_demo(options: DemoOptions, *, ready: asyncio.Event | None = None) -> DemoStats:
    """The whole demo; returns when `duration_s` is over or on Ctrl-C (SIGINT) or SIGTERM.

    The demo takes the signals itself: the emulator and the service each run a uvicorn server that
    would otherwise catch Ctrl-C for itself and stop alone, leaving the rest running. Each server
    grabs the signals when it starts, so the demo takes them back after each start.
    """
    stats = DemoStats()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def take_signals() -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            # Not possible outside the main thread (tests): duration and errors still stop it.
            with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
                loop.add_signal_handler(signum, stop.set)

    take_signals()
    demo = asyncio.create_task(_demo(options, stats, take_signals, ready))
    stopped = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({demo, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        demo.cancel()  # a no-op when it has finished; else every context below unwinds
        with contextlib.suppress(asyncio.CancelledError):
            await demo
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
                loop.remove_signal_handler(signum)
    return stats


def run_demo_on_uvloop(options: DemoOptions) -> DemoStats:
    """:func:`run_demo` on uvloop, the loop ``hotline serve`` gets from uvicorn (installed with
    ``uvicorn[standard]``); the standard loop where uvloop is missing. ``asyncio.run`` would give
    the demo the slower standard loop (uvicorn picks the loop only when it makes one itself):
    under the API load benchmark the standard loop's socket writes and thread wake-ups (every
    SQLite statement is a hop to aiosqlite's thread) were a fifth of the service's time."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop does not build on every platform
        return asyncio.run(run_demo(options))
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(run_demo(options))


def demo_settings(database: Path) -> Settings:
    """The demo's settings: its own database file and a fresh signing secret each run, whatever
    the environment says, so that a demo's tokens never open a real service sharing the machine
    nor outlive the demo."""
    return load_settings(
        database_url=f"sqlite+aiosqlite:///{database}",
        auth=AuthSettings(jwt_secret=SecretStr(secrets.token_urlsafe(48))),
        softphone={"mode": "emulator"},
    )


async def _demo(
    options: DemoOptions,
    stats: DemoStats,
    take_signals: Callable[[], None],
    ready: asyncio.Event | None,
) -> None:
    from hotline.logs import configure_logging
    from hotline.main import create_app, live_telephony
    from hotline.summaries.guard import summary_guard
    from hotline.workorders.sweeper import sweeper_component

    password, ari_password = demo_passwords()
    rng = random.Random(options.seed)
    # The agents the simulator does not drive are for people: their desk's softphone is the
    # emulator's phone for their endpoint (docs/softphone.md).
    settings = demo_settings(options.database)
    configure_logging("WARNING", json_output=False)
    example = yaml.safe_load(options.example.read_text(encoding="utf-8"))
    lab = LabConfig(users={ARI_USER: (ari_password, False)})
    async with run_emulator(port=0, speed=options.speed, config=lab) as emulator:
        take_signals()
        document = centre_pointing_at(example, options.site, emulator.base_url)
        await import_centre(settings, document)
        await publish_configuration(settings, options.configuration)
        candidates = agents_of_site(example, options.site)
        agents = choose_agents(rng, candidates, options.agents)
        for agent in agents:
            emulator.add_endpoint(agent.endpoint, softphone(rng, agent))
        # Agents for people: not logged in by the demo; their emulator phone rings until
        # answered in the desk's softphone (softphone.mode "emulator", /_emulator/phones).
        people = people_agents(candidates, options.agents, options.people)
        for person in people:
            emulator.add_person_phone(person.endpoint)
        # Open around the clock, so that the demo shows calls at any hour of the day.
        policy = dataclasses.replace(default_policy(), service_hours=None)
        telephony = live_telephony(
            policy=policy,
            controller_options=ControllerOptions(timer_scale=options.speed),
            always_open=True,
        )
        wo = settings.workorders
        sweeper = sweeper_component(
            interval_seconds=wo.sweep_interval_s,
            batch_size=wo.sweep_batch_size,
            workers=wo.sweep_workers,
        )
        app = create_app(
            settings,
            components=[
                telephony,
                sweeper,
                summary_guard(),
                people_banner([p.username for p in people]),
            ],
        )
        async with serving(app, options.port) as server:
            take_signals()
            base_url = f"http://127.0.0.1:{bound_port(server)}"
            async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
                stats.agents_ready = await log_in_agents(http, agents, password, options.site)
                # Show the password only when it is the public demo default.
                shown = password if password == DEFAULT_PASSWORD else None
                sys.stderr.write(
                    banner(base_url, emulator.ari_url, agents, options, shown, people=people)
                )
                if ready is not None:
                    ready.set()
                tasks = [
                    asyncio.create_task(place_taxpayers(emulator, options, rng, stats)),
                    asyncio.create_task(report_status(http, password, stats, options.status_s)),
                ]
                try:
                    await _until_stopped([server, emulator.server], options.duration_s)
                finally:
                    for task in tasks:
                        task.cancel()
                    for task in tasks:
                        with contextlib.suppress(asyncio.CancelledError):
                            await task


def people_banner(usernames: list[str]) -> Any:
    """A component that tells the pages which demo logins are for people (their banner)."""
    from hotline.web.desk.routes import DEMO_PEOPLE_KEY

    async def start(state: Any) -> Callable[[], Any]:
        state.extras[DEMO_PEOPLE_KEY] = list(usernames)

        async def stop() -> None:
            state.extras.pop(DEMO_PEOPLE_KEY, None)

        return stop

    return start


async def _until_stopped(servers: list[uvicorn.Server], duration_s: float | None) -> None:
    """Until the end of `duration_s`, or one of the servers stopping (a server that caught
    Ctrl-C for itself, before the demo took the signals back, stops everything too)."""
    waited = 0.0
    while not any(server.should_exit for server in servers):
        await asyncio.sleep(0.2)
        waited += 0.2
        if duration_s is not None and waited >= duration_s:
            return
