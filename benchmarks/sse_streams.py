"""Many agent desktops on one service: memory and CPU of the service process per open SSE stream.

The service runs as the demo does (ARI emulator, simulated taxpayers and agents, SQLite), in a
process of its own started through ``benchmarks/api_load.py``'s child mode, so calls flow all the
time. This process (the clients, with httpx) signs in as the demo's simulated agents and opens
``--streams`` concurrent ``/api/v1/agent/events`` streams spread over them round-robin, so every
stream carries that agent's real offers, answers and ends, plus a heartbeat every 15 s.

Measured on the service process (``/proc/<pid>``; the emulator and the simulated phones run in
it too, which is why a baseline is taken first):
* rss_mb and cpu_percent (of one core) over ``--window`` seconds with calls flowing and no
  stream open (baseline), then with every stream open;
* the difference per stream (kB of memory, CPU);
* open_s: the time to open every stream; events received by the clients, streams that failed;
* the load average before and after (the machine is shared).

    python benchmarks/sse_streams.py --json                  # 50 streams, quick
    python benchmarks/sse_streams.py --streams 1000 --window 60 --json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path, and benchmarks/routing.py would
# then shadow the `routing` package the service imports.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import httpx  # noqa: E402
import yaml  # noqa: E402

EXAMPLE = _HERE.parent / "examples" / "hangzhou.yaml"
# The demo's logins take this password (its default is refused by the importer's
# common-password check since the auth hardening).
PASSWORD = "sse-bench-" + os.urandom(6).hex()
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


# ----------------------------------------------------------------- the service process
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
        """User + system CPU seconds of the service process so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def rss_mb(self) -> float:
        resident_pages = int(Path(f"/proc/{self.process.pid}/statm").read_text().split()[1])
        return resident_pages * PAGE_KB / 1024


@contextlib.asynccontextmanager
async def service_process(args: argparse.Namespace, database: Path) -> Any:
    """The demo through api_load.py's child mode, with more calls than the run will take."""
    port = _free_port()
    command = [sys.executable, str(_HERE / "api_load.py"), "--child", "--port", str(port)]
    command += ["--database", str(database), "--calls", "1000000", "--rate", str(args.rate)]
    command += ["--speed", str(args.speed), "--agents", str(args.agents), "--seed", "1"]
    process = await asyncio.create_subprocess_exec(
        *command,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(sys.path),
            "HOTLINE_DEMO_PASSWORD": PASSWORD,
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
            await asyncio.wait_for(process.wait(), 120)
        following.cancel()


def simulated_agents(count: int, site: str = "hz") -> list[str]:
    """The usernames the demo drives (its first ``count`` agents of the site)."""
    from hotline.demo.agents import agents_of_site

    example = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return [username for username, _code, _endpoint in agents_of_site(example, site)[:count]]


async def _sign_in(http: httpx.AsyncClient, service: Service, username: str) -> str:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if service.process.returncode is not None:
            raise RuntimeError("the service stopped:\n" + "\n".join(service.log[-30:]))
        with contextlib.suppress(httpx.HTTPError):
            response = await http.post(
                "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
            )
            if response.status_code == 200:
                return str(response.json()["access_token"])
        await asyncio.sleep(0.5)
    raise RuntimeError("the service did not start:\n" + "\n".join(service.log[-30:]))


# ------------------------------------------------------------------------ the clients
@dataclass
class Streams:
    opened: int = 0
    failed: dict[str, int] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)
    heartbeats: int = 0
    all_open: asyncio.Event = field(default_factory=asyncio.Event)
    target: int = 0

    def fail(self, what: str) -> None:
        self.failed[what] = self.failed.get(what, 0) + 1
        self._check()

    def _check(self) -> None:
        if self.opened + sum(self.failed.values()) >= self.target:
            self.all_open.set()

    def open(self) -> None:
        self.opened += 1
        self._check()


async def _stream(http: httpx.AsyncClient, token: str, got: Streams) -> None:
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    try:
        async with http.stream("GET", "/api/v1/agent/events", headers=headers) as response:
            if response.status_code != 200:
                got.fail(str(response.status_code))
                return
            got.open()
            async for line in response.aiter_lines():
                if line.startswith("event: "):
                    kind = line.removeprefix("event: ")
                    got.events[kind] = got.events.get(kind, 0) + 1
                elif line.startswith(":"):
                    got.heartbeats += 1
    except httpx.HTTPError as exc:
        got.fail(type(exc).__name__)


async def _sample(service: Service, window_s: float) -> dict[str, float]:
    """Mean CPU (percent of one core) over the window and the resident memory at its end."""
    cpu, wall = service.cpu_s(), time.monotonic()
    await asyncio.sleep(window_s)
    used = service.cpu_s() - cpu
    return {
        "cpu_percent": round(100 * used / (time.monotonic() - wall), 1),
        "rss_mb": round(service.rss_mb(), 1),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    load_before = os.getloadavg()
    usernames = simulated_agents(args.agents)
    with tempfile.TemporaryDirectory(prefix="hotline-sse-") as folder:
        async with service_process(args, Path(folder) / "demo.db") as service:
            limits = httpx.Limits(max_connections=args.streams + 10, max_keepalive_connections=10)
            timeout = httpx.Timeout(60, read=None)
            async with httpx.AsyncClient(
                base_url=service.base_url, timeout=timeout, limits=limits
            ) as http:
                tokens = [await _sign_in(http, service, name) for name in usernames]
                await asyncio.sleep(args.warmup)  # the agents log in, calls start flowing
                baseline = await _sample(service, args.window)
                got = Streams(target=args.streams)
                started = time.perf_counter()
                tasks = [
                    asyncio.create_task(_stream(http, tokens[n % len(tokens)], got))
                    for n in range(args.streams)
                ]
                await asyncio.wait_for(got.all_open.wait(), timeout=300)
                open_s = time.perf_counter() - started
                await asyncio.sleep(args.settle)
                events_before = sum(got.events.values())
                loaded = await _sample(service, args.window)
                events_in_window = sum(got.events.values()) - events_before
                still_open = sum(1 for t in tasks if not t.done())
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
    streams = max(1, got.opened)
    return {
        "streams": args.streams,
        "opened": got.opened,
        "failed": got.failed,
        "still_open_at_end": still_open,
        "open_s": round(open_s, 2),
        "baseline": baseline,
        "with_streams": loaded,
        "rss_kb_per_stream": round((loaded["rss_mb"] - baseline["rss_mb"]) * 1024 / streams, 1),
        "cpu_percent_per_100_streams": round(
            (loaded["cpu_percent"] - baseline["cpu_percent"]) * 100 / streams, 2
        ),
        "events_in_window": events_in_window,
        "events_by_type": got.events,
        "heartbeats": got.heartbeats,
        "window_s": args.window,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "demo": {"rate_per_min": args.rate, "speed": args.speed, "agents": args.agents},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=50, help="concurrent agent SSE streams")
    parser.add_argument("--agents", type=int, default=30, help="simulated agents (stream owners)")
    parser.add_argument("--rate", type=float, default=20.0, help="calls per emulated minute")
    parser.add_argument("--speed", type=float, default=10.0, help="emulated s per real s")
    parser.add_argument("--warmup", type=float, default=5.0, help="s before the baseline")
    parser.add_argument("--settle", type=float, default=3.0, help="s after the streams open")
    parser.add_argument("--window", type=float, default=15.0, help="s of each CPU sample")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>28}: {value}")
    if result["failed"] or result["opened"] < args.streams:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
