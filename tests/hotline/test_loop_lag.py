"""Nothing a request does holds the event loop that also drives the calls.

The app's loop-lag monitor watches while logins (production argon2 cost) and wallboard polls of
``/queues`` (a day of 30,000 calls) hammer the service: the largest lag seen must stay under
100 ms. That is a correctness bound, not a speed figure: a handler that computes on the loop
(argon2 there takes about 0.4 s; a Python scan of the day's calls about 0.3 s at this size)
breaks it by several times on any machine.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
import pytest_asyncio
import structlog
from fastapi import FastAPI
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotline import looplag
from hotline.auth import passwords
from hotline.config import Settings
from hotline.db.models import Call
from hotline.db.session import transaction
from hotline.looplag import LOOP_LAG_KEY, LoopLagMonitor
from hotline.main import create_app
from hotline.metrics import Metrics
from hotline.roles import Role
from hotline.telephony import telephony_component
from hotline.telephony.stats import day_start
from tests.fixtures.app import FixedClock, create_user, login
from tests.hotline.telephony.builders import seed_directory
from tests.hotline.telephony.fakes import RecordingControl

pytestmark = pytest.mark.asyncio

CALLS_TODAY = 30_000
BOUND_S = 0.100


async def _seed_a_busy_day(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FixedClock
) -> dict[str, int]:
    seeded = await seed_directory(sessionmaker)
    start = day_start(clock.now())
    span = (clock.now() - start).total_seconds()
    rows, expected = [], {"offered": 0, "answered": 0, "within": 0, "abandoned": 0}
    for n in range(CALLS_TODAY):
        queued = start + timedelta(seconds=span * n / CALLS_TODAY)
        kind = n % 4  # answered within 20 s, answered late, abandoned, still waiting
        answered = queued + timedelta(seconds=5 if kind == 0 else 90) if kind < 2 else None
        outcome = {0: "answered", 1: "answered", 2: "abandoned_queue"}.get(kind)
        rows.append(
            {
                "site_id": seeded.site_id,
                "channel_id": f"busy-{n}",
                "kind": "inbound",
                "caller_number": "057188888888",
                "language": "zh",
                "business_line": "national_tax",
                "arrived_at": queued - timedelta(seconds=10),
                "queued_at": queued,
                "answered_at": answered,
                "ended_at": None if outcome is None else queued + timedelta(seconds=200),
                "outcome": outcome,
            }
        )
        expected["offered"] += 1
        expected["answered"] += kind < 2
        expected["within"] += kind == 0
        expected["abandoned"] += kind == 2
    async with transaction(sessionmaker) as session:
        for first in range(0, len(rows), 5_000):
            await session.execute(insert(Call), rows[first : first + 5_000])
    return expected


@pytest_asyncio.fixture
async def busy_app(settings: Settings, clock: FixedClock) -> AsyncIterator[FastAPI]:
    """The app with telephony, started on a database that already holds a busy day."""
    seeding = create_app(settings, clock=clock)
    async with seeding.router.lifespan_context(seeding):
        seeding.state.expected = await _seed_a_busy_day(seeding.state.hotline.sessionmaker, clock)
    application = create_app(
        settings, clock=clock, components=[telephony_component(RecordingControl())]
    )
    application.state.expected = seeding.state.expected
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def production_argon2() -> AsyncIterator[None]:
    saved = passwords._hasher()
    passwords.set_hasher(PasswordHash((Argon2Hasher(),)))  # the cost a real login pays
    yield None
    passwords.set_hasher(saved)


async def test_logins_and_wallboard_polls_never_hold_the_loop_100ms(
    busy_app: FastAPI, production_argon2: None
) -> None:
    state = busy_app.state.hotline
    transport = httpx.ASGITransport(app=busy_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hotline.test") as client:
        await create_user(state.sessionmaker, "floor.lead", Role.SUPERVISOR)
        headers = {"Authorization": f"Bearer {await login(client, 'floor.lead')}"}
        monitor: LoopLagMonitor = state.extras[LOOP_LAG_KEY]
        monitor.reset_max()

        async def poll_the_wallboard() -> None:
            for _ in range(6):
                response = await client.get("/api/v1/queues", headers=headers)
                assert response.status_code == 200, response.text
                counters = response.json()[0]
                expected = busy_app.state.expected
                assert counters["offered"] == expected["offered"]
                assert counters["answered"] == expected["answered"]
                assert counters["answered_within_sl"] == expected["within"]
                assert counters["abandoned"] == expected["abandoned"]

        async def sign_in() -> None:
            for _ in range(3):
                await login(client, "floor.lead")

        await asyncio.gather(poll_the_wallboard(), poll_the_wallboard(), sign_in(), sign_in())
    assert monitor.samples >= 10
    # Held: the lag less the time the loop thread only waited for a CPU that other processes of
    # this shared machine had (the lag itself where the kernel does not report that wait).
    held, lag = monitor.max_held_s * 1000, monitor.max_lag_s * 1000
    assert monitor.max_held_s < BOUND_S, f"the loop was held {held:.0f} ms (lag {lag:.0f} ms)"


async def test_a_held_loop_raises_the_alarm(monkeypatch: pytest.MonkeyPatch) -> None:
    # A logger bound before (loggers are cached on first use once the app configured logging)
    # would bypass capture_logs: the monitor logs through a fresh one here.
    monkeypatch.setattr(looplag, "log", structlog.get_logger("looplag-test"))
    metrics = Metrics()
    # The threshold sits well above what a busy machine's scheduling adds, so the one alarm
    # allowed a second is the held loop's.
    monitor = LoopLagMonitor(metrics, alarm_s=0.15, interval_s=0.01)
    with structlog.testing.capture_logs() as logs:
        monitor.start()
        try:
            await asyncio.sleep(0.05)
            time.sleep(0.3)  # the point: hold the loop
            await asyncio.sleep(0.05)
        finally:
            await monitor.stop()
    assert monitor.max_lag_s >= 0.25
    stalls = metrics.registry.get_sample_value("hotline_event_loop_stalls_total")
    assert stalls is not None
    assert stalls >= 1
    lag_count = metrics.registry.get_sample_value("hotline_event_loop_lag_seconds_count")
    assert lag_count is not None
    assert lag_count >= 2
    alarms = [entry for entry in logs if entry["event"] == "event_loop_stalled"]
    assert len(alarms) == 1  # at most one a second
    assert alarms[0]["log_level"] == "warning"
    assert alarms[0]["lag_ms"] >= 250
    assert monitor.max_held_s >= 0.25  # a blocking call, not a wait for the CPU


async def test_the_held_time_has_its_own_histogram_apart_from_waits_for_a_cpu() -> None:
    metrics = Metrics()
    monitor = LoopLagMonitor(metrics, alarm_s=10.0)
    monitor.record(0.3, now=0.0, cpu_wait_s=0.29)  # late, but the machine's doing
    monitor.record(0.3, now=1.0, cpu_wait_s=0.0)  # late through this process
    value = metrics.registry.get_sample_value

    def held_at_most(bound: str) -> float | None:
        return value("hotline_event_loop_held_seconds_bucket", {"le": bound})

    assert value("hotline_event_loop_held_seconds_count") == 2
    assert held_at_most("0.025") == 1
    assert held_at_most("0.5") == 2
    assert value("hotline_event_loop_lag_seconds_bucket", {"le": "0.25"}) == 0
