"""CTI engine benchmark: calls pushed through the ARI emulator over loopback.

The engine under test is the production call path of ``cti``: one ``CtiSites`` site (ARI client,
event stream with resync, ordered per-call dispatch, the state machine and its executor) talking
to the emulator over real HTTP and WebSocket on 127.0.0.1; the emulator runs in its own process
(``python -m cti.emulator``), driven through its ``/_emulator`` control API. The director is a
small in-memory one (it answers the IVR plan at once and offers each call to a free scripted
agent) so that the figures are the CTI engine's, not the database's.

Measured:
* calls_per_s: calls finished per second, with `--concurrent` calls kept in flight
  (``in_flight_steady``: the calls in progress, sampled every 5 ms once the ramp is over);
* events_per_s: ARI events the engine received and handled per second;
* p50_ms / p99_ms: the engine's reaction time: from the moment the stream takes an ARI event that
  demands a reaction off the websocket (before parsing it) to the first ARI request that reaction
  sends. The reactions: a caller's StasisStart -> answer, an answered agent leg's StasisStart ->
  stop the bridge's music on hold, a DTMF digit -> stop the prompt it interrupts
  (``latency_by_reaction_ms`` has each one apart);
* bridged_ms: an answered agent leg's StasisStart -> its addChannel, which comes after the
  emulator's answer to the music-on-hold stop: the engine's reaction plus one emulator round trip;
* loop_lag_ms: how late a 5 ms sleep in the engine's event loop wakes up (its stalls);
* lost: calls placed that never reached the engine; stuck: calls that did not finish.

The defaults are the issue's goal: 300 calls in flight (reached over a 10 s ramp), REST over the
websocket (Asterisk 22), the emulator at 10x, which gives about 2,500 ARI events per second.

    python benchmarks/cti.py --json                         # the goal's set-up, 3,000 calls
    python benchmarks/cti.py --rest http --calls 900 --json # REST over HTTP (any Asterisk)
    python benchmarks/cti.py --speed 20 --json              # twice the load
    python benchmarks/cti.py --concurrent 1 --calls 5 --speed 1 --ramp 0 --json   # one call
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import multiprocessing
import os
import platform
import re
import sys
import time
from collections import deque
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path, and this file's name would then
# shadow the `cti` package it measures.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import httpx  # noqa: E402

from cti.ari.client import RestTransport  # noqa: E402
from cti.calls.controller import ControllerOptions  # noqa: E402
from cti.calls.model import CallMedia  # noqa: E402
from cti.calls.ports import (  # noqa: E402
    CallControl,
    CallKey,
    CallPhase,
    EndedBy,
    InboundCall,
    IvrPlan,
    LegFailure,
    MenuOption,
    Resumption,
)
from cti.calls.signals import CallerArrived, DigitPressed, LegAnswered  # noqa: E402
from cti.calls.sites import CtiSites, SiteConfig  # noqa: E402


def _load_sibling(name: str) -> Any:
    # Loaded by path: putting this folder on sys.path would let benchmarks/routing.py shadow
    # the `routing` package that the service imports.
    spec = importlib.util.spec_from_file_location(name, _HERE / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


cti_db = _load_sibling("cti_db")  # the --db option: the service's database writes

PASSWORD = "bench-ari-password"
# What the controller makes of the ARI events that demand a reaction (the latency is measured on
# these): a caller's StasisStart, an answered agent leg's StasisStart, a DTMF digit.
CAUSES = (CallerArrived, LegAnswered, DigitPressed)
# Sounds the emulator knows (an unknown one fails at once, and then no prompt is ever stopped):
# the caller presses 1 one second into the 7.3 s greeting, which the engine stops (barge-in).
LINE_PROMPT = "sound:pls-hold-while-try"
MEDIA = CallMedia(goodbye=("sound:hello-world",))
PLAN = IvrPlan(
    open=True,
    greeting="sound:demo-congrats",
    lines=(MenuOption("1", "national_tax", LINE_PROMPT),),
    survey=False,
)


@dataclass
class BenchDirector:
    """Routes each call to a free agent at once; queues it (FIFO) when all are busy."""

    agents: list[str]
    control: CallControl | None = None
    free: deque[str] = field(default_factory=deque)
    waiting: deque[CallKey] = field(default_factory=deque)
    arrived: int = 0
    answered: int = 0
    finished: int = 0
    failures: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)
    target: int = 0
    # Mirrors `finished` for the call placing process, which keeps the calls in flight by it.
    shared_finished: Synchronized[int] | None = None

    def __post_init__(self) -> None:
        self.free.extend(self.agents)

    async def _offer_next(self) -> None:
        assert self.control is not None
        while self.free and self.waiting:
            key, agent = self.waiting.popleft(), self.free.popleft()
            await self.control.offer(key, agent_id=agent, endpoint=agent, ring_timeout_s=60)
            await self._offered(key, agent)

    async def _offered(self, key: CallKey, agent: str) -> None:
        """After an offer is dialled (the database benchmark reads the screen pop here)."""
        return None

    async def call_arrived(self, call: InboundCall) -> IvrPlan:
        self.arrived += 1
        return PLAN

    async def ivr_completed(self, key: CallKey, *, language: str, line: str) -> None:
        self.waiting.append(key)
        await self._offer_next()

    async def language_chosen(self, key: CallKey, *, language: str) -> None:
        return None  # the benchmark's centre is always open

    async def caller_left(self, key: CallKey, *, phase: CallPhase) -> None:
        with contextlib.suppress(ValueError):
            self.waiting.remove(key)

    async def callback_accepted(self, key: CallKey) -> None:
        return None

    async def call_adopted(
        self, call: InboundCall, *, bridged_agent: str | None = None
    ) -> Resumption:
        # The engine starts with an empty emulator: nothing to adopt. Start the IVR again.
        self.arrived += 1
        return Resumption(PLAN, CallPhase.IVR)

    async def transfer_answered(self, key: CallKey, *, agent_id: str) -> None:
        self.answered += 1

    async def requeued(self, key: CallKey, *, agent_id: str, line: str, language: str) -> None:
        """Never asked for: this benchmark's agents do not transfer."""

    async def offer_answered(self, key: CallKey, *, agent_id: str) -> None:
        self.answered += 1

    async def offer_failed(self, key: CallKey, *, agent_id: str, failure: LegFailure) -> None:
        self.failures += 1
        self.free.append(agent_id)
        if failure is not LegFailure.CANCELLED:
            self.waiting.appendleft(key)
        await self._offer_next()

    async def talk_ended(self, key: CallKey, *, agent_id: str, ended_by: EndedBy) -> None:
        self.free.append(agent_id)
        await self._offer_next()

    async def survey_answered(self, key: CallKey, *, score: int | None) -> None:
        return None

    async def call_finished(self, key: CallKey) -> None:
        self.finished += 1
        if self.shared_finished is not None:
            self.shared_finished.value = self.finished
        if self.finished >= self.target:
            self.done.set()

    async def journal(self, key: CallKey, kind: str, data: Mapping[str, Any]) -> None:
        return None


@dataclass
class Probe:
    """Times each event that demands a reaction to the first ARI request that reaction sends.

    The clock starts when the stream takes the message off the websocket, before parsing it. The
    event is followed through the controller: into its call's lane (``_submit``) and through
    the lane's step for it (``_apply``); the first request sent from inside that step ends the
    sample. Requests sent later in the same step (an ``addChannel`` after the ``stopMoh`` of an
    answered agent leg) wait for Asterisk's answers to the first, so they measure the emulator
    as much as the engine; the agent leg's StasisStart -> ``addChannel`` is reported apart
    (``bridged_ms``).
    """

    events: int = 0
    arriving: float | None = None  # when the message being accepted came off the socket
    causes: dict[int, tuple[float, str]] = field(default_factory=dict)
    pending: dict[asyncio.Task[Any] | None, tuple[float, str]] = field(default_factory=dict)
    legs_answered: dict[str, float] = field(default_factory=dict)
    by_cause_ms: dict[str, list[float]] = field(default_factory=dict)
    bridged_ms: list[float] = field(default_factory=list)

    @property
    def latencies_ms(self) -> list[float]:
        return [latency for samples in self.by_cause_ms.values() for latency in samples]

    def submitted(self, event: object) -> None:
        if self.arriving is None or not isinstance(event, CAUSES):
            return
        self.causes[id(event)] = (self.arriving, type(event).__name__)
        if isinstance(event, LegAnswered):
            self.legs_answered[event.leg_id] = self.arriving

    def step_started(self, event: object) -> None:
        cause = self.causes.pop(id(event), None)
        if cause is not None:
            self.pending[asyncio.current_task()] = cause

    def step_ended(self) -> None:
        self.pending.pop(asyncio.current_task(), None)

    def sent(self, method: str, path: str, query: Mapping[str, str]) -> None:
        now = time.perf_counter()
        cause = self.pending.pop(asyncio.current_task(), None)
        if cause is not None:
            started, kind = cause
            reaction = f"{kind} -> {_command(method, path)}"
            self.by_cause_ms.setdefault(reaction, []).append((now - started) * 1000)
        if path.endswith("/addChannel"):
            answered = self.legs_answered.pop(query.get("channel", ""), None)
            if answered is not None:
                self.bridged_ms.append((now - answered) * 1000)


def _command(method: str, path: str) -> str:
    # "channels/<id>/answer" -> "POST channels/answer": the request's kind, without its ids.
    parts = path.split("/")
    return f"{method} {parts[0]}/{parts[-1]}" if len(parts) > 2 else f"{method} {parts[0]}"


def _instrument(sites: CtiSites, probe: Probe) -> None:
    # Benchmark-only taps on private attributes: the stream's acceptance of each message (before
    # it is parsed), the controller's lane entry and lane step, and every request the ARI
    # client sends. The stream routes inline, so one message's acceptance encloses its submit.
    for runner in sites.runners.values():
        stream, controller = runner.stream, runner.controller
        accept, submit, apply = stream._accept, controller._submit, controller._apply

        def tapped_accept(message: str | bytes, _accept: Any = accept) -> Any:
            probe.events += 1
            probe.arriving = time.perf_counter()
            try:
                return _accept(message)
            finally:
                probe.arriving = None

        def tapped_submit(call_id: str, event: Any, _submit: Any = submit) -> None:
            probe.submitted(event)
            _submit(call_id, event)

        async def tapped_apply(item: tuple[str, Any], _apply: Any = apply) -> None:
            probe.step_started(item[1])
            try:
                await _apply(item)
            finally:
                probe.step_ended()

        stream._accept = tapped_accept  # type: ignore[method-assign]
        controller._submit = tapped_submit  # type: ignore[method-assign]
        controller._lanes._handler = tapped_apply  # the lanes hold the bound method
        runner.client.observe_requests(probe.sent)


@dataclass
class LoopMonitor:
    """Wakes every 5 ms: how late it wakes (the engine's event loop stalls) and calls in flight."""

    sites: CtiSites
    lags_ms: list[float] = field(default_factory=list)
    in_flight: list[int] = field(default_factory=list)

    async def run(self) -> None:
        period = 0.005
        controllers = [runner.controller for runner in self.sites.runners.values()]
        while True:
            before = time.perf_counter()
            await asyncio.sleep(period)
            self.lags_ms.append((time.perf_counter() - before - period) * 1000)
            self.in_flight.append(sum(controller.active_calls for controller in controllers))


def _percentiles(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": round(_percentile(values, 0.50), 2),
        "p99": round(_percentile(values, 0.99), 2),
        "max": round(max(values, default=float("nan")), 2),
    }


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class EmulatorProcess:
    base_url: str
    pid: int

    def cpu_s(self) -> float:
        """CPU seconds the emulator used so far (Linux /proc; NaN elsewhere)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.asynccontextmanager
async def emulator_process(speed: float, race: str) -> AsyncIterator[EmulatorProcess]:
    """The emulator in its own process (its own core)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sys; from cti.emulator.__main__ import main; sys.exit(main(sys.argv[1:]))",
        "--port",
        "0",
        "--speed",
        str(speed),
        "--user",
        "hotline",
        "--password",
        PASSWORD,
        "--race",
        race,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stderr is not None
        banner = (await asyncio.wait_for(process.stderr.readline(), 30)).decode()
        match = re.search(r"(http://127\.0\.0\.1:\d+)/ari", banner)
        if match is None:
            raise RuntimeError(f"the emulator did not start: {banner!r}")
        yield EmulatorProcess(match.group(1), process.pid)
    finally:
        process.terminate()
        await process.wait()


@dataclass(frozen=True)
class Placement:
    """What the call placing process is asked to do."""

    base_url: str
    auth: tuple[str, str]
    script: Mapping[str, Any]
    concurrent: int
    calls: int
    ramp_s: float


@dataclass
class PlacerShared:
    """Counters shared with the call placing process (single writer each, no lock needed)."""

    finished: Synchronized[int]  # written by the engine
    placed: Synchronized[int]  # written by the placer
    cpu_s: Synchronized[float]  # written by the placer when it is done


def _place_calls(
    placement: Placement,
    shared: PlacerShared,
    go: Any,
) -> None:
    """Keep `concurrent` calls in flight until `calls` are placed (runs in its own process).

    The first `concurrent` calls are spread evenly over `ramp_s` seconds: placed at once, they
    all run the same script in step, and their events come in waves.
    """
    go.wait()
    cpu_at_go = time.process_time()  # the interpreter's start-up is not the placer's work
    placed = 0
    started = time.perf_counter()
    with httpx.Client(base_url=placement.base_url, auth=placement.auth, timeout=30) as control:
        while placed < placement.calls:
            in_flight = placed - shared.finished.value
            ramp = (time.perf_counter() - started) / placement.ramp_s if placement.ramp_s else 1.0
            concurrent = placement.concurrent
            allowed = concurrent if ramp >= 1 else max(1, int(concurrent * ramp))
            for _ in range(min(allowed - in_flight, placement.calls - placed)):
                control.post("/_emulator/calls", json=placement.script).raise_for_status()
                placed += 1
                shared.placed.value = placed
            time.sleep(0.005)
    shared.cpu_s.value = time.process_time() - cpu_at_go


@contextlib.asynccontextmanager
async def placer_process(
    placement: Placement,
) -> AsyncIterator[tuple[PlacerShared, Any, Any]]:
    """The call placing loop in a process of its own, started now and held until `go` is set.

    Spawned (not forked) so that the child does not inherit the engine's event loop and
    threads; it starts before the measurement, so its interpreter start-up is not measured.
    """
    context = multiprocessing.get_context("spawn")
    shared = PlacerShared(
        finished=context.Value("i", 0, lock=False),
        placed=context.Value("i", 0, lock=False),
        cpu_s=context.Value("d", float("nan"), lock=False),
    )
    go = context.Event()
    process = context.Process(target=_place_calls, args=(placement, shared, go), daemon=True)
    process.start()
    try:
        yield shared, process, go
    finally:
        if process.is_alive():
            process.terminate()
        await asyncio.to_thread(process.join)


async def _wait_done(director: BenchDirector, placer: Any, timeout_s: float) -> bool:
    """Wait for every call to finish; False on time-out. Fails if the placer died."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(director.done.wait(), timeout=0.5)
            return True
        if placer.exitcode not in (None, 0):
            raise RuntimeError(f"the call placing process failed (exit code {placer.exitcode})")
    return False


async def run(
    concurrent: int,
    calls: int,
    speed: float,
    talk_s: float,
    race: str = "events_first",
    rest: RestTransport = "http",
    ramp_s: float = 0.0,
    db: str | None = None,
) -> dict[str, Any]:
    if db is None:
        return await _run(concurrent, calls, speed, talk_s, race, rest, ramp_s, None)
    agents = [f"PJSIP/{7000 + n}" for n in range(concurrent)]
    async with cti_db.bench_database(db, agents) as database:
        book = cti_db.CallBook(database)
        book.writes.start()
        await book.recorder.prime()
        try:
            result = await _run(concurrent, calls, speed, talk_s, race, rest, ramp_s, book)
        finally:
            await book.close()
        rows = await cti_db.count_rows(database.url)
    result["database"] = {
        "kind": db,
        **result.pop("_writes"),
        "rows": rows,
        # Every call the engine saw has its row, closed, once the queue drained.
        "lost_call_records": result["calls"] - rows["calls_closed"],
    }
    return result


async def _run(
    concurrent: int,
    calls: int,
    speed: float,
    talk_s: float,
    race: str,
    rest: RestTransport,
    ramp_s: float,
    book: Any,
) -> dict[str, Any]:
    agents = [f"PJSIP/{7000 + n}" for n in range(concurrent)]
    if book is None:
        director = BenchDirector(agents, target=calls)
    else:
        director = cti_db.recording(BenchDirector, book)(agents, target=calls)
    lag_ms: list[float] = []
    auth = ("hotline", PASSWORD)
    script = {
        "press_on_prompt": {PLAN.greeting: "1"},
        "hangup_after_answer_s": talk_s * 20 + 600,
    }
    async with (
        emulator_process(speed, race) as emulator,
        httpx.AsyncClient(base_url=emulator.base_url, auth=auth, timeout=30) as control,
        placer_process(Placement(emulator.base_url, auth, script, concurrent, calls, ramp_s)) as (
            shared,
            placer,
            go,
        ),
    ):
        director.shared_finished = shared.finished
        for agent in agents:
            added = await control.post(
                "/_emulator/endpoints",
                json={"endpoint": agent, "answer_after_s": 1.0, "talk_s": talk_s},
            )
            added.raise_for_status()
        site = SiteConfig("bench", emulator.base_url, "hotline", PASSWORD, rest_transport=rest)
        sites = CtiSites(
            [site], director, options=ControllerOptions(media=MEDIA, timer_scale=speed)
        )
        director.control = sites
        probe = Probe()
        _instrument(sites, probe)
        sites.start()
        await sites.wait_connected(30)
        started = time.perf_counter()
        engine_cpu, process_cpu = time.thread_time(), time.process_time()
        emulator_cpu = emulator.cpu_s()
        # The load generator runs in a process of its own, so that it neither takes the
        # engine's GIL nor counts in the engine's CPU time.
        monitor = LoopMonitor(sites)
        watching = asyncio.create_task(monitor.run())
        lagging = (
            None if book is None else asyncio.create_task(cti_db.sample_lag(book.writes, lag_ms))
        )
        go.set()
        timed_out = not await _wait_done(director, placer, 2 * (60 + calls * talk_s / speed))
        placed = shared.placed.value
        elapsed = time.perf_counter() - started
        engine_cpu = time.thread_time() - engine_cpu
        process_cpu = time.process_time() - process_cpu
        emulator_cpu = emulator.cpu_s() - emulator_cpu
        watching.cancel()
        if lagging is not None:
            lagging.cancel()
        drain_s = 0.0
        if book is not None:
            drained = time.perf_counter()
            await book.writes.flush()
            drain_s = time.perf_counter() - drained
        await sites.stop()
    # Calls in flight once the ramp is over and before the last calls drain away.
    steady = monitor.in_flight[int(len(monitor.in_flight) * ramp_s / elapsed) :]
    steady = [count for count in steady if count >= 0.9 * concurrent] or steady
    writes: dict[str, Any] = {}
    if book is not None:
        stats = book.writes.stats
        writes = {
            "write_lag_ms": _percentiles(lag_ms),
            "drain_after_last_call_s": round(drain_s, 3),
            "writes": stats.written,
            "write_batches": stats.batches,
            "write_failed": stats.failed,
            "write_retries": stats.retries,
            "queue_full_waits": stats.full_waits,
        }
    return {
        "_writes": writes,
        "concurrent": concurrent,
        "calls": calls,
        "speed": speed,
        "race": race,
        "rest": rest,
        "ramp_s": ramp_s,
        "talk_s_emulated": talk_s,
        "elapsed_s": round(elapsed, 2),
        "calls_per_s": round(director.finished / elapsed, 1),
        "events_per_s": round(probe.events / elapsed, 1),
        "events": probe.events,
        # CPU seconds spent: on a shared machine, events per engine CPU second says more about
        # the engine than events per wall second.
        "engine_cpu_s": round(engine_cpu, 2),
        "process_cpu_s": round(process_cpu, 2),  # the engine's process, all its threads
        "placer_cpu_s": round(shared.cpu_s.value, 2),  # the call placing process
        "emulator_cpu_s": round(emulator_cpu, 2),
        "events_per_engine_cpu_s": round(probe.events / engine_cpu, 1) if engine_cpu else None,
        "p50_ms": round(_percentile(probe.latencies_ms, 0.50), 2),
        "p99_ms": round(_percentile(probe.latencies_ms, 0.99), 2),
        "latency_samples": len(probe.latencies_ms),
        "latency_by_reaction_ms": {
            reaction: _percentiles(values) for reaction, values in sorted(probe.by_cause_ms.items())
        },
        # An answered agent leg's StasisStart -> its addChannel: two requests, with the
        # emulator's answer to the first in between.
        "bridged_ms": _percentiles(probe.bridged_ms),
        "loop_lag_ms": _percentiles(monitor.lags_ms),
        "in_flight_steady": {
            "samples": len(steady),
            "mean": round(sum(steady) / len(steady), 1) if steady else None,
            "max": max(monitor.in_flight, default=0),
        },
        "answered": director.answered,
        "offer_failures": director.failures,
        "lost": placed - director.arrived,
        "stuck": director.arrived - director.finished,
        "timed_out": timed_out,
        "machine": f"{platform.machine()} {platform.python_implementation()} "
        f"{platform.python_version()}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrent", type=int, default=300, help="calls kept in flight")
    parser.add_argument("--calls", type=int, default=3000, help="calls to push through")
    parser.add_argument("--speed", type=float, default=10.0, help="emulator speed factor")
    parser.add_argument("--talk", type=float, default=30.0, help="emulated talk time (s)")
    parser.add_argument(
        "--race",
        default="events_first",
        help="the emulator's event/response order: events_first | response_first | random(N)",
    )
    parser.add_argument(
        "--rest",
        choices=("http", "websocket"),
        default="websocket",
        help="how the engine sends ARI requests: HTTP, or REST over a websocket (Asterisk 22)",
    )
    parser.add_argument(
        "--ramp",
        type=float,
        default=10.0,
        help="seconds over which the first calls are spread (0: all at once)",
    )
    parser.add_argument(
        "--db",
        choices=("sqlite", "postgresql"),
        default=None,
        help="keep the real service's books (write queue, call rows, journal, agent state log) "
        "in a new database of this kind (PostgreSQL: HOTLINE_BENCH_POSTGRES_URL, default "
        "the local server)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = asyncio.run(
        run(
            args.concurrent,
            args.calls,
            args.speed,
            args.talk,
            args.race,
            args.rest,
            args.ramp,
            args.db,
        )
    )
    result.pop("_writes", None)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>18}: {value}")
    if result["lost"] or result["stuck"] or result.get("database", {}).get("lost_call_records"):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
