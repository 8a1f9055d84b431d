"""The API's own CPU per request, without the demo's calls around it (issue 11).

``api_load.py`` measures the API while the demo's calls flow, and its ``api_ms_per_request``
subtracts the demo's own CPU, measured apart: on a machine shared with other work that estimate
scatters more than the savings it should show. This one serves the API alone, in this process,
on a SQLite database it fills (``--calls`` calls, ``--orders`` work orders with a taxpayer, the
supervisor who reads them), and sends requests straight to the ASGI app (the whole middleware
stack, no socket and no HTTP client): the CPU time of the process (every thread: the loop and
aiosqlite's) per request is then the API's cost alone, whatever the machine's load.

Measured per endpoint (``/api/v1/calls``, ``/api/v1/workorders``: an unmasked page, so one
personal-data audit entry per request; ``/api/v1/queues``: the live statistics of the telephony
service, which runs here on a call control that is never asked for anything, as no call flows;
``/api/v1/sla-policies``: a read from memory, the authentication, dependencies and middleware of
any request), with ``--clients`` requests in
flight at once (a closed loop, as in ``api_load.py``), ``--requests`` in all per endpoint, after
a warm-up: the CPU milliseconds per request (process time) and, for the record, the wall time.

    ./dev python benchmarks/api_cpu.py --json
"""

# ruff: noqa: E402  (the imports follow the sys.path fix below on purpose)
from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path: benchmarks/routing.py and
# benchmarks/workorders.py would shadow the packages of the same names.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import asyncio
import json
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from pydantic import SecretStr
from sqlalchemy import func, insert, select

from cti.calls.ports import CallControl
from hotline.config import Settings
from hotline.db.models import AuditLog, Site
from hotline.db.models.call import Call
from hotline.db.session import transaction
from hotline.main import create_app
from hotline.roles import Role
from hotline.schemas.users import UserCreate
from hotline.services import users as user_service
from hotline.telephony import telephony_component
from hotline.workorders.rules import seed_year

ENDPOINTS = ("/api/v1/calls", "/api/v1/workorders", "/api/v1/queues", "/api/v1/sla-policies")
PASSWORD = "benchmark password 12366"
LINES = ("vat", "iit", "cit")
TAXPAYER = {"name": "张三", "phone": "13912345678", "taxpayer_number": "91330100MA2KXXXX1X"}


class _NoCalls:
    """A call control for a telephony service that no call reaches: any command is accepted
    (none is sent: ``/queues`` only reads the service's statistics)."""

    def __getattr__(self, name: str) -> Any:
        async def accepted(*_args: Any, **_kwargs: Any) -> None:
            return None

        return accepted


async def _asgi(
    app: Any, method: str, path: str, headers: dict[str, str], body: bytes
) -> tuple[int, bytes]:
    """One request through the whole ASGI stack; the status and the body."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False
    status, chunks = 0, []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()  # never: the app reads the body once
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


def _ended_call(site_id: int, n: int, arrived: datetime) -> dict[str, Any]:
    """The ``n``-th call of the fill: queued for one of three lines, four in five answered (half
    of them late), the others abandoned: what ``/queues`` counts for today."""
    answered = n % 5 != 4
    return {
        "site_id": site_id,
        "channel_id": f"chan-{n}",
        "caller_number": f"139{n:08d}",
        "arrived_at": arrived,
        "business_line": LINES[n % len(LINES)],
        "language": "zh",
        "queued_at": arrived + timedelta(seconds=5),
        "answered_at": arrived + timedelta(seconds=10 + 30 * (n % 2)) if answered else None,
        "ended_at": arrived + timedelta(seconds=60),
        "outcome": "answered" if answered else "abandoned_queue",
    }


async def _fill(app: Any, calls: int, orders: int) -> dict[str, str]:
    state = app.state.hotline
    async with transaction(state.sessionmaker) as session:
        await user_service.create_user(
            session,
            UserCreate(
                username="supervisor",
                full_name="Supervisor",
                password=SecretStr(PASSWORD),
                roles=[Role.SUPERVISOR],
                department=None,
            ),
        )
        now = datetime.now(UTC)
        await seed_year(session, now.year, datetime(now.year, 1, 1, tzinfo=UTC), overwrite=False)
        site = Site(
            code="hz", name="Hangzhou", ari_url="http://ari", ari_username="u", ari_password="p"
        )
        session.add(site)
        await session.flush()
        start = datetime.now(UTC) - timedelta(hours=2)
        await session.execute(
            insert(Call),
            [_ended_call(site.id, n, start + timedelta(seconds=20 * n)) for n in range(calls)],
        )
    form = f"username=supervisor&password={PASSWORD.replace(' ', '+')}".encode()
    status, answer = await _asgi(
        app,
        "POST",
        "/api/v1/auth/token",
        {"content-type": "application/x-www-form-urlencoded"},
        form,
    )
    assert status == 200, answer
    headers = {"authorization": f"Bearer {json.loads(answer)['access_token']}"}
    order = json.dumps(
        {
            "category": "enquiry",
            "priority": "normal",
            "subject": "VAT exemption",
            "taxpayer": TAXPAYER,
        }
    ).encode()
    for _ in range(orders):
        status, answer = await _asgi(
            app,
            "POST",
            "/api/v1/workorders",
            {**headers, "content-type": "application/json"},
            order,
        )
        assert status == 201, answer
    return headers


async def _measure(
    app: Any, headers: dict[str, str], path: str, clients: int, total: int
) -> dict[str, Any]:
    left = total
    failed: dict[int, int] = {}

    async def client() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            status, _ = await _asgi(app, "GET", path, headers, b"")
            if status != 200:
                failed[status] = failed.get(status, 0) + 1

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "requests": total,
        "failed": failed,
        "cpu_ms_per_request": round(1000 * cpu / total, 3),
        "wall_ms_per_request": round(1000 * wall / total, 3),
    }


async def _profile(app: Any, headers: dict[str, str], args: argparse.Namespace) -> None:
    """One round per endpoint under cProfile, its statistics written to
    ``--profile``.ENDPOINT.pstats: where a request's Python time goes, when py-spy is not at
    hand. The clock is the loop thread's CPU time: a wall clock would charge the waits for the
    GIL (aiosqlite's thread, other processes) to whatever function was running."""
    import cProfile

    for path in ENDPOINTS:
        profiler = cProfile.Profile(time.thread_time)
        profiler.enable()
        await _measure(app, headers, path, args.clients, args.requests)
        profiler.disable()
        profiler.dump_stats(f"{args.profile}.{path.rsplit('/', 1)[-1]}.pstats")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="hotline-api-cpu-") as folder:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{folder}/api.db",
            metrics_token=SecretStr("benchmark-scrape-token"),
        )
        # Start-up's objects are frozen out of the collector's sight once per process: by the
        # app that is measured, not by this one.
        filling = create_app(settings.model_copy(update={"gc_freeze_after_start": False}))
        async with filling.router.lifespan_context(filling):
            headers = await _fill(filling, args.calls, args.orders)
        # Served again with the telephony service, which counts today's calls from the table
        # as it starts (the token stays valid: the settings hold the signing secret).
        telephony = telephony_component(cast(CallControl, _NoCalls()), follow_config=False)
        app = create_app(settings, components=[telephony])
        async with app.router.lifespan_context(app):
            results: dict[str, Any] = {}
            for path in ENDPOINTS:
                await _measure(app, headers, path, args.clients, args.warm_up)
            if args.profile:
                await _profile(app, headers, args)
                return {"profile": args.profile}
            for _ in range(args.rounds):  # rounds alternate the endpoints: drift hits all alike
                for path in ENDPOINTS:
                    one = await _measure(app, headers, path, args.clients, args.requests)
                    results.setdefault(path, []).append(one)
            async with app.state.hotline.sessionmaker() as session:
                audits = await session.scalar(
                    select(func.count())
                    .select_from(AuditLog)
                    .where(AuditLog.action == "personal_data_read")
                )
    summary = {
        path: {
            "cpu_ms_per_request_min": min(r["cpu_ms_per_request"] for r in rounds),
            "cpu_ms_per_request_median": sorted(r["cpu_ms_per_request"] for r in rounds)[
                len(rounds) // 2
            ],
            "wall_ms_per_request_median": sorted(r["wall_ms_per_request"] for r in rounds)[
                len(rounds) // 2
            ],
            "failed": [r["failed"] for r in rounds if r["failed"]],
        }
        for path, rounds in results.items()
    }
    return {
        "clients": args.clients,
        "requests_per_round": args.requests,
        "rounds": args.rounds,
        "calls": args.calls,
        "orders": args.orders,
        "by_endpoint": summary,
        "personal_data_read_audits": audits,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "at_utc": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50, help="requests in flight at once")
    parser.add_argument(
        "--requests", type=int, default=1000, help="requests per endpoint and round"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warm-up", type=int, default=200, help="requests per endpoint first")
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--orders", type=int, default=60)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--profile", metavar="PREFIX", help="profile one round per endpoint instead (cProfile)"
    )
    args = parser.parse_args()
    import uvloop

    from hotline.logs import configure_logging

    configure_logging("WARNING")  # as the demo runs (api_load.py's service)

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        result = runner.run(run(args))
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
