"""Simulation and staffing runs started from the ops pages: off the event loop, bounded, one at a
time per person.

A run's work happens in a separate process (the simulator is CPU-bound pure Python: in a thread
it would still take the interpreter lock from the event loop that serves every page and call).
One process serves the whole server at a time (``slots``), since the machine's cores also carry
the calls; a second person's run waits its turn, shown as "waiting". A run that exceeds
``timeout_s`` is stopped and says how to make it smaller. Simulations advance one replication
per step, so the page can show how far they are; a staffing search is a single step.

A run is carried out and followed (progress) in memory by the process that started it; when it
ends, ``on_finish`` is awaited before its status says so, which is where the ops pages store it
(``hotline.scenarios.run_store``): the list and the results then outlive a restart.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from simulations.model import run_replication
from simulations.runner import SimulationResult, summarise_replications
from simulations.scenario import Scenario
from simulations.staffing import StaffingPlan, Target, search_staffing

log = logging.getLogger(__name__)
RunKind = Literal["simulate", "staff"]
RunStatus = Literal["waiting", "running", "done", "failed"]


class RunBusy(RuntimeError):
    """The person already has a run going."""


@dataclass
class Run:
    id: str
    user_id: int
    kind: RunKind
    name: str
    started_at: datetime
    target: Target
    replications: int
    notes: list[Any]  # hotline.scenarios.resolve.Note: where policy and traffic came from
    status: RunStatus = "waiting"
    done: int = 0  # replications finished (simulate)
    error: str | None = None
    result: SimulationResult | None = None
    plan: StaffingPlan | None = None

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    @property
    def outcome(self) -> SimulationResult | None:
        """The simulated day: the run's own, or the staffing plan's final check."""
        return self.plan.result if self.plan is not None else self.result


def _staff(scenario: Scenario, target: Target, replications: int) -> StaffingPlan:
    return search_staffing(scenario, target, replications=replications, workers=1)


STOPPED = "ops.stopped"  # a run's error "ops.stopped:<minutes>": it took too long


@dataclass
class Runs:
    slots: int = 1
    keep: int = 10
    timeout_s: float = 600.0
    _runs: dict[int, list[Run]] = field(default_factory=dict)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _gate: asyncio.Semaphore | None = None
    # Awaited with the run and its final status before the status is set: whoever polls sees
    # "done" only once what on_finish keeps is there to read.
    on_finish: Callable[[Run, RunStatus], Awaitable[None]] | None = None

    def of(self, user_id: int) -> list[Run]:
        """The person's runs, newest first."""
        return list(reversed(self._runs.get(user_id, [])))

    def get(self, user_id: int, run_id: str) -> Run | None:
        return next((r for r in self._runs.get(user_id, []) if r.id == run_id), None)

    def start(
        self,
        user_id: int,
        kind: RunKind,
        scenario: Scenario,
        target: Target,
        replications: int,
        notes: list[Any],
        now: datetime,
    ) -> Run:
        mine = self._runs.setdefault(user_id, [])
        if any(not r.finished for r in mine):
            raise RunBusy
        run = Run(
            id=uuid.uuid4().hex[:12],
            user_id=user_id,
            kind=kind,
            name=scenario.name,
            started_at=now,
            target=target,
            replications=replications,
            notes=notes,
        )
        mine.append(run)
        del mine[: -self.keep]
        task = asyncio.create_task(self._execute(run, scenario))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return run

    async def _execute(self, run: Run, scenario: Scenario) -> None:
        if self._gate is None:
            self._gate = asyncio.Semaphore(self.slots)
        async with self._gate:
            run.status = "running"
            status: RunStatus = "done"
            # spawn: a fresh interpreter, not a fork of the server with its loop and sockets.
            pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
            try:
                await asyncio.wait_for(self._work(run, scenario, pool), self.timeout_s)
            except TimeoutError:
                status = "failed"
                # Kept as a message id and its figure: the page words it in its reader's
                # language (an exception's own text below is the program's, shown as it is).
                run.error = f"{STOPPED}:{self.timeout_s / 60:g}"
            except Exception as exc:  # the person sees why; the server carries on
                status = "failed"
                run.error = f"{type(exc).__name__}: {exc}"
            finally:
                _stop(pool)
        if self.on_finish is not None:
            try:
                await self.on_finish(run, status)
            except Exception:  # the run still ends for the person; the log says what failed
                log.exception("ops run %s: keeping its result failed", run.id)
        run.status = status

    async def _work(self, run: Run, scenario: Scenario, pool: ProcessPoolExecutor) -> None:
        loop = asyncio.get_running_loop()

        def off_loop(function: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
            return loop.run_in_executor(pool, function, *args)

        if run.kind == "staff":
            run.plan = await off_loop(_staff, scenario, run.target, run.replications)
            run.done = run.replications
            return
        figures = []
        for index in range(run.replications):
            figures.append(await off_loop(run_replication, scenario, index, scenario.seed))
            run.done = index + 1
        run.result = summarise_replications(scenario, scenario.seed, figures)


def _stop(pool: ProcessPoolExecutor) -> None:
    # A timed-out replication keeps its process busy: end it rather than wait for it.
    for process in list(getattr(pool, "_processes", {}).values()):
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
