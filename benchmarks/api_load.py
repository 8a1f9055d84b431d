"""API load while calls flow: concurrent supervisors on the read endpoints during a demo run.

The demo (service on SQLite, ARI emulator, simulated taxpayers and agents, in a process of its
own) takes `--calls` taxpayer calls; meanwhile `--clients` concurrent clients, signed in as the
demo supervisor, read `/api/v1/calls`, `/api/v1/queues` and `/api/v1/workorders` in turn, as
fast as they are answered. Once the last call is placed the load goes on for `--tail` seconds
(calls in progress finish), then the demo stops (its write queue drains) and its database is
read back.

Measured:
* requests, errors (any status but 200, or a failed request) and latency p50 / p99 / max, in all
  and per endpoint;
* lost_call_records: taxpayer calls placed by the demo without their call row in the database
  (calls still in progress when the demo stopped have their row, without an end);
* the service's event-loop lag during the load, and the part of it the service held its loop
  itself (``hotline_event_loop_held_seconds``: the lag less the loop thread's waits for a CPU,
  which on a shared machine are most of the tail), from its `/metrics` (read as the supervisor)
  before and after: p99 and the bucket of the largest sample, from the difference of the
  `hotline_event_loop_lag_seconds` histogram (so the demo's start-up is left out), and
  `hotline_event_loop_lag_max_seconds` (the largest since the service started);
* the CPU seconds the service process (the demo) and the load client spent during the load,
  and the service's CPU milliseconds per request: on a machine shared with other work this is
  the figure to compare between runs, as latency follows whatever CPU the machine leaves;
  ``api_ms_per_request`` also takes out the demo's own CPU (its calls, emulator and agents,
  measured for ``--idle`` seconds with no client before the load), which otherwise weighs more
  per request when a busy machine lets fewer requests through;
* the load average before and after (the machine is shared).

The load client is a lean HTTP/1.1 keep-alive client on asyncio streams (``--client raw``, the
default): httpx, a fine client for the service's own calls, spends about a millisecond of CPU per
request, which on two cores is taken from the service under test. ``--client httpx`` keeps the
earlier client for comparison. ``--ari-transport websocket`` has the demo send its ARI commands
as REST over the websocket (the service's ``ari_rest_transport``, Asterisk 22+).

The service's fixes for the latency tail can each be turned off to compare (issue 11):
``--api-concurrency 0`` (no first-come-first-served line for the API's reads),
``--no-gc-freeze``, ``--stock-aiosqlite`` (four trips to aiosqlite's thread per statement),
``--no-write-turn`` (the API's SQLite writers all go to SQLite's lock at once). The result also
gives the collector's pauses in the service during the load (``gc_in_service_during_load``, wall
and CPU time per generation) and the audit entries the supervisors' reads wrote.

    python benchmarks/api_load.py --json                 # 50 clients, 200 calls
    python benchmarks/api_load.py --clients 10 --calls 20 --json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import re
import socket
import sqlite3
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path, and benchmarks/routing.py would
# then shadow the `routing` package the service imports.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import httpx  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families  # noqa: E402

ENDPOINTS = ("/api/v1/calls", "/api/v1/queues", "/api/v1/workorders")
EXAMPLE = _HERE.parent / "examples" / "hangzhou.yaml"
PLACED = re.compile(r"demo: (\d+) calls placed")
LAG = "hotline_event_loop_lag_seconds"
LAG_MAX = "hotline_event_loop_lag_max_seconds"
HELD = "hotline_event_loop_held_seconds"


# ------------------------------------------------------------------------ the demo (child)
def run_child(args: argparse.Namespace) -> None:
    """The demo, with arrivals stopping after `--calls` taxpayers; prints the count at exit."""
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    from hotline.auth.passwords import set_hasher
    from hotline.demo import DemoOptions
    from hotline.demo import runner as demo_runner
    from hotline.demo.taxpayers import arrival_gaps, make_caller

    # As `hotline demo` does: the demo's passwords are public, light hashing starts it fast.
    set_hasher(PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8192, parallelism=1),)))

    async def limited(emulator: Any, options: Any, rng: Any, stats: Any) -> None:
        for gap in arrival_gaps(rng, options.calls_per_minute):
            if stats.placed >= args.calls:
                return
            await asyncio.sleep(gap / options.speed)
            emulator.place_call(make_caller(rng).script)
            stats.placed += 1

    demo_runner.place_taxpayers = limited  # benchmark-only: a fixed number of calls
    if args.gc_threshold0:
        # An experiment, not a service setting: fewer young collections (Python's default: 700).
        gc.set_threshold(args.gc_threshold0, *gc.get_threshold()[1:])
    from hotline.db import session as db_session

    db_session.SQLITE_ONE_HOP = not args.stock_aiosqlite
    db_session.SQLITE_WRITE_TURN = not args.no_write_turn
    pauses = _watch_gc()
    options = DemoOptions(
        port=args.port,
        calls_per_minute=args.rate,
        agents=args.agents,
        database=Path(args.database),
        seed=args.seed,
        example=EXAMPLE,
        speed=args.speed,
        status_s=1.0,
    )
    stats = demo_runner.run_demo_on_uvloop(options)
    collector: dict[str, Any] = {
        "pauses": pauses.raw(),
        "objects_tracked_at_exit": len(gc.get_objects()),
        "objects_frozen": gc.get_freeze_count(),
    }
    summary = {"placed": stats.placed, "agents": len(stats.agents_ready), "gc": collector}
    print(json.dumps(summary), flush=True)


@dataclass
class GcPauses:
    """The collector's pauses in the demo process, per generation (``gc.callbacks``)."""

    started: tuple[float, float] = (0.0, 0.0)
    # Per generation: (wall ms, CPU ms of the collecting thread) of each collection. The wall
    # time includes waits for a CPU on a busy machine; the CPU time is the comparable figure.
    # Each with its end on the system's monotonic clock, which the parent process shares: the
    # parent keeps the collections made during the load (start-up's, and the collection of the
    # service's gc.freeze, are left out).
    by_generation: dict[int, list[tuple[float, float, float]]] = field(default_factory=dict)

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.started = (time.perf_counter(), time.thread_time())
        else:
            wall = 1000 * (time.perf_counter() - self.started[0])
            cpu = 1000 * (time.thread_time() - self.started[1])
            self.by_generation.setdefault(info["generation"], []).append(
                (time.monotonic(), wall, cpu)
            )

    def raw(self) -> dict[str, list[list[float]]]:
        return {
            f"gen{generation}": [[round(x, 4) for x in pause] for pause in pauses]
            for generation, pauses in sorted(self.by_generation.items())
        }


def _gc_during(raw: dict[str, list[list[float]]], start: float, end: float) -> dict[str, Any]:
    """The service's collections that ended between ``start`` and ``end`` (monotonic s)."""
    summary: dict[str, Any] = {}
    for generation, pauses in raw.items():
        kept = [(wall, cpu) for at, wall, cpu in pauses if start <= at <= end]
        summary[generation] = {
            "count": len(kept),
            "wall_total_ms": round(sum(wall for wall, _ in kept), 1),
            "wall_max_ms": round(max((wall for wall, _ in kept), default=0.0), 1),
            "cpu_total_ms": round(sum(cpu for _, cpu in kept), 1),
            "cpu_max_ms": round(max((cpu for _, cpu in kept), default=0.0), 1),
        }
    return summary


def _watch_gc() -> GcPauses:
    pauses = GcPauses()
    gc.callbacks.append(pauses)
    return pauses


# ------------------------------------------------------------------------- the load (parent)
@dataclass
class Samples:
    by_endpoint: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)

    def add(self, endpoint: str, ms: float) -> None:
        self.by_endpoint.setdefault(endpoint, []).append(ms)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": round(_percentile(values, 0.5), 1),
        "p99": round(_percentile(values, 0.99), 1),
        "max": round(max(values, default=float("nan")), 1),
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Demo:
    process: asyncio.subprocess.Process
    base_url: str
    placed: int = 0
    log: list[str] = field(default_factory=list)

    async def follow(self) -> None:
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            line = raw.decode(errors="replace").rstrip()
            self.log.append(line)
            found = PLACED.search(line)
            if found:
                self.placed = int(found.group(1))


@contextlib.asynccontextmanager
async def demo_process(args: argparse.Namespace, database: Path) -> AsyncIterator[Demo]:
    port = _free_port()
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--port", str(port)]
    command += ["--database", str(database), "--calls", str(args.calls), "--rate", str(args.rate)]
    command += ["--speed", str(args.speed), "--agents", str(args.agents), "--seed", str(args.seed)]
    command += ["--stock-aiosqlite"] if args.stock_aiosqlite else []
    command += ["--no-write-turn"] if args.no_write_turn else []
    command += ["--gc-threshold0", str(args.gc_threshold0)]
    process = await asyncio.create_subprocess_exec(
        *command,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(sys.path),
            "HOTLINE_ARI_REST_TRANSPORT": args.ari_transport,
            **(
                {"HOTLINE_API_CONCURRENCY": str(args.api_concurrency)}
                if args.api_concurrency is not None
                else {}
            ),
            **({"HOTLINE_GC_FREEZE_AFTER_START": "false"} if args.no_gc_freeze else {}),
        },
    )
    demo = Demo(process, f"http://127.0.0.1:{port}")
    following = asyncio.create_task(demo.follow())
    try:
        yield demo
    finally:
        if process.returncode is None:
            process.terminate()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), 120)
        following.cancel()


async def _wait_ready(http: httpx.AsyncClient, demo: Demo, timeout_s: float = 180) -> str:
    """The supervisor's token once the demo has logged its agents in (the banner is printed)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if demo.process.returncode is not None:
            raise RuntimeError("the demo stopped:\n" + "\n".join(demo.log[-30:]))
        if any("demo:" in line or "http://127.0.0.1" in line for line in demo.log):
            with contextlib.suppress(httpx.HTTPError):
                token = await http.post(
                    "/api/v1/auth/token",
                    data={"username": "supervisor", "password": "hotline-demo"},
                )
                if token.status_code == 200:
                    return str(token.json()["access_token"])
        await asyncio.sleep(0.5)
    raise RuntimeError("the demo did not start:\n" + "\n".join(demo.log[-30:]))


class RawConnection:
    """One keep-alive HTTP/1.1 connection that sends GETs and reads each whole answer.

    Hand-written rather than a library client because the benchmark must leave the CPU to the
    service: this does no URL or header modelling, only what a GET of a JSON answer needs
    (``Content-Length`` or chunked bodies, and reconnecting when the server closes)."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self._head = f"Host: {host}:{port}\r\n{extra}\r\n"
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        """The answer's status code; raises ``OSError`` or ``asyncio.IncompleteReadError``
        when the connection fails (the next call opens a new one)."""
        if self._writer is None or self._writer.is_closing():
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        try:
            self._writer.write(f"GET {path} HTTP/1.1\r\n{self._head}".encode())
            head = await self._reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            fields = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                fields[name.strip().lower()] = value.strip()
            if fields.get("transfer-encoding", "").lower() == "chunked":
                await self._skip_chunks()
            else:
                await self._reader.readexactly(int(fields.get("content-length", "0")))
            if fields.get("connection", "").lower() == "close":
                await self.close()
            return status
        except BaseException:
            await self.close()
            raise

    async def _skip_chunks(self) -> None:
        assert self._reader is not None
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await self._reader.readexactly(size + 2)
            if size == 0:
                return

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
        self._reader = self._writer = None


async def _raw_client(
    base_url: str, headers: dict[str, str], first: int, stop: asyncio.Event, got: Samples
) -> None:
    url = httpx.URL(base_url)
    connection = RawConnection(url.host, url.port or 80, headers)
    turn = first
    try:
        while not stop.is_set():
            endpoint = ENDPOINTS[turn % len(ENDPOINTS)]
            turn += 1
            started = time.perf_counter()
            try:
                status = await connection.get(endpoint)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                got.error(f"{endpoint}: {type(exc).__name__}")
                continue
            got.add(endpoint, (time.perf_counter() - started) * 1000)
            if status != 200:
                got.error(f"{endpoint}: {status}")
    finally:
        await connection.close()


async def _client(
    http: httpx.AsyncClient, headers: dict[str, str], first: int, stop: asyncio.Event, got: Samples
) -> None:
    turn = first
    while not stop.is_set():
        endpoint = ENDPOINTS[turn % len(ENDPOINTS)]
        turn += 1
        started = time.perf_counter()
        try:
            response = await http.get(endpoint, headers=headers)
        except httpx.HTTPError as exc:
            got.error(f"{endpoint}: {type(exc).__name__}")
            continue
        got.add(endpoint, (time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            got.error(f"{endpoint}: {response.status_code}")


async def _lag_metrics(
    http: httpx.AsyncClient, headers: dict[str, str]
) -> dict[str, dict[str, float]]:
    """The cumulative bucket counts (by upper bound) of the loop-lag histogram and of the held
    one (the lag less waits for a CPU), and the max gauge (in the lag's, as ``max``)."""
    response = await http.get("/metrics", headers=headers)
    response.raise_for_status()
    found: dict[str, dict[str, float]] = {LAG: {}, HELD: {}}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            for name in (LAG, HELD):
                if sample.name == f"{name}_bucket":
                    found[name][sample.labels["le"]] = sample.value
            if sample.name == LAG_MAX:
                found[LAG]["max"] = sample.value
    return found


def _lag_during(before: dict[str, float], after: dict[str, float]) -> dict[str, Any]:
    """p99 (interpolated inside its bucket, as Prometheus' histogram_quantile) and the upper bound
    of the bucket holding the largest sample, over the samples taken between the two scrapes."""
    bounds = sorted((float(le), le) for le in after if le != "max")
    counts = [(bound, after[le] - before.get(le, 0.0)) for bound, le in bounds]
    total = counts[-1][1] if counts else 0.0
    result: dict[str, Any] = {"samples": int(total)}
    if total <= 0:
        return result
    rank, lower, below = 0.99 * total, 0.0, 0.0
    for bound, cumulative in counts:
        if cumulative >= rank:
            inside = cumulative - below
            share = (rank - below) / inside if inside else 1.0
            top = bound if bound != float("inf") else lower
            result["p99_ms"] = round((lower + (top - lower) * share) * 1000, 1)
            break
        lower, below = bound, cumulative
    lower = 0.0
    for bound, cumulative in counts:
        if cumulative >= total:
            result["max_bucket_ms"] = f"{lower * 1000:g}-{bound * 1000:g}"
            break
        lower = bound
    if "max" in after:
        result["max_since_start_ms"] = round(after["max"] * 1000, 1)
    return result


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu_s() -> float:
    times = os.times()
    return times.user + times.system


def _records(database: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(database)) as connection:

        def one(sql: str) -> int:
            return int(connection.execute(sql).fetchone()[0])

        return {
            "inbound_calls": one("SELECT count(*) FROM call WHERE kind = 'inbound'"),
            "inbound_closed": one(
                "SELECT count(*) FROM call WHERE kind = 'inbound' AND ended_at IS NOT NULL"
            ),
            "callback_calls": one("SELECT count(*) FROM call WHERE kind = 'callback'"),
            "journal_entries": one("SELECT count(*) FROM call_event"),
            "work_orders": one("SELECT count(*) FROM work_order"),
            # Each unmasked page of work orders a supervisor reads is an audit entry: a write.
            "personal_data_read_audits": one(
                "SELECT count(*) FROM audit_log WHERE action = 'personal_data_read'"
            ),
        }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="hotline-api-load-") as folder:
        database = Path(folder) / "demo.db"
        async with demo_process(args, database) as demo:
            limits = httpx.Limits(
                max_connections=args.clients, max_keepalive_connections=args.clients
            )
            async with httpx.AsyncClient(base_url=demo.base_url, timeout=60, limits=limits) as http:
                token = await _wait_ready(http, demo)
                headers = {"Authorization": f"Bearer {token}"}
                lag_before = await _lag_metrics(http, headers)
                got, stop = Samples(), asyncio.Event()
                # The demo's own CPU (calls, emulator, simulated agents) while no client reads,
                # so the API's share can be told apart when the request rate differs between
                # runs (on a busy machine the demo's fixed cost weighs more per request).
                idle_cpu = _cpu_s(demo.process.pid)
                await asyncio.sleep(args.idle)
                demo_cpu_per_s = (_cpu_s(demo.process.pid) - idle_cpu) / args.idle
                service_cpu, client_cpu = _cpu_s(demo.process.pid), _own_cpu_s()
                started, load_from = time.perf_counter(), time.monotonic()
                if args.client == "raw":
                    clients = [
                        asyncio.create_task(_raw_client(demo.base_url, headers, n, stop, got))
                        for n in range(args.clients)
                    ]
                else:
                    clients = [
                        asyncio.create_task(_client(http, headers, n, stop, got))
                        for n in range(args.clients)
                    ]
                while demo.placed < args.calls and demo.process.returncode is None:
                    await asyncio.sleep(0.5)
                await asyncio.sleep(args.tail)
                stop.set()
                await asyncio.gather(*clients)
                elapsed, load_to = time.perf_counter() - started, time.monotonic()
                service_cpu = _cpu_s(demo.process.pid) - service_cpu
                client_cpu = _own_cpu_s() - client_cpu
                lag_after = await _lag_metrics(http, headers)
                lag = _lag_during(lag_before[LAG], lag_after[LAG])
                held = _lag_during(lag_before[HELD], lag_after[HELD])
            demo.process.terminate()
            assert demo.process.stdout is not None
            out = (await demo.process.stdout.read()).decode()
            await demo.process.wait()
        # The service's own error lines, to tell a failed request's cause (the demo logs them).
        service_errors = [line for line in demo.log if re.search(r"\berror\b|Traceback", line)]
        last = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
        placed = last.get("placed", demo.placed)
        records = _records(database)
    every = [ms for samples in got.by_endpoint.values() for ms in samples]
    return {
        "clients": args.clients,
        "calls_placed": placed,
        "elapsed_s": round(elapsed, 1),
        "requests": len(every),
        "requests_per_s": round(len(every) / elapsed, 1),
        "errors": sum(got.errors.values()),
        "errors_by_kind": got.errors,
        "service_error_lines": service_errors[-10:],
        "latency_ms": _summary(every),
        "cpu_s": {
            "service": round(service_cpu, 1),
            "client": round(client_cpu, 1),
            "service_ms_per_request": round(1000 * service_cpu / max(1, len(every)), 2),
            "client_ms_per_request": round(1000 * client_cpu / max(1, len(every)), 2),
            "demo_alone_cpu_per_s": round(demo_cpu_per_s, 3),
            "api_ms_per_request": round(
                1000 * max(0.0, service_cpu - demo_cpu_per_s * elapsed) / max(1, len(every)), 2
            ),
        },
        "latency_by_endpoint_ms": {e: _summary(v) for e, v in sorted(got.by_endpoint.items())},
        "event_loop_lag": lag,
        "event_loop_held": held,
        "gc_in_service_during_load": {
            **_gc_during(last.get("gc", {}).get("pauses", {}), load_from, load_to),
            "objects_tracked_at_exit": last.get("gc", {}).get("objects_tracked_at_exit"),
            "objects_frozen": last.get("gc", {}).get("objects_frozen"),
        },
        "records": records,
        "lost_call_records": placed - records["inbound_calls"],
        "calls_open_at_stop": records["inbound_calls"] - records["inbound_closed"],
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "demo": {
            "rate_per_min": args.rate,
            "speed": args.speed,
            "agents": args.agents,
            "ari_transport": args.ari_transport,
            "api_concurrency": args.api_concurrency,
            "gc_freeze_after_start": not args.no_gc_freeze,
            "sqlite_one_hop": not args.stock_aiosqlite,
            "sqlite_write_turn": not args.no_write_turn,
            "gc_threshold0": args.gc_threshold0 or None,
        },
        "client": args.client,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent API clients")
    parser.add_argument("--calls", type=int, default=200, help="taxpayer calls the demo places")
    parser.add_argument("--rate", type=float, default=20.0, help="calls per emulated minute")
    parser.add_argument("--speed", type=float, default=10.0, help="emulated s per real s")
    parser.add_argument("--agents", type=int, default=30, help="simulated agents")
    parser.add_argument("--tail", type=float, default=15.0, help="load after the last call (s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--idle", type=float, default=10.0, help="s of the demo alone, before the load"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--client", choices=("raw", "httpx"), default="raw", help="the load client (see above)"
    )
    parser.add_argument(
        "--ari-transport",
        choices=("http", "websocket"),
        default="http",
        help="how the demo's service sends ARI commands (ari_rest_transport)",
    )
    parser.add_argument(
        "--api-concurrency",
        type=int,
        default=None,
        help="the service's api_concurrency (API reads served at once; 0: no limit)",
    )
    parser.add_argument(
        "--no-gc-freeze", action="store_true", help="the service's gc_freeze_after_start off"
    )
    parser.add_argument(
        "--stock-aiosqlite",
        action="store_true",
        help="SQLAlchemy's aiosqlite adapter (four trips per statement) instead of the service's",
    )
    parser.add_argument(
        "--no-write-turn",
        action="store_true",
        help="the API's SQLite writers go to SQLite's lock at once (no turn in the process)",
    )
    parser.add_argument(
        "--gc-threshold0",
        type=int,
        default=0,
        help="the service process's first garbage-collection threshold (Python's default 700)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--database", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args)
        return
    import uvloop  # the client's loop too: less of the two cores for the client

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        result = runner.run(run(args))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>24}: {value}")
    if result["errors"] or result["lost_call_records"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
