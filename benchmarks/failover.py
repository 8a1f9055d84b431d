"""Failover: the call-engine leader SIGKILLed while calls flow; how long until the new one acts.

    ./dev python benchmarks/failover.py --json [--kills 3] [--ttl 3] [--speed 20]

Two instances (child processes of this script) on a fresh PostgreSQL database and the in-process
ARI emulator; scripted taxpayers call steadily, two scripted agents answer. Each round kills the
leader with SIGKILL, then measures on this machine's clock, from the kill:

* ``to_leader_s``: the standby reports ``role: leader`` on /readyz (lease taken, engine rebuilt);
* ``to_first_command_s``: the first ARI command (not a GET) the emulator answered after the kill
  (only the new leader can send one: the old one is dead);
* ``to_first_answer_s``: the first agent leg bridged with a caller after the kill (the emulator);

then starts a fresh standby. At the end each taxpayer is counted once: ``calls_to_fallback`` are
those whose call never reached Stasis (no instance led: Asterisk sends them to the dialplan
fallback), ``calls_lost`` those who reached Stasis but have no call record closed with an
outcome (goal 0), each listed in ``lost_detail`` with its record and its channel's events.
Agents are made ready once, at the start: after a takeover they keep their state. Needs
PostgreSQL (HOTLINE_BENCH_PG, default the local server).

Resync at scale (issue 18's "Measured"):

    ./dev python benchmarks/failover.py --json --resync-calls 300 --resync-agents 2000 \
        --speed 1 --ttl 10

seeds that many agents, logged in (the database rows a running engine would have saved: a
ready few to answer and to ring, the rest on a break), brings the emulator to that many live
callers (half of them in talk, a sixth ringing an agent, the rest waiting), SIGKILLs the leader
once and times the standby's takeover: ``resync_s`` (the engine start: database rebuild and ARI
resync, as the new leader's metric says), ``standby_cpu_s`` (CPU seconds the standby process
used from the kill until it reported itself leader: comparable on a shared machine where wall
time is not), and what the emulator still has afterwards. On a loaded machine a longer TTL
(``--ttl 10``) keeps late renewals from ending the first leader's term before the kill.
``BENCH_CHILD_LOG=/tmp/node-`` keeps each instance's stderr in ``/tmp/node-<name>``;
``BENCH_PYSPY=<py-spy binary> BENCH_PYSPY_OUT=<file>`` samples the standby's stacks from the
kill until it leads (py-spy's raw format).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import make_url, select, text
from sqlalchemy.ext.asyncio import create_async_engine

_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent
# benchmarks/cti.py would shadow the cti package for a script run from this folder.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
SCRAPE = "failover-bench-scrape"
PASSWORD = "failover-bench-password"
ARI_PASSWORD = "failover-bench-ari"
AGENTS = {"agent001": "PJSIP/2001", "agent002": "PJSIP/2002"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ------------------------------------------------------------------ the child: one instance


def child(args: argparse.Namespace) -> None:
    import dataclasses

    import uvicorn
    from pydantic import SecretStr

    from cti.calls.controller import ControllerOptions
    from hotline.cluster.leadership import leader_only
    from hotline.config import AuthSettings, ClusterSettings, Settings
    from hotline.main import create_app, live_telephony
    from routing import default_policy

    settings = Settings(
        database_url=args.database,
        metrics_token=SecretStr(SCRAPE),
        auth=AuthSettings(jwt_secret=SecretStr("failover-bench-shared-jwt-secret-0123456789")),
        cluster=ClusterSettings(
            instance_id=args.name,
            advertise_url=f"http://127.0.0.1:{args.port}",
            lease_ttl_s=args.ttl,
            renew_interval_s=args.ttl / 4,
            poll_interval_s=0.2,
        ),
    )
    telephony = live_telephony(
        policy=dataclasses.replace(default_policy(), service_hours=None),
        controller_options=ControllerOptions(timer_scale=args.speed),
        connect_timeout_s=5.0,
    )
    app = create_app(settings, components=[leader_only([telephony])])
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


# ------------------------------------------------------------------ the parent


class Node:
    def __init__(self, args: argparse.Namespace, database: str, name: str) -> None:
        self.name = name
        port = _free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        command = [sys.executable, str(Path(__file__)), "--child", "--name", name]
        command += ["--port", str(port), "--database", database]
        command += ["--ttl", str(args.ttl), "--speed", str(args.speed)]
        # The instance's log (structlog writes to stdout, the rest to stderr), if asked for.
        log = (
            open(os.environ["BENCH_CHILD_LOG"] + name, "w")  # noqa: SIM115
            if os.environ.get("BENCH_CHILD_LOG")
            else subprocess.DEVNULL
        )
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])},
            stdout=log,
            stderr=log,
        )

    async def started(self) -> Node:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=5) as http:
            for _ in range(3000):  # an engine start with thousands of agents, on a busy machine
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} stopped during start-up")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get("/healthz")).status_code == 200:
                        return self
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start in 300 s")

    async def role(self) -> str | None:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=2) as http:
            with contextlib.suppress(httpx.HTTPError, ValueError):
                return (await http.get("/readyz")).json().get("role")  # type: ignore[no-any-return]
        return None

    async def metric(self, name: str) -> float | None:
        headers = {"Authorization": f"Bearer {SCRAPE}"}
        async with httpx.AsyncClient(base_url=self.base_url, timeout=5) as http:
            with contextlib.suppress(httpx.HTTPError):
                for line in (await http.get("/metrics", headers=headers)).text.splitlines():
                    if line.startswith(name + " "):
                        return float(line.split()[1])
        return None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)


@contextlib.asynccontextmanager
async def fresh_database(admin_url: str) -> AsyncIterator[str]:
    from hotline.db import migrate
    from hotline.db.session import create_engine

    name = f"hotline_failover_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    await migrate.upgrade(engine)
    await engine.dispose()
    try:
        yield url
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def centre(ari_url: str) -> dict[str, Any]:
    users: list[dict[str, Any]] = [
        {"username": u, "full_name": u, "roles": ["agent"], "password": PASSWORD} for u in AGENTS
    ]
    agents = [
        {
            "code": f"A{n:03d}",
            "name": username,
            "languages": ["zh"],
            "username": username,
            "skills": {"national_tax": 1},
            "endpoints": {"hz": endpoint},
        }
        for n, (username, endpoint) in enumerate(AGENTS.items(), start=1)
    ]
    return {
        "version": 1,
        "sites": [
            {
                "code": "hz",
                "name": "Hangzhou",
                "ari_url": ari_url,
                "ari_username": "hotline",
                "ari_password": ARI_PASSWORD,
            }
        ],
        "skills": [{"business_line": "national_tax", "language": "zh", "name": "国税"}],
        "users": users,
        "agents": agents,
    }


async def agents_ready(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        for username in AGENTS:
            reply = await http.post(
                "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
            )
            headers = {"Authorization": f"Bearer {reply.json()['access_token']}"}
            for _ in range(100):
                login = await http.post(
                    "/api/v1/agent/session", json={"site": "hz"}, headers=headers
                )
                ready = await http.put(
                    "/api/v1/agent/session/state", json={"state": "ready"}, headers=headers
                )
                if login.status_code in (200, 201, 409) and ready.status_code == 200:
                    break
                await asyncio.sleep(0.2)


async def leader_of(nodes: list[Node], timeout_s: float = 60.0) -> Node:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for node in nodes:
            if await node.role() == "leader":
                return node
        await asyncio.sleep(0.02)
    raise RuntimeError("no instance took the lead")


class _CommandClock(deque[tuple[str, str]]):
    """The emulator's journal, timing the first ARI command answered after ``arm()``."""

    def __init__(self) -> None:
        super().__init__(maxlen=1000)
        self.armed = False
        self.first_at: float | None = None

    def arm(self) -> None:
        self.armed, self.first_at = True, None

    def append(self, item: tuple[str, str]) -> None:
        super().append(item)
        kind, what = item
        command = kind == "response" and not what.startswith("GET ")
        if self.armed and self.first_at is None and command:
            self.first_at = time.time()


def _stasis_callers(events: list[tuple[str, dict[str, Any]]]) -> set[str]:
    """The caller numbers of every channel that entered Stasis (reached an instance)."""
    return {
        str(f["channel"]["caller"]["number"])
        for kind, f in events
        if kind == "StasisStart" and f.get("channel", {}).get("caller")
    }


def _caller_events(events: list[tuple[str, dict[str, Any]]], number: str) -> list[str]:
    """The kinds of the events on a taxpayer's channels, in order (few kinds: a summary)."""
    kinds = ("StasisStart", "StasisEnd", "ChannelEnteredBridge", "ChannelLeftBridge",
             "ChannelDestroyed")  # fmt: skip
    return [
        kind
        for kind, f in events
        if kind in kinds and str(f.get("channel", {}).get("caller", {}).get("number")) == number
    ]


def _answers_since(events: list[tuple[str, dict[str, Any]]]) -> bool:
    return any(
        kind == "ChannelEnteredBridge"
        and any(str(f["channel"]["name"]).startswith(e + "-") for e in AGENTS.values())
        for kind, f in events
    )


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from cti.emulator import AgentScript, LabConfig, TaxpayerScript, run_emulator
    from hotline.config import Settings
    from hotline.db.models.call import Call
    from hotline.demo.runner import import_centre
    from hotline.telephony.menus import build_plan

    greeting = build_plan(open_now=True).greeting
    load_before = os.getloadavg()
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)}, event_log_size=1_000_000)
    rounds: list[dict[str, Any]] = []
    numbers: list[str] = []
    async with (
        fresh_database(args.pg) as database,
        run_emulator(port=0, speed=args.speed, config=lab) as emulator,
    ):
        commands = _CommandClock()
        emulator.emulator.journal = commands  # before any connection binds it
        await import_centre(Settings(database_url=database), centre(emulator.base_url))
        for endpoint in AGENTS.values():
            emulator.add_endpoint(endpoint, AgentScript(answer_after_s=4.0, talk_s=40.0))
        nodes = [await Node(args, database, "node-0").started()]
        leader = await leader_of(nodes)
        nodes.append(await Node(args, database, "node-1").started())
        await agents_ready(nodes[1].base_url)

        async def call_steadily() -> None:
            while True:
                number = f"1390{len(numbers):07d}"
                numbers.append(number)
                emulator.place_call(
                    TaxpayerScript(
                        caller_number=number,
                        press_on_prompt={greeting: "1", "sound:hotline/line-national_tax": "1"},
                        patience_s=3000.0,
                        survey_digit=None,
                    )
                )
                await asyncio.sleep(args.interval)

        caller = asyncio.create_task(call_steadily())
        try:
            for n in range(args.kills):
                await asyncio.sleep(args.between)
                standby = next(node for node in nodes if node is not leader)
                mark = len(emulator.core.emitted)
                commands.arm()
                killed_at = time.time()
                leader.kill()
                result: dict[str, Any] = {"round": n + 1}
                answered_at: float | None = None
                while answered_at is None and time.time() - killed_at < 60:
                    if "to_leader_s" not in result and await standby.role() == "leader":
                        result["to_leader_s"] = round(time.time() - killed_at, 3)
                    if _answers_since(list(emulator.core.emitted)[mark:]):
                        answered_at = time.time()
                    await asyncio.sleep(0.02)
                result["to_first_answer_s"] = (
                    None if answered_at is None else round(answered_at - killed_at, 3)
                )
                first = commands.first_at
                result["to_first_command_s"] = (
                    None if first is None else round(first - killed_at, 3)
                )
                result["resync_s"] = await standby.metric("hotline_cluster_resync_seconds")
                rounds.append(result)
                nodes = [standby, await Node(args, database, f"node-{n + 2}").started()]
                leader = standby
        finally:
            caller.cancel()
        # Let every call end (talk 40 emulated s), then count.
        engine = create_async_engine(database)
        closed = 0
        closed_numbers: set[str] = set()
        lost_detail: list[dict[str, Any]] = []
        reached: set[str] = set()
        for _ in range(900):
            async with engine.connect() as connection:
                rows = (
                    await connection.execute(
                        select(Call.caller_number, Call.outcome, Call.ended_at).where(
                            Call.kind == "inbound"
                        )
                    )
                ).all()
            closed_numbers = {row.caller_number for row in rows if row.outcome and row.ended_at}
            closed = len(closed_numbers)
            reached = _stasis_callers(list(emulator.core.emitted))
            if reached <= closed_numbers:
                break
            await asyncio.sleep(0.2)
        await engine.dispose()
        # What became of each call counted lost: its record (if any) and what Asterisk did with
        # its channel, so a lost write is told from a call left open.
        records = {row.caller_number: row for row in rows}
        for number in sorted((set(numbers) & reached) - closed_numbers):
            row = records.get(number)
            lost_detail.append(
                {
                    "number": number,
                    "record": None if row is None else {"outcome": row.outcome,
                                                        "ended": row.ended_at is not None},
                    "channel_events": _caller_events(list(emulator.core.emitted), number),
                }
            )  # fmt: skip
        for node in nodes:
            node.kill()
    answers = [r["to_first_answer_s"] for r in rounds if r["to_first_answer_s"] is not None]
    firsts = [r["to_first_command_s"] for r in rounds if r["to_first_command_s"] is not None]
    return {
        "benchmark": "failover",
        "kills": args.kills,
        "lease_ttl_s": args.ttl,
        "speed": args.speed,
        "calls": len(numbers),
        "calls_closed_with_outcome": closed,
        "calls_to_fallback": len(set(numbers) - reached),
        "calls_lost": len((set(numbers) & reached) - closed_numbers),
        "lost_detail": lost_detail,
        "rounds": rounds,
        "to_first_command_s_max": max(firsts) if firsts else None,
        "to_first_answer_s_median": statistics.median(answers) if answers else None,
        "to_first_answer_s_max": max(answers) if answers else None,
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }


# ------------------------------------------------------------------ resync at scale

# Agents seeded straight into the database: codes R0001..., endpoints PJSIP/r0001...
_SEED_PREFIX = "R"


def _seed_endpoint(n: int) -> str:
    return f"PJSIP/r{n:05d}"


async def seed_logged_in_agents(database: str, count: int, ready: int) -> None:
    """``count`` agents with a saved login (``agent_session``): the first ``ready`` idle, the
    others on a break. What a running engine leaves in the database for the next one."""
    from datetime import UTC, datetime

    from hotline.db.models import Agent, AgentEndpoint, AgentSession, AgentSkill, Site, Skill
    from hotline.db.session import create_engine, create_sessionmaker, transaction

    engine = create_engine(database)
    now = datetime.now(UTC)
    async with transaction(create_sessionmaker(engine)) as session:
        site_id = await session.scalar(select(Site.id).where(Site.code == "hz"))
        skill_id = await session.scalar(
            select(Skill.id).where(Skill.business_line == "national_tax")
        )
        assert site_id is not None
        assert skill_id is not None
        agents = [
            Agent(code=f"{_SEED_PREFIX}{n:05d}", name=f"seeded {n}", languages=["zh"])
            for n in range(count)
        ]
        session.add_all(agents)
        await session.flush()
        for n, agent in enumerate(agents):
            session.add(AgentSkill(agent_id=agent.id, skill_id=skill_id, level=1))
            session.add(
                AgentEndpoint(agent_id=agent.id, site_id=site_id, dial_string=_seed_endpoint(n))
            )
            session.add(
                AgentSession(
                    agent_id=agent.id,
                    site_id=site_id,
                    endpoint=_seed_endpoint(n),
                    status="idle" if n < ready else "not_ready",
                    reason=None if n < ready else "break",
                    since=now,
                )
            )
    await engine.dispose()


def _live_channels(emulator: Any) -> dict[str, int]:
    """What the emulator has now: callers in Stasis, agent legs in talk and ringing."""
    channels = [c for c in emulator.core.channels.values() if not c.destroyed]
    agent_legs = [c for c in channels if c.name.startswith("PJSIP/r")]
    callers = [c for c in channels if c.stasis_app and c.name.startswith("Local/")]
    return {
        "callers_in_stasis": len(callers),
        "agent_legs_in_talk": sum(1 for c in agent_legs if c.bridge_id and c.state == "Up"),
        "agent_legs_ringing": sum(1 for c in agent_legs if c.state != "Up"),
    }


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _profile(pid: int) -> subprocess.Popen[bytes] | None:
    """With ``BENCH_PYSPY=<py-spy> BENCH_PYSPY_OUT=<file>``: the standby's stacks from the kill
    until it leads (100 samples a second, py-spy's raw format, for a flame graph or a grep)."""
    spy, out = os.environ.get("BENCH_PYSPY"), os.environ.get("BENCH_PYSPY_OUT")
    if not spy or not out:
        return None
    command = [spy, "record", "-p", str(pid), "-r", "100", "-f", "raw", "-o", out]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def run_resync(args: argparse.Namespace) -> dict[str, Any]:
    from cti.emulator import AgentScript, LabConfig, run_emulator
    from hotline.config import Settings
    from hotline.demo.runner import import_centre

    calls, agents = args.resync_calls, args.resync_agents
    in_talk, ringing = calls // 2, calls // 6
    if agents < in_talk + ringing:
        raise SystemExit(f"--resync-agents must be at least {in_talk + ringing}")
    load_before = os.getloadavg()
    lab = LabConfig(users={"hotline": (ARI_PASSWORD, False)}, event_log_size=1_000_000)
    async with (
        fresh_database(args.pg) as database,
        run_emulator(port=0, speed=args.speed, config=lab) as emulator,
    ):
        commands = _CommandClock()
        emulator.emulator.journal = commands
        await import_centre(Settings(database_url=database), centre(emulator.base_url))
        await seed_logged_in_agents(database, agents, ready=in_talk + ringing)
        for n in range(in_talk):  # answers at once and talks until the engine ends the call
            emulator.add_endpoint(_seed_endpoint(n), AgentScript(answer_after_s=1.0))
        for n in range(in_talk, in_talk + ringing):  # rings and rings
            emulator.add_endpoint(_seed_endpoint(n), AgentScript(answer_after_s=1e6))
        nodes = [Node(args, database, "node-0")]
        try:
            return await _resync_round(args, emulator, commands, database, nodes, load_before)
        finally:
            for node in nodes:  # whatever happened: no instance outlives the benchmark
                node.kill()


async def _resync_round(
    args: argparse.Namespace,
    emulator: Any,
    commands: _CommandClock,
    database: str,
    nodes: list[Node],
    load_before: tuple[float, float, float],
) -> dict[str, Any]:
    from cti.emulator import TaxpayerScript
    from hotline.telephony.menus import build_plan

    calls = args.resync_calls
    in_talk = calls // 2
    greeting = build_plan(open_now=True).greeting
    leader = await nodes[0].started()
    await leader_of([leader], timeout_s=300)  # its engine start restores thousands of logins
    nodes.append(Node(args, database, "node-1"))
    standby = await nodes[1].started()
    for n in range(calls):
        emulator.place_call(
            TaxpayerScript(
                caller_number=f"1391{n:07d}",
                press_on_prompt={greeting: "1", "sound:hotline/line-national_tax": "1"},
                patience_s=1e6,
                survey_digit=None,
            )
        )
    # Until the calls are through the menu and the ready agents are taken (or 120 s).
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        live = _live_channels(emulator)
        if live["callers_in_stasis"] >= calls and live["agent_legs_in_talk"] >= in_talk:
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(2.0)  # the leader's write queue catches up
    before = _live_channels(emulator)
    cpu_before = _cpu_s(standby.process.pid)
    profiler = _profile(standby.process.pid)
    commands.arm()
    killed_at = time.time()
    leader.kill()
    to_leader = None
    while time.time() - killed_at < 300:
        if await standby.role() == "leader":
            to_leader = round(time.time() - killed_at, 3)
            break
        await asyncio.sleep(0.05)
    cpu_takeover = _cpu_s(standby.process.pid) - cpu_before
    if profiler is not None:
        profiler.send_signal(signal.SIGINT)  # py-spy writes its samples and exits
        profiler.wait(timeout=60)
    first = commands.first_at
    resync_s = await standby.metric("hotline_cluster_resync_seconds")
    await asyncio.sleep(2.0)
    after = _live_channels(emulator)
    return {
        "benchmark": "failover-resync",
        "lease_ttl_s": args.ttl,
        "speed": args.speed,
        "agents_logged_in": args.resync_agents,
        "calls_placed": calls,
        "live_at_kill": before,
        "live_after_resync": after,
        "to_leader_s": to_leader,
        "to_first_command_s": None if first is None else round(first - killed_at, 3),
        "resync_s": resync_s,
        "standby_cpu_s": round(cpu_takeover, 2),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--ttl", type=float, default=3.0, help="lease TTL, seconds")
    parser.add_argument("--speed", type=float, default=20.0, help="emulated s per real s")
    parser.add_argument("--interval", type=float, default=1.0, help="real s between calls")
    parser.add_argument("--between", type=float, default=4.0, help="real s before each kill")
    parser.add_argument(
        "--pg",
        default=os.environ.get(
            "HOTLINE_BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1/postgres"
        ),
    )
    parser.add_argument(
        "--resync-calls", type=int, default=0, help="resync at scale: live calls at the kill"
    )
    parser.add_argument(
        "--resync-agents", type=int, default=2000, help="resync at scale: agents logged in"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--name", default="node", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--database", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    result = asyncio.run(run_resync(args) if args.resync_calls else run(args))
    print(json.dumps(result, indent=None if args.json else 2, ensure_ascii=False))


if __name__ == "__main__":
    main()
