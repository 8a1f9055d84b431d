"""What a standby's forwarding costs a live read (issue 18): the same request answered by the
leader directly, and through a standby that forwards it to the leader over HTTP.

Creates its own PostgreSQL database (migrated; dropped at the end) with a supervisor and one
call, starts a leader (uvicorn on a loopback port: the forward is real HTTP) and a standby (in
the same process, reached in memory, as a load balancer's request would reach it), then reads
``GET /api/v1/calls/{id}`` (a call's detail: forwarded, the leader reads the database and its
live state) ``--requests`` times each way, one at a time. Both apps share one process and one
CPU, so the CPU time per request of the forwarded way includes the leader's work too: the
difference between the two is what forwarding adds (the standby's handling, one more HTTP
exchange). CPU time is the comparable figure on a shared machine; wall times are printed too.

    ./dev python benchmarks/standby_reads.py --json
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
import contextlib
import json
import os
import platform
import socket
import statistics
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from hotline.cluster.leadership import leader_only
from hotline.config import AuthSettings, ClusterSettings, Settings
from hotline.db import migrate
from hotline.db.models import Call, Site
from hotline.db.session import create_engine, create_sessionmaker, transaction
from hotline.main import create_app
from hotline.roles import Role
from hotline.schemas.users import UserCreate
from hotline.services import users as user_service

DEFAULT_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
PASSWORD = "bench-password-1"
SECRET = "standby-reads-benchmark-secret-shared"


async def _admin(admin_url: str, statement: str) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _settings(url: str, name: str, advertise: str) -> Settings:
    return Settings(
        database_url=url,
        auth=AuthSettings(jwt_secret=SecretStr(SECRET)),
        # A long lease: building the second app stalls this one event loop for seconds on a
        # busy machine, which must not pass the lease to the standby.
        cluster=ClusterSettings(
            instance_id=name, advertise_url=advertise, lease_ttl_s=30, renew_interval_s=5
        ),
    )


async def _seed(url: str) -> int:
    engine = create_engine(url)
    maker = create_sessionmaker(engine)
    try:
        async with transaction(maker) as session:
            await user_service.create_user(
                session,
                UserCreate(
                    username="boss", full_name="Boss", password=SecretStr(PASSWORD),
                    roles=[Role.SUPERVISOR],
                ),
            )  # fmt: skip
            site = Site(code="hz", name="杭州", ari_url="http://x", ari_username="u",
                        ari_password="p")  # fmt: skip
            session.add(site)
            await session.flush()
            call = Call(site_id=site.id, channel_id="bench-1", caller_number="13900000000",
                        arrived_at=datetime.now(UTC))  # fmt: skip
            session.add(call)
            await session.flush()
            return call.id
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def _leader(url: str, port: int) -> AsyncIterator[None]:
    app: FastAPI = create_app(
        _settings(url, "bench-leader", f"http://127.0.0.1:{port}"), components=[leader_only([])]
    )
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        await task


async def _timed(http: httpx.AsyncClient, path: str, headers: dict[str, str], n: int) -> Any:
    walls: list[float] = []
    cpu = time.process_time()
    for _ in range(n):
        began = time.perf_counter()
        reply = await http.get(path, headers=headers)
        walls.append(time.perf_counter() - began)
        assert reply.status_code == 200, reply.text
    cpu = time.process_time() - cpu
    ms = sorted(w * 1000 for w in walls)
    return {
        "requests": n,
        "cpu_ms_per_request": round(cpu * 1000 / n, 2),
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(ms[int(len(ms) * 0.95) - 1], 2),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    admin_url = os.environ.get("HOTLINE_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)
    name = f"hotline_bench_standby_{uuid.uuid4().hex[:8]}"
    await _admin(admin_url, f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        engine = create_engine(url)
        await migrate.upgrade(engine)
        await engine.dispose()
        call_id = await _seed(url)
        port = _free_port()
        standby: FastAPI = create_app(
            _settings(url, "bench-standby", "http://standby.invalid"),
            components=[leader_only([])],
        )
        async with (
            _leader(url, port),
            standby.router.lifespan_context(standby),
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as direct,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=standby), base_url="http://standby"
            ) as via,
        ):
            token = (
                await direct.post(
                    "/api/v1/auth/token", data={"username": "boss", "password": PASSWORD}
                )
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            role = (await via.get("/readyz")).json()["role"]
            assert role == "standby", role
            path = f"/api/v1/calls/{call_id}"
            await _timed(direct, path, headers, 30)  # warm-up: pools, plans
            await _timed(via, path, headers, 30)
            leader_direct = await _timed(direct, path, headers, args.requests)
            forwarded = await _timed(via, path, headers, args.requests)
    finally:
        await _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return {
        "benchmark": "standby_reads",
        "python": platform.python_version(),
        "loadavg_before": args.loadavg,
        "loadavg_after": Path("/proc/loadavg").read_text().split()[:3],
        "read": "GET /api/v1/calls/{id}",
        "leader_direct": leader_direct,
        "forwarded_by_standby": forwarded,
        "forwarding_cpu_ms_per_request": round(
            forwarded["cpu_ms_per_request"] - leader_direct["cpu_ms_per_request"], 2
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()
    args.loadavg = Path("/proc/loadavg").read_text().split()[:3]
    result = asyncio.run(run(args))
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
