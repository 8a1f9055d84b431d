"""Login flood: how many login attempts per second the service absorbs while /healthz stays fast.

The service runs as ``hotline serve`` in its own process (SQLite in a temporary folder, production
argon2 cost, real HTTP on 127.0.0.1). This process drives it over loopback:

* ``--attackers`` clients post logins as fast as the answers come back, in one of three modes:
  ``valid`` (the right password: every attempt pays a full argon2 check and gets a token),
  ``spray`` (wrong passwords for many usernames, each client from its own loopback source address
  127.0.0.x, so the per-address throttle allows each 20 failures a minute: the argon2 work an
  attacker with many addresses can make the service do), ``flood`` (wrong passwords from one
  address: throttled after 20, then answered 429 without any hashing);
* one prober, in a process of its own, asks ``/healthz`` every 20 ms; its latency is what a
  load balancer sees.

Printed (JSON): attempts per second by answer (200, 401, 429, 503), /healthz p50/p99/max in ms,
the service's event-loop lag during the run (from its /metrics histogram), and the load average
before and after.

    ./dev python benchmarks/login_flood.py --json                  # all three modes, 15 s each
    ./dev python benchmarks/login_flood.py --mode spray --seconds 30 --attackers 32 --json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx

PASSWORD = "bench marks at the west lake"
SCRAPE_TOKEN = secrets.token_urlsafe(24)
USERS = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _centre(path: Path) -> None:
    lines = ["version: 1", "users:"]
    for n in range(USERS):
        lines += [
            f"- username: bench-{n}",
            f"  full_name: Bench {n}",
            "  roles: [supervisor]",
            "  password_env: BENCH_PASSWORD",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@contextlib.contextmanager
def _service(folder: Path, port: int) -> Any:
    centre = folder / "centre.yaml"
    _centre(centre)
    env = {
        **os.environ,
        "HOTLINE_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'bench.db'}",
        "HOTLINE_AUTH__JWT_SECRET": secrets.token_urlsafe(48),
        "HOTLINE_METRICS_TOKEN": SCRAPE_TOKEN,
        "HOTLINE_LOG__LEVEL": os.environ.get("BENCH_LOG_LEVEL", "ERROR"),
        "BENCH_PASSWORD": PASSWORD,
    }
    command = [str(Path(sys.executable).parent / "hotline"), "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--import", str(centre)], env=env, stdout=subprocess.DEVNULL
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=20)


async def _wait_up(base: str, process: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(600):  # a minute: migrations and the import come first
            if process.poll() is not None:
                raise RuntimeError("the service exited at start-up")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get("/healthz")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError("the service did not come up")


async def _attacker(base: str, n: int, mode: str, stop: float, answers: Counter[int]) -> None:
    source = f"127.0.0.{2 + n}" if mode == "spray" else "127.0.0.1"
    transport = httpx.AsyncHTTPTransport(local_address=source)
    async with httpx.AsyncClient(base_url=base, transport=transport, timeout=60) as client:
        attempt = 0
        while time.monotonic() < stop:
            attempt += 1
            if mode == "valid":
                form = {"username": f"bench-{n % USERS}", "password": PASSWORD}
            else:
                form = {"username": f"guess-{n}-{attempt}", "password": "wrong password"}
            response = await client.post("/api/v1/auth/token", data=form)
            answers[response.status_code] += 1


def _probe(base: str, seconds: float, results: Connection) -> None:
    """In a process of its own, so that the attackers' work in this one never delays a probe."""
    samples = []
    stop = time.monotonic() + seconds
    with httpx.Client(base_url=base, timeout=60) as client:
        while time.monotonic() < stop:
            started = time.perf_counter()
            response = client.get("/healthz")
            samples.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                samples[-1] = float("inf")
            time.sleep(0.02)
    results.send(samples)


async def _loop_lag_buckets(base: str) -> dict[float, float]:
    """The service's loop-lag histogram: cumulative sample counts by upper bound (seconds)."""
    async with httpx.AsyncClient(base_url=base) as client:
        headers = {"Authorization": f"Bearer {SCRAPE_TOKEN}"}
        text = (await client.get("/metrics", headers=headers)).text
    buckets = {}
    for line in text.splitlines():
        if line.startswith("hotline_event_loop_lag_seconds_bucket{"):
            bound = line.split('le="', 1)[1].split('"', 1)[0]
            buckets[float(bound)] = float(line.rsplit(" ", 1)[1])
    return buckets


def _lag_summary(before: dict[float, float], after: dict[float, float]) -> dict[str, Any]:
    """Loop lag during the run, from the histogram's growth: samples, those over 50 and 100 ms,
    and the bucket holding the 99th percentile."""
    delta = {bound: after[bound] - before.get(bound, 0.0) for bound in sorted(after)}
    total = delta[float("inf")]
    p99_bound = next((b for b, count in delta.items() if count >= 0.99 * total), float("inf"))
    return {
        "samples": int(total),
        "over_50ms": int(total - delta[0.05]),
        "over_100ms": int(total - delta[0.1]),
        "p99_at_most_ms": p99_bound * 1000,
    }


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


async def _run(mode: str, seconds: float, attackers: int) -> dict[str, Any]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder, _service(Path(folder), port) as process:
        await _wait_up(base, process)
        # One login first: the first request's one-time costs (imports on first use) are not
        # what this measures.
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            form = {"username": "bench-0", "password": PASSWORD}
            assert (await client.post("/api/v1/auth/token", data=form)).status_code == 200
        lag_before = await _loop_lag_buckets(base)
        answers: Counter[int] = Counter()
        load_before = os.getloadavg()[0]
        receiver, sender = multiprocessing.get_context("spawn").Pipe(duplex=False)
        prober = multiprocessing.get_context("spawn").Process(
            target=_probe, args=(base, seconds, sender)
        )
        prober.start()
        stop = time.monotonic() + seconds
        started = time.monotonic()
        await asyncio.gather(*(_attacker(base, n, mode, stop, answers) for n in range(attackers)))
        elapsed = time.monotonic() - started
        samples: list[float] = await asyncio.to_thread(receiver.recv)
        prober.join()
        lag = _lag_summary(lag_before, await _loop_lag_buckets(base))
    return {
        "mode": mode,
        "attackers": attackers,
        "seconds": round(elapsed, 1),
        "attempts_per_s": round(sum(answers.values()) / elapsed, 1),
        "by_status_per_s": {str(k): round(v / elapsed, 1) for k, v in sorted(answers.items())},
        "healthz_ms": {
            "count": len(samples),
            "p50": round(statistics.median(samples), 1),
            "p99": _percentile(samples, 0.99),
            "max": round(max(samples), 1),
        },
        "loop_lag": lag,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["valid", "spray", "flood", "all"], default="all")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--attackers", type=int, default=16)
    parser.add_argument("--json", action="store_true", help="print JSON (the default output)")
    args = parser.parse_args()
    modes = ["valid", "spray", "flood"] if args.mode == "all" else [args.mode]
    results = [asyncio.run(_run(mode, args.seconds, args.attackers)) for mode in modes]
    print(
        json.dumps(
            {
                "benchmark": "login_flood",
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
