"""Configuration publishing benchmark: a new version under load, and the 24-hour dry run.

Part 1, publishing under load: the whole service (``live_telephony``: ARI client and stream, call
controller, director, ACD loop, write queue, database) with the ARI emulator in the same process
over real HTTP and WebSocket on 127.0.0.1. ``--agents`` agents log in, half of them specialists
(level 1) and half electives (level 2); ``--calls`` callers arrive over ``--ramp`` seconds, choose
national tax in the IVR and wait with endless patience. Version 1 lets only the specialists
answer; with every call in flight, version 2 (electives from the first second) is published
through ``POST /api/v1/config/versions``. Measured:

* in_flight_at_publish: calls up (in the IVR, waiting, ringing or talking) when publishing;
* waiting_at_publish: of those, waiting in the queue (the callers re-evaluated);
* reevaluated_ms: from sending the publish request to the service running version 2 (the API
  checked and committed, the live service woke, read the version, re-evaluated every waiting
  caller and carried out the resulting offers); publish_request_ms: the API request alone;
  reevaluation_engine_ms: the re-evaluation under the ACD lock plus carrying out its offers;
* dropped: calls whose record does not end "answered" (nobody hangs up, no version diverts);
* stuck: calls still not ended ``--deadline`` seconds after the last arrival.

Part 2, the dry run: ``--dry-calls`` recorded calls over 24 hours (three lines, working hours
heavier) with ``--agents`` agents logged in from 09:00 to 17:00, replayed under both versions
(``hotline.centre.dryrun``, ``--replications`` runs each). Measured: its run time, read included.

    python benchmarks/config_publish.py --json
    python benchmarks/config_publish.py --calls 50 --agents 10 --dry-calls 2000 --json   # quick
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import platform
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path; benchmarks/routing.py would then
# shadow the `routing` package the service imports.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import httpx  # noqa: E402
import yaml  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from cti.calls.controller import ControllerOptions  # noqa: E402
from cti.emulator import AgentScript, LabConfig, TaxpayerScript, run_emulator  # noqa: E402
from hotline.centre import dryrun, store  # noqa: E402
from hotline.centre.files import parse_data  # noqa: E402
from hotline.clock import utc_now  # noqa: E402
from hotline.config import Settings  # noqa: E402
from hotline.db.models import Agent, AgentStateLog, Call, Site  # noqa: E402
from hotline.db.session import create_engine, create_sessionmaker, transaction  # noqa: E402
from hotline.demo.runner import import_centre  # noqa: E402
from hotline.logs import configure_logging  # noqa: E402
from hotline.main import create_app, live_telephony  # noqa: E402

ROOT = _HERE.parent
PASSWORD = "bench-config-password"
ARI_PASSWORD = "bench-config-ari"
SPEED = 20.0


def _centre(ari_url: str, agents: int) -> dict[str, Any]:
    users = [{"username": "admin", "full_name": "Admin", "roles": ["admin", "supervisor"],
              "password": PASSWORD}]  # fmt: skip
    people = []
    for n in range(agents):
        name = f"agent{n:03d}"
        users.append(
            {"username": name, "full_name": name, "roles": ["agent"], "password": PASSWORD}
        )
        people.append({"code": f"A{n:03d}", "name": name, "languages": ["zh"], "username": name,
                       "skills": {"national_tax": 1 if n % 2 == 0 else 2},
                       "endpoints": {"hz": f"PJSIP/{3000 + n}"}})  # fmt: skip
    return {
        "version": 1,
        "sites": [{"code": "hz", "name": "Hangzhou", "ari_url": ari_url,
                   "ari_username": "hotline", "ari_password": ARI_PASSWORD}],
        "skills": [{"business_line": "national_tax", "language": "zh", "name": "国税"}],
        "users": users,
        "agents": people,
    }  # fmt: skip


def _document(max_level: int) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "examples" / "centre.yaml").read_text("utf-8"))
    data = copy.deepcopy(data)
    data.update(lines=["national_tax"], languages=["zh"], unserved=[])
    data["routing"]["default"].update(
        stages=[{"after_s": 0, "max_level": max_level}],
        callback_offer_after_s=None,
        max_wait_s=None,
        announce_every_s=None,
        wrap_up_s=0,
    )
    data["ivr"].update(languages=[], digit_timeout_s=60)
    data["ivr"]["lines"] = [{"digit": "1", "line": "national_tax", "prompt": "line-national_tax"}]
    return data


async def _publish_first(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            config = parse_data(_document(1), "v1")
            publication = store.Publication(config, "", "specialists only", "bench", None)
            await store.publish(session, publication, now=utc_now())
            await session.commit()
    finally:
        await engine.dispose()


async def _token(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await http.post(
        "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def publish_under_load(
    database_url: str, calls: int, agents: int, ramp_s: float, deadline_s: float
) -> dict[str, Any]:
    settings = Settings(database_url=database_url)
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)})
    telephony = live_telephony(
        controller_options=ControllerOptions(timer_scale=SPEED),
        always_open=True,
        config_poll_s=600.0,
    )
    async with run_emulator(port=0, speed=SPEED, config=lab) as emulator:
        await import_centre(settings, _centre(emulator.base_url, agents))
        await _publish_first(database_url)
        for n in range(agents):
            # Long enough talks that the specialists stay busy while the queue builds.
            emulator.add_endpoint(
                f"PJSIP/{3000 + n}", AgentScript(answer_after_s=1.0, talk_s=400.0)
            )
        app = create_app(settings, components=[telephony])
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://b", timeout=60) as http,
        ):
            admin = await _token(http, "admin")
            for n in range(agents):
                agent = await _token(http, f"agent{n:03d}")
                await http.post("/api/v1/agent/session", json={"site": "hz"}, headers=agent)
                await http.put("/api/v1/agent/session/state", json={"state": "ready"},
                               headers=agent)  # fmt: skip
            service = app.state.hotline.extras["telephony"]
            for n in range(calls):
                emulator.place_call(
                    TaxpayerScript(caller_number=f"139{n:08d}", patience_s=None,
                                   hangup_after_answer_s=3600.0,
                                   press_on_prompt={"sound:hotline/line-national_tax": "1"})
                )  # fmt: skip
                await asyncio.sleep(ramp_s / max(1, calls))
            # Every caller through the IVR (waiting or talking), before anyone hangs up.
            loop = asyncio.get_running_loop()
            settle = loop.time() + 30.0
            while loop.time() < settle:
                up = list(service.ctx.calls.by_contact.values())
                if len(up) >= calls and all(c.phase != "ivr" for c in up):
                    break
                await asyncio.sleep(0.05)
            in_flight = len(service.ctx.calls.by_contact)  # inbound calls up
            waiting = sum(q.waiting for q in await service.queues())
            engine_ms: list[float] = []
            replace_policy = service.acd.replace_policy

            async def timed(policy: Any) -> int:
                began = time.perf_counter()
                waiting_then = int(await replace_policy(policy))
                engine_ms.append((time.perf_counter() - began) * 1000)
                return waiting_then

            service.acd.replace_policy = timed  # the re-evaluation and its offers, alone
            body = {"document": _document(2), "reason": "electives too", "base_version": 1}
            started = time.perf_counter()
            response = await http.post("/api/v1/config/versions", json=body, headers=admin)
            response.raise_for_status()
            request_ms = (time.perf_counter() - started) * 1000
            while service.config_version != 2:
                await asyncio.sleep(0.001)
            reevaluated_ms = (time.perf_counter() - started) * 1000
            end = loop.time() + deadline_s
            while loop.time() < end:
                await service.flush()
                async with app.state.hotline.sessionmaker() as session:
                    open_calls = await session.scalar(
                        select(func.count()).select_from(Call).where(Call.ended_at.is_(None))
                    )
                if not open_calls:
                    break
                await asyncio.sleep(0.5)
            await service.flush()
            async with app.state.hotline.sessionmaker() as session:
                outcomes = dict(
                    (
                        await session.execute(
                            select(Call.outcome, func.count()).group_by(Call.outcome)
                        )
                    ).all()
                )
                stuck = await session.scalar(
                    select(func.count()).select_from(Call).where(Call.ended_at.is_(None))
                )
    total = sum(outcomes.values())
    return {
        "calls": calls,
        "agents": agents,
        "recorded_calls": total,
        "in_flight_at_publish": in_flight,
        "waiting_at_publish": waiting,
        "reevaluated_ms": round(reevaluated_ms, 1),
        "publish_request_ms": round(request_ms, 1),
        "reevaluation_engine_ms": round(engine_ms[0], 1) if engine_ms else None,
        "answered": outcomes.get("answered", 0),
        "dropped": total - outcomes.get("answered", 0) - (outcomes.get(None, 0)),
        "stuck": stuck,
        "outcomes": {str(k): v for k, v in outcomes.items()},
    }


async def dry_run_24h(
    database_url: str, calls: int, agents: int, replications: int
) -> dict[str, Any]:
    await import_centre(Settings(database_url=database_url), _centre("http://127.0.0.1:9", agents))
    engine = create_engine(database_url)
    now = utc_now()
    start = now - timedelta(hours=24)
    try:
        maker = create_sessionmaker(engine)
        async with transaction(maker) as session:
            site = (await session.scalars(select(Site))).one()
            for agent in await session.scalars(select(Agent)):
                session.add(AgentStateLog(agent_id=agent.id, at=start + timedelta(hours=9),
                                          status="idle"))  # fmt: skip
                session.add(AgentStateLog(agent_id=agent.id, at=start + timedelta(hours=17),
                                          status="logged_out"))  # fmt: skip
            # Four in five calls in working hours (09:00-17:00), the rest spread over the day.
            busy = calls * 4 // 5
            for n in range(calls):
                if n < busy:
                    at = start + timedelta(hours=9, seconds=8 * 3600 * n / busy)
                else:
                    at = start + timedelta(seconds=86_399 * (n - busy) / (calls - busy))
                session.add(
                    Call(site_id=site.id, channel_id=f"c{n}", caller_number="13900000000",
                         language="zh", business_line="national_tax", arrived_at=at,
                         queued_at=at, wait_s=40.0, talk_s=300.0,
                         outcome="abandoned_queue" if n % 10 == 0 else "answered")
                )  # fmt: skip
        started = time.perf_counter()
        async with maker() as session:
            recorded = await dryrun.recorded_traffic(session, end=utc_now(), hours=24)
        result = await asyncio.to_thread(
            dryrun.compare,
            recorded,
            _document(1)["routing"],
            _document(2)["routing"],
            replications=replications,
        )
        seconds = time.perf_counter() - started
    finally:
        await engine.dispose()
    return {
        "recorded_calls": recorded.calls,
        "replications": replications,
        "run_s": round(seconds, 2),
        "old_answered": round(result.old.overall["answered"].mean) if result.old else None,
        "new_answered": round(result.new.overall["answered"].mean),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        load = await publish_under_load(
            f"sqlite+aiosqlite:///{folder}/publish.db", args.calls, args.agents, args.ramp,
            args.deadline,
        )  # fmt: skip
        dry = await dry_run_24h(
            f"sqlite+aiosqlite:///{folder}/dry.db", args.dry_calls, args.agents, args.replications
        )
    return {
        "publish_under_load": load,
        "dry_run_24h": dry,
        "load_average": os.getloadavg(),
        "machine": f"{platform.machine()} {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="calls in flight when publishing")
    parser.add_argument("--agents", type=int, default=40, help="agents (half specialists)")
    parser.add_argument("--ramp", type=float, default=5.0, help="seconds over which calls arrive")
    parser.add_argument("--deadline", type=float, default=120.0, help="seconds to finish all")
    parser.add_argument("--dry-calls", type=int, default=8000, help="recorded calls in 24 h")
    parser.add_argument("--replications", type=int, default=5, help="dry-run runs per version")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    configure_logging("WARNING", json_output=False)  # the figures on stdout, not the request log
    result = asyncio.run(run(args))
    print(json.dumps(result, indent=None if args.json else 2))
    load = result["publish_under_load"]
    if load["dropped"] or load["stuck"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
