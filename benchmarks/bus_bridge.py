"""The bus across replicas (``hotline.bus_bridge``) on a real PostgreSQL: throughput and delivery
latency from a publisher on replica A to a subscriber on replica B.

Creates its own database (migrated; dropped at the end), starts two bridged buses on it (two
replicas; here in one process and one event loop, so they also share one CPU: a lower bound on
what two machines do), subscribes on B, then:

* ``burst``: publishes ``--messages`` messages on A as fast as the publisher can (no await
  between them, as a burst of call events would) and times until B has them all:
  ``events_per_s`` across replicas, and the publisher's own cost per ``publish`` (it only
  queues);
* ``steady``: publishes at ``--rate`` messages/s for ``--seconds`` and records each message's
  delay from ``publish`` on A to delivery on B: p50, p99, max in milliseconds.

Each message is about the size of a wallboard agent-state message.

    ./dev python benchmarks/bus_bridge.py --json
    HOTLINE_TEST_POSTGRES_URL=postgresql+asyncpg://user@host/postgres ./dev python ...
"""

# ruff: noqa: E402  (the imports follow the sys.path fix below on purpose)
from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path (benchmarks/routing.py would
# shadow the package of the same name).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
import uuid
from typing import Any

from prometheus_client import CollectorRegistry
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from hotline.bus_bridge import BridgedBus, start_bridge
from hotline.db import migrate
from hotline.db.session import create_engine

DEFAULT_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
TOPIC = "wallboard"


def _message(n: int) -> dict[str, Any]:
    return {
        "type": "state",
        "agent_id": n % 500,
        "status": "on_call",
        "reason": None,
        "since": "2026-12-07T09:00:00+00:00",
        "n": n,
        "sent": time.perf_counter(),
    }


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _burst(a: BridgedBus, b: BridgedBus, count: int) -> dict[str, Any]:
    async with b.subscribe(TOPIC) as on_b:
        started = time.perf_counter()
        for n in range(count):
            a.publish(TOPIC, _message(n))
        queued = time.perf_counter()
        for n in range(count):
            message = await asyncio.wait_for(on_b.get(), 60)
            assert message.get("n") == n, message  # all of them, in order
        done = time.perf_counter()
    return {
        "messages": count,
        "publish_us_each": round((queued - started) / count * 1e6, 2),
        "seconds": round(done - started, 3),
        "events_per_s": round(count / (done - started)),
        "dropped": int(a.metrics.dropped._value.get()),
    }


async def _steady(a: BridgedBus, b: BridgedBus, rate: float, seconds: float) -> dict[str, Any]:
    delays: list[float] = []
    total = int(rate * seconds)

    async def receive(on_b: Any) -> None:
        for _ in range(total):
            message = await asyncio.wait_for(on_b.get(), 60)
            delays.append(time.perf_counter() - message["sent"])

    async with b.subscribe(TOPIC) as on_b:
        receiver = asyncio.create_task(receive(on_b))
        start = time.perf_counter()
        for n in range(total):
            # Sleep until this message's slot (no drift: slots are counted from the start).
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            a.publish(TOPIC, _message(n))
        await receiver
    ms = sorted(d * 1000 for d in delays)
    return {
        "rate_per_s": rate,
        "messages": total,
        "p50_ms": round(statistics.median(ms), 2),
        "p99_ms": round(ms[int(len(ms) * 0.99) - 1], 2),
        "max_ms": round(ms[-1], 2),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    admin_url = os.environ.get("HOTLINE_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)
    name = f"hotline_bench_bus_{uuid.uuid4().hex[:8]}"
    await _admin(admin_url, f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        engine = create_engine(url)
        await migrate.upgrade(engine)
        await engine.dispose()
        a = await start_bridge(url, CollectorRegistry(), outbox_size=args.messages * 2)
        # B's subscriber queue holds the whole burst (a real one would get an overflow notice).
        b = await start_bridge(url, CollectorRegistry(), queue_size=args.messages + 10)
        try:
            await _burst(a, b, 200)  # warm-up: connections, plans
            burst = await _burst(a, b, args.messages)
            steady = await _steady(a, b, args.rate, args.seconds)
        finally:
            await a.stop()
            await b.stop()
    finally:
        await _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return {
        "benchmark": "bus_bridge",
        "python": platform.python_version(),
        "loadavg_before": args.loadavg,
        "loadavg_after": Path("/proc/loadavg").read_text().split()[:3],
        "burst": burst,
        "steady": steady,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=500.0, help="steady phase, messages/s")
    parser.add_argument("--seconds", type=float, default=10.0, help="steady phase length")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()
    args.loadavg = Path("/proc/loadavg").read_text().split()[:3]
    result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result))
    else:
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
