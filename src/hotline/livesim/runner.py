"""A live run: emulator and service on loopback, seats and taxpayers driven through a day.

Order of a run: validate; build the centre in the database; start the emulator at the chosen
speed and the service (reading the emulator's clock); log the warm-up's seats in; then walk the
day in emulated time, placing each planned call and changing staffing at interval boundaries;
drain (no new calls, last staffing) until no call is left or the cap is reached; log everyone
out, stop, and compute the figures from the call records.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from cti.calls.controller import ControllerOptions
from cti.emulator import LabConfig, RunningEmulator, run_emulator
from hotline.config import load_settings
from hotline.demo.runner import bound_port, import_centre, serving
from hotline.livesim.callers import PlannedCall, plan_calls, taxpayer_script
from hotline.livesim.centre import ARI_USER, SITE, Seat, centre_document, seats_of
from hotline.livesim.clock import EmulatedClock, keep_ticking
from hotline.livesim.feasibility import check_live
from hotline.livesim.options import LiveOptions
from hotline.livesim.patience import PatienceKeeper
from hotline.livesim.phones import seat_phone
from hotline.livesim.records import (
    Marks,
    Tally,
    figures_of,
    queue_entry_reader,
    read_records,
    record_marks,
)
from hotline.livesim.seats import SeatDesk, wanted_seats
from hotline.telephony import TELEPHONY_KEY, TelephonyService
from simulations.policy import simulation_policy
from simulations.runner import SimulationResult, summarise_replications
from simulations.scenario import Scenario

Progress = Callable[[float, float], None]  # (emulated seconds done, emulated seconds planned)


@dataclass(frozen=True, slots=True)
class StackFigures:
    """How the stack itself coped: throughput and calls that went astray."""

    speed: float
    real_day_s: float  # wall time of warm-up and intervals
    real_total_s: float  # wall time of the whole run, set-up and drain included
    drain_s: float  # emulated seconds the drain took after the day
    calls_placed: int
    calls_recorded: int
    lost_calls: int
    stuck_calls: int
    ivr_abandons: int
    failed_calls: int
    mean_ivr_s: float | None
    ari_events: int
    ari_errors: int
    director_errors: int

    @property
    def calls_per_s(self) -> float:
        return self.calls_placed / self.real_day_s if self.real_day_s else 0.0

    @property
    def events_per_s(self) -> float:
        return self.ari_events / self.real_day_s if self.real_day_s else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "speed": self.speed,
            "real_day_s": self.real_day_s,
            "real_total_s": self.real_total_s,
            "drain_s": self.drain_s,
            "calls_placed": self.calls_placed,
            "calls_recorded": self.calls_recorded,
            "calls_per_s": self.calls_per_s,
            "ari_events": self.ari_events,
            "events_per_s": self.events_per_s,
            "lost_calls": self.lost_calls,
            "stuck_calls": self.stuck_calls,
            "ivr_abandons": self.ivr_abandons,
            "failed_calls": self.failed_calls,
            "mean_ivr_s": self.mean_ivr_s,
            "ari_errors": self.ari_errors,
            "director_errors": self.director_errors,
        }


@dataclass(frozen=True, slots=True)
class LiveRun:
    result: SimulationResult
    stack: StackFigures

    def to_dict(self) -> dict[str, Any]:
        """The offline JSON shape (one replication), plus the stack's figures under ``live``."""
        return {**self.result.to_dict(), "live": self.stack.to_dict()}


@dataclass(slots=True)
class _Day:
    """What the drive measured while the stack ran."""

    real_day_s: float = 0.0
    drain_s: float = 0.0
    health: dict[str, Any] | None = None


async def run_live(
    scenario: Scenario, options: LiveOptions, progress: Progress | None = None
) -> LiveRun:
    """Run the scenario's day through the whole stack; raises LiveScenarioError up front."""
    check_live(scenario, options)
    seed = scenario.seed if options.seed is None else options.seed
    planned = plan_calls(scenario, seed)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="hotline-livesim-") as folder:
        url = options.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'livesim.db'}"
        start_epoch, marks, day = await _run_stack(scenario, options, seed, planned, url, progress)
        records = await read_records(url, start_epoch, marks)
    figures, tally = figures_of(scenario, planned, records)
    result = summarise_replications(scenario, seed, [figures])
    return LiveRun(result, _stack_figures(options, day, tally, time.monotonic() - started))


def _stack_figures(options: LiveOptions, day: _Day, tally: Tally, total_s: float) -> StackFigures:
    health = day.health or {}
    return StackFigures(
        speed=options.speed,
        real_day_s=day.real_day_s,
        real_total_s=total_s,
        drain_s=day.drain_s,
        calls_placed=tally.placed,
        calls_recorded=tally.recorded,
        lost_calls=tally.lost,
        stuck_calls=tally.stuck,
        ivr_abandons=tally.ivr_abandons,
        failed_calls=tally.failed,
        mean_ivr_s=tally.mean_ivr_s,
        ari_events=int(health.get("events_received", 0)),
        ari_errors=int(health.get("ari_errors", 0)),
        director_errors=int(health.get("director_errors", 0)),
    )


async def _run_stack(
    scenario: Scenario,
    options: LiveOptions,
    seed: int,
    planned: list[PlannedCall],
    database_url: str,
    progress: Progress | None,
) -> tuple[float, Marks, _Day]:
    from hotline.main import create_app, live_telephony

    password = secrets.token_urlsafe(16)  # a throw-away centre: fresh secrets every run
    ari_password = secrets.token_urlsafe(16)
    settings = load_settings(database_url=database_url)
    lab = LabConfig(users={ARI_USER: (ari_password, False)})
    seats = seats_of(scenario)
    async with run_emulator(port=0, speed=options.speed, config=lab) as emulator:
        document = centre_document(
            scenario, seats, ari_url=emulator.base_url, ari_password=ari_password, password=password
        )
        await import_centre(settings, document)
        marks = await record_marks(database_url)
        for seat in seats:
            emulator.add_endpoint(seat.endpoint, seat_phone(scenario, seat, seed))
        # Behind by more than the run can last in emulated time (see EmulatedClock).
        span_s = scenario.warmup_s + scenario.day_s + options.drain_cap_s + 3600.0
        clock = EmulatedClock(emulator.emulator.scheduler, behind_s=span_s)
        telephony = live_telephony(
            policy=simulation_policy(scenario),
            controller_options=ControllerOptions(timer_scale=options.speed),
        )
        app = create_app(settings, clock=clock, components=[telephony])
        async with serving(app, 0) as server:
            state = app.state.hotline
            service: TelephonyService = state.extras[TELEPHONY_KEY]
            ticker = asyncio.create_task(keep_ticking(service.acd, options.tick_s, options.speed))
            keeper = PatienceKeeper(emulator, clock, queue_entry_reader(state.sessionmaker))
            watcher = asyncio.create_task(keeper.watch(state.bus))
            base_url = f"http://127.0.0.1:{bound_port(server)}"
            try:
                async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
                    driver = _Driver(scenario, options, emulator, clock, seats, planned, keeper)
                    desk = SeatDesk(http, password, driver.sleep)
                    await desk.prepare(seats)
                    start_epoch = clock.epoch_s()
                    day = await driver.drive(desk, start_epoch, progress, state.health_checks)
            finally:
                for task in (ticker, watcher):
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
    return start_epoch, marks, day


class _Driver:
    def __init__(
        self,
        scenario: Scenario,
        options: LiveOptions,
        emulator: RunningEmulator,
        clock: EmulatedClock,
        seats: list[Seat],
        planned: list[PlannedCall],
        keeper: PatienceKeeper,
    ) -> None:
        self.keeper = keeper
        self.scenario = scenario
        self.options = options
        self.emulator = emulator
        self.clock = clock
        self.seats = seats
        self.planned = planned

    async def sleep(self, emulated_s: float) -> None:
        await asyncio.sleep(max(0.0, emulated_s) / self.options.speed)

    async def _until(self, epoch_s: float) -> None:
        await self.sleep(epoch_s - self.clock.epoch_s())

    async def drive(
        self,
        desk: SeatDesk,
        start_epoch: float,
        progress: Progress | None,
        checks: dict[str, Callable[[], dict[str, object]]],
    ) -> _Day:
        scenario = self.scenario
        day_s = scenario.warmup_s + scenario.day_s
        loop = asyncio.get_running_loop()
        began = loop.time()
        # Staffing changes at each interval boundary; the warm-up has interval 0's.
        changes = [(0.0, 0)] + [
            (scenario.warmup_s + index * scenario.interval_s, index)
            for index in range(1, scenario.interval_count)
        ]
        steps: list[tuple[float, int, object]] = [(at, 0, index) for at, index in changes]
        steps += [(call.at_s, 1, call) for call in self.planned]
        steps.sort(key=lambda step: (step[0], step[1]))
        for at_s, kind, item in steps:
            await self._until(start_epoch + at_s)
            if kind == 0:
                assert isinstance(item, int)
                await desk.staff(self.seats, wanted_seats(scenario, self.seats, item))
            else:
                assert isinstance(item, PlannedCall)
                placed = self.emulator.place_call(taxpayer_script(item, scenario))
                self.keeper.expect(placed, item.patience_s)
            if progress is not None:
                progress(min(at_s, day_s), day_s)
        await self._until(start_epoch + day_s)
        result = _Day(real_day_s=loop.time() - began)
        if progress is not None:
            progress(day_s, day_s)
        result.drain_s = await self._drain(start_epoch + day_s, checks)
        result.health = checks[f"ari:{SITE}"]()
        await desk.close(self.seats)
        return result

    async def _drain(
        self, day_end_epoch: float, checks: dict[str, Callable[[], dict[str, object]]]
    ) -> float:
        """Wait, in emulated time, until the controller has no call left (or the cap)."""
        health = checks[f"ari:{SITE}"]
        while self.clock.epoch_s() - day_end_epoch < self.options.drain_cap_s:
            if health().get("active_calls") == 0:
                break
            await self.sleep(1.0)
        return max(0.0, self.clock.epoch_s() - day_end_epoch)
