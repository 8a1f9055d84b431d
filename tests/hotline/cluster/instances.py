"""Cluster instances as child processes, the centre they share, and what the emulator saw."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from cti.emulator import TaxpayerScript
from tests.hotline.cluster.cluster_process import SCRAPE_TOKEN
from tests.hotline.live.test_demo_flow import GREETING, PASSWORD, _centre
from tests.ports import listening_socket, port_of

ROOT = Path(__file__).resolve().parents[3]
SPEED = 20.0
START_S = 60.0  # a child instance on a loaded 2-core machine
AGENTS = {"agent001": "PJSIP/2001", "agent002": "PJSIP/2002"}


def centre(ari_url: str) -> dict[str, Any]:
    """The flow test's centre with a second agent, so that two calls can be in talk at once."""
    document = _centre(ari_url)
    document["users"].append(
        {"username": "agent002", "full_name": "李娜", "roles": ["agent"], "password": PASSWORD}
    )
    document["agents"].append(
        {
            "code": "A002",
            "name": "李娜",
            "languages": ["zh"],
            "username": "agent002",
            "skills": {"national_tax": 1},
            "endpoints": {"hz": "PJSIP/2002"},
        }
    )
    return document


def taxpayer(number: str) -> TaxpayerScript:
    return TaxpayerScript(
        caller_number=number,
        press_on_prompt={GREETING: "1", "sound:hotline/line-national_tax": "1"},
        patience_s=3000.0,
        survey_digit=None,
    )


@dataclass
class Instance:
    name: str
    process: subprocess.Popen[bytes]
    base_url: str

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    async def role(self) -> str | None:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=2) as http:
            with contextlib.suppress(httpx.HTTPError, ValueError):
                return (await http.get("/readyz")).json().get("role")  # type: ignore[no-any-return]
        return None

    async def metric(self, name: str) -> float:
        """One sample from /metrics (the scrape token needs no database)."""
        headers = {"Authorization": f"Bearer {SCRAPE_TOKEN}"}
        async with httpx.AsyncClient(base_url=self.base_url, timeout=5) as http:
            text = (await http.get("/metrics", headers=headers)).text
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        raise AssertionError(f"{name} not in the metrics of {self.name}")

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)


@contextlib.asynccontextmanager
async def instance(database_url: str, name: str, env: dict[str, str] | None = None) -> Any:
    """A cluster instance in a child process, once it answers; SIGKILLed at the end if alive.
    ``env``: settings of its own (``HOTLINE_...``), on top of this process's environment."""
    command = [sys.executable, "-m", "tests.hotline.cluster.cluster_process", database_url]
    # The child serves on a socket the test bound: no free port to lose to another process.
    with listening_socket() as listener:
        port = port_of(listener)
        child = subprocess.Popen(
            [*command, str(listener.fileno()), str(SPEED), name],
            cwd=ROOT,
            env={
                **os.environ,
                **(env or {}),
                "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path]),
            },
            pass_fds=[listener.fileno()],
        )
    running = Instance(name, child, f"http://127.0.0.1:{port}")
    try:
        # A deadline rather than a number of tries: a try waits up to its timeout while the
        # child, still starting, leaves the connection in the socket's backlog.
        deadline = time.monotonic() + START_S
        async with httpx.AsyncClient(base_url=running.base_url, timeout=5) as http:
            while True:
                assert child.poll() is None, f"{name} stopped during start-up"
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get("/healthz")).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise AssertionError(f"{name} did not start in {START_S:.0f} s")
                await asyncio.sleep(0.1)
        yield running
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)


async def wait_for_leader(instances: list[Instance], timeout_s: float = 30.0) -> Instance:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for candidate in instances:
            if candidate.alive and await candidate.role() == "leader":
                return candidate
        await asyncio.sleep(0.05)
    raise AssertionError("no instance took the lead")


async def token(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await http.post(
        "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def agents_ready(base_url: str, timeout_s: float = 30.0) -> None:
    """Every agent signed in and ready, asked of ``base_url`` (a standby forwards it)."""
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        for username in AGENTS:
            headers = await token(http, username)
            while True:
                login = await http.post(
                    "/api/v1/agent/session", json={"site": "hz"}, headers=headers
                )
                ready = await http.put(
                    "/api/v1/agent/session/state", json={"state": "ready"}, headers=headers
                )
                if login.status_code in (200, 201, 409) and ready.status_code in (200, 409):
                    break
                assert time.monotonic() < deadline, (login.text, ready.text)
                await asyncio.sleep(0.2)


@dataclass
class EmulatorLedger:
    """What the emulator did, from its event log: agent legs ringing at once, bridges joined."""

    max_legs_per_agent: dict[str, int] = field(default_factory=dict)
    agents_per_taxpayer: dict[str, set[str]] = field(default_factory=dict)


def ledger(events: list[tuple[str, dict[str, Any]]]) -> EmulatorLedger:
    live: dict[str, set[str]] = defaultdict(set)
    result = EmulatorLedger(max_legs_per_agent={endpoint: 0 for endpoint in AGENTS.values()})
    members: dict[str, set[str]] = defaultdict(set)  # bridge -> channel names
    for kind, fields in events:
        channel = fields.get("channel") or {}
        name = str(channel.get("name", ""))
        endpoint = next((e for e in AGENTS.values() if name.startswith(e + "-")), None)
        if kind == "ChannelCreated" and endpoint is not None:
            live[endpoint].add(channel["id"])
            result.max_legs_per_agent[endpoint] = max(
                result.max_legs_per_agent[endpoint], len(live[endpoint])
            )
        elif kind == "ChannelDestroyed" and endpoint is not None:
            live[endpoint].discard(channel["id"])
        elif kind == "ChannelEnteredBridge":
            bridge = fields["bridge"]["id"]
            members[bridge].add(name)
    for names in members.values():
        agents = {n for n in names if any(n.startswith(e + "-") for e in AGENTS.values())}
        for taxpayer_leg in names - agents:
            result.agents_per_taxpayer.setdefault(taxpayer_leg, set()).update(agents)
    return result
