"""The floor at scale: 2,000 logged-in agents and 50 open wallboards (supervisors' SSE streams).

What is measured: the latency from an agent's state change to its event reaching every open
wallboard, and the CPU of the service process that carries them.

The service runs in a process of its own (this script's ``--child`` mode): the example centre
with its agents replaced by ``--agents`` generated ones (skills spread over the three lines),
SQLite, live telephony with a call control that does nothing (no calls are placed: only agent
states move), every agent logged in and ready. This process is the clients: a supervisor's 50
``/api/v1/wallboard/events`` streams (httpx, one connection each) and a driver that forces
agents ready / not ready through ``PUT /api/v1/agents/{id}/state`` at ``--rate`` changes per
second, the way a supervisor's clicks and the agents' own desks do.

Latency: each ``state`` event carries ``since``, the moment routing applied the change (the
service's wall clock); a client subtracts it from its own wall clock (same host) on receipt.
So it spans routing, the state log write, the bus, the SSE framing and the socket, for each
of the 50 clients. CPU: ``/proc/<pid>`` of the service over ``--window`` seconds, first with
the streams open and nothing changing (baseline), then while the changes flow.

    ./dev python benchmarks/wallboard.py --json                       # 2,000 agents, 50 boards
    ./dev python benchmarks/wallboard.py --agents 200 --window 5 --json   # quick
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

# Run as a script, this file's folder comes first on sys.path, and benchmarks/routing.py would
# then shadow the `routing` package the service imports.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import httpx  # noqa: E402
import yaml  # noqa: E402

EXAMPLE = _HERE.parent / "examples" / "hangzhou.yaml"
PASSWORD = "wallboard-bench-" + os.urandom(6).hex()
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
LINES = ("national_tax", "local_tax", "finance")
READY_LINE = "wallboard-bench: ready"


# --------------------------------------------------------------------- the service (child)
class NoCalls:
    """A call control for a centre where no call is placed: every command is accepted and
    does nothing (only agent states move in this benchmark)."""

    def __getattr__(self, name: str) -> Callable[..., Awaitable[None]]:
        async def accepted(*_args: Any, **_kwargs: Any) -> None:
            return None

        return accepted


def centre(agents: int) -> dict[str, Any]:
    """The example centre (sites, skills, people) with ``agents`` generated agents on hz."""
    document: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    generated = []
    for n in range(agents):
        first = LINES[n % 3]
        generated.append(
            {
                "code": f"B{n + 1:04d}",
                "name": f"坐席{n + 1:04d}",
                "languages": ["zh"],
                "skills": {line: (1 if line == first else 2) for line in LINES},
                "endpoints": {"hz": f"PJSIP/{20000 + n}"},
            }
        )
    document["agents"] = generated
    return document


async def child(args: argparse.Namespace) -> None:
    from sqlalchemy import select

    from cti.calls.ports import CallControl
    from hotline.config import Settings
    from hotline.db.models import Agent
    from hotline.demo.runner import import_centre, serving
    from hotline.main import create_app
    from hotline.telephony import TELEPHONY_KEY, TelephonyService, telephony_component

    settings = Settings(database_url=f"sqlite+aiosqlite:///{args.database}")
    await import_centre(settings, centre(args.agents))
    control = cast(CallControl, NoCalls())
    app = create_app(settings, components=[telephony_component(control)])
    async with serving(app, args.port):
        service: TelephonyService = app.state.hotline.extras[TELEPHONY_KEY]
        async with app.state.hotline.sessionmaker() as session:
            ids = list(await session.scalars(select(Agent.id).order_by(Agent.id)))

        async def ready(agent_id: int) -> None:
            await service.agents.login(agent_id, site="hz")
            await service.agents.set_ready(agent_id)

        for start in range(0, len(ids), 50):
            await asyncio.gather(*(ready(i) for i in ids[start : start + 50]))
        await service.flush()
        print(READY_LINE, json.dumps(ids), flush=True)
        await asyncio.Event().wait()  # until the benchmark terminates this process


# ------------------------------------------------------------------- the clients (parent)
def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Service:
    process: asyncio.subprocess.Process
    base_url: str
    log: list[str] = field(default_factory=list)

    async def follow(self) -> None:
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            self.log.append(raw.decode(errors="replace").rstrip())
            del self.log[:-200]

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


@contextlib.asynccontextmanager
async def service_process(args: argparse.Namespace, database: Path) -> Any:
    port = _free_port()
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--port", str(port)]
    command += ["--database", str(database), "--agents", str(args.agents)]
    process = await asyncio.create_subprocess_exec(
        *command,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(sys.path),
            "HOTLINE_DEMO_PASSWORD": PASSWORD,
            # The example's site names its ARI password by variable; no ARI is reached here.
            "HOTLINE_DEMO_ARI_PASSWORD": PASSWORD,
        },
    )
    service = Service(process, f"http://127.0.0.1:{port}")
    following = asyncio.create_task(service.follow())
    try:
        yield service
    finally:
        if process.returncode is None:
            process.terminate()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), 60)
        following.cancel()


async def _agent_ids(service: Service) -> list[int]:
    assert service.process.stdout is not None
    async with asyncio.timeout(900):
        async for raw in service.process.stdout:
            line = raw.decode().strip()
            if line.startswith(READY_LINE):
                return [int(i) for i in json.loads(line.removeprefix(READY_LINE))]
    raise RuntimeError("the service stopped:\n" + "\n".join(service.log[-30:]))


@dataclass
class Boards:
    opened: int = 0
    failed: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    measuring: bool = False
    states: int = 0
    all_open: asyncio.Event = field(default_factory=asyncio.Event)
    target: int = 0

    def _check(self) -> None:
        if self.opened + sum(self.failed.values()) >= self.target:
            self.all_open.set()


async def _board(http: httpx.AsyncClient, token: str, boards: Boards) -> None:
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    try:
        async with http.stream("GET", "/api/v1/wallboard/events", headers=headers) as response:
            if response.status_code != 200:
                boards.failed[str(response.status_code)] = (
                    boards.failed.get(str(response.status_code), 0) + 1
                )
                boards._check()
                return
            boards.opened += 1
            boards._check()
            event = ""
            async for line in response.aiter_lines():
                if line.startswith("event: "):
                    event = line.removeprefix("event: ")
                elif line.startswith("data: ") and event == "state":
                    received = time.time()
                    since = json.loads(line.removeprefix("data: ")).get("since")
                    if boards.measuring and since:
                        changed = datetime.fromisoformat(since).timestamp()
                        boards.latencies_ms.append((received - changed) * 1000)
                        boards.states += 1
    except httpx.HTTPError as exc:
        name = type(exc).__name__
        boards.failed[name] = boards.failed.get(name, 0) + 1
        boards._check()


async def _drive(
    http: httpx.AsyncClient, token: str, ids: list[int], rate: float, window_s: float
) -> dict[str, int]:
    """Force agents not ready / ready again at ``rate`` per second for ``window_s``."""
    headers = {"Authorization": f"Bearer {token}"}
    done = {"changes": 0, "refused": 0}
    away: set[int] = set()
    interval = 1.0 / rate
    started = time.monotonic()
    pending: set[asyncio.Task[None]] = set()

    async def change(agent_id: int) -> None:
        body: dict[str, str] = (
            {"state": "ready"} if agent_id in away else {"state": "not_ready", "reason": "break"}
        )
        response = await http.put(f"/api/v1/agents/{agent_id}/state", json=body, headers=headers)
        if response.status_code == 200:
            done["changes"] += 1
            away.symmetric_difference_update({agent_id})
        else:
            done["refused"] += 1

    n = 0
    while time.monotonic() - started < window_s:
        task = asyncio.create_task(change(ids[n % len(ids)]))
        pending.add(task)
        task.add_done_callback(pending.discard)
        n += 1
        await asyncio.sleep(max(0.0, started + n * interval - time.monotonic()))
    await asyncio.gather(*pending)
    return done


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="hotline-wallboard-") as folder:
        async with service_process(args, Path(folder) / "floor.db") as service:
            ids = await _agent_ids(service)
            limits = httpx.Limits(max_connections=args.boards + 20, max_keepalive_connections=20)
            async with httpx.AsyncClient(
                base_url=service.base_url, timeout=httpx.Timeout(60, read=None), limits=limits
            ) as http:
                token_response = await http.post(
                    "/api/v1/auth/token", data={"username": "supervisor", "password": PASSWORD}
                )
                token_response.raise_for_status()
                token = str(token_response.json()["access_token"])
                boards = Boards(target=args.boards)
                tasks = [
                    asyncio.create_task(_board(http, token, boards)) for _ in range(args.boards)
                ]
                await asyncio.wait_for(boards.all_open.wait(), timeout=300)
                await asyncio.sleep(1.0)
                cpu, wall = service.cpu_s(), time.monotonic()
                await asyncio.sleep(args.window)
                idle_cpu = 100 * (service.cpu_s() - cpu) / (time.monotonic() - wall)
                boards.measuring = True
                cpu, wall = service.cpu_s(), time.monotonic()
                driven = await _drive(http, token, ids, args.rate, args.window)
                busy_cpu = 100 * (service.cpu_s() - cpu) / (time.monotonic() - wall)
                await asyncio.sleep(2.0)  # the last events reach the boards
                boards.measuring = False
                still_open = sum(1 for t in tasks if not t.done())
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
    lat = boards.latencies_ms
    expected = driven["changes"] * boards.opened
    return {
        "agents": len(ids),
        "boards": args.boards,
        "opened": boards.opened,
        "failed": boards.failed,
        "still_open_at_end": still_open,
        "rate_per_s": args.rate,
        "window_s": args.window,
        "changes": driven["changes"],
        "refused": driven["refused"],
        "deliveries": boards.states,
        "deliveries_expected": expected,
        "latency_ms": {
            "p50": round(_percentile(lat, 0.50), 1),
            "p95": round(_percentile(lat, 0.95), 1),
            "p99": round(_percentile(lat, 0.99), 1),
            "max": round(max(lat), 1) if lat else None,
            "mean": round(statistics.fmean(lat), 1) if lat else None,
        },
        "service_cpu_percent": {
            "streams_open_idle": round(idle_cpu, 1),
            "changes_flowing": round(busy_cpu, 1),
        },
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=2000, help="logged-in agents")
    parser.add_argument("--boards", type=int, default=50, help="open wallboards (SSE clients)")
    parser.add_argument("--rate", type=float, default=20.0, help="state changes per second")
    parser.add_argument("--window", type=float, default=20.0, help="s of each measurement")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(child(args))
        return
    result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>22}: {value}")
    if (
        result["failed"]
        or result["opened"] < args.boards
        or result["deliveries"] < result["deliveries_expected"]
    ):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
