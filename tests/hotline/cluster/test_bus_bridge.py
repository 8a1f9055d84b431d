"""The bus across replicas on a real PostgreSQL: two bridged buses (or two apps, or two
processes) on one database, as two replicas behind a load balancer would be."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from hotline.bus import Message, Subscription
from hotline.bus_bridge import BridgedBus, asyncpg_dsn, start_bridge
from hotline.config import AuthSettings, Settings
from hotline.deps import AppState
from hotline.main import create_app
from hotline.roles import Role
from tests.fixtures.app import create_user, login
from tests.hotline.live.servers import serve_on_loopback
from tests.ports import listening_socket, port_of
from tests.waiting import WAIT_S

pytestmark = [pytest.mark.postgres]

SSE = {"Accept": "text/event-stream"}
SECRET = "a-shared-secret-of-the-two-test-instances"
SCRAPE = "scrape-token-for-the-cluster-tests"


@asynccontextmanager
async def bridged(url: str, **options: Any) -> AsyncIterator[BridgedBus]:
    bus = await start_bridge(url, CollectorRegistry(), **options)
    try:
        yield bus
    finally:
        await bus.stop()


async def take(subscription: Subscription, count: int, timeout: float = 30.0) -> list[Message]:
    return [await asyncio.wait_for(subscription.get(), timeout) for _ in range(count)]


async def eventually(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout)


def count_of(counter: Any) -> float:
    value: float = counter._value.get()
    return value


async def terminate_backend(url: str, pid: int) -> None:
    admin = await asyncpg.connect(asyncpg_dsn(url))
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()


# ---------------------------------------------------------------- the bridge itself
@pytest.mark.asyncio
async def test_what_one_replica_publishes_every_replica_receives_in_order(pg_url: str) -> None:
    async with bridged(pg_url) as a, bridged(pg_url) as b:
        assert a.epoch == b.epoch  # one numbering for the cluster
        async with a.subscribe("wallboard") as on_a, b.subscribe("wallboard") as on_b:
            for n in range(1, 51):
                a.publish("wallboard", {"n": n})
                b.publish("agent:7", {"n": "not for the wallboard"})
            expected = [{"n": n} for n in range(1, 51)]
            assert await take(on_b, 50) == expected
            assert await take(on_a, 50) == expected  # the publisher's own replica too
        assert count_of(b.metrics.received) >= 50
        # The writer counts its batch once its COMMIT has answered, and the listener may
        # deliver the rows before the writer's task runs again: wait for the count.
        await eventually(lambda: count_of(a.metrics.written) >= 50)
        assert count_of(a.metrics.written) == 50


@pytest.mark.asyncio
async def test_two_publishers_at_once_every_replica_sees_one_and_the_same_order(
    pg_url: str,
) -> None:
    async with bridged(pg_url) as a, bridged(pg_url) as b:
        a.retain("wallboard", 1000)
        b.retain("wallboard", 1000)
        async with a.subscribe("wallboard") as on_a, b.subscribe("wallboard") as on_b:

            async def publish(bus: BridgedBus, name: str) -> None:
                for n in range(100):
                    bus.publish("wallboard", {"from": name, "n": n})
                    if n % 10 == 0:
                        await asyncio.sleep(0)  # let the writers interleave their batches

            await asyncio.gather(publish(a, "a"), publish(b, "b"))
            seen_a, seen_b = await take(on_a, 200), await take(on_b, 200)
        assert seen_a == seen_b  # one order, seq included
        assert [m["seq"] for m in seen_a] == sorted(m["seq"] for m in seen_a)
        for name in ("a", "b"):  # and each publisher's own order kept
            assert [m["n"] for m in seen_a if m["from"] == name] == list(range(100))


@pytest.mark.asyncio
async def test_a_resume_on_another_replica_replays_exactly_what_was_missed(pg_url: str) -> None:
    async with bridged(pg_url) as a, bridged(pg_url) as b:
        a.retain("wallboard", 100)
        b.retain("wallboard", 100)
        async with a.subscribe("wallboard") as on_a:
            a.publish("wallboard", {"n": 1})
            (first,) = await take(on_a, 1)
        position = first["seq"]
        for n in (2, 3):
            a.publish("wallboard", {"n": n})
            a.publish("agent:1", {"n": n})  # another topic in between: not replayed
        await eventually(lambda: b.last_seq("wallboard") >= position + 4)
        async with b.subscribe("wallboard", resume=(b.epoch, position)) as on_b:
            a.publish("wallboard", {"n": 4})
            got = await take(on_b, 3)
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(on_b.get(), 0.3)  # and nothing twice
        assert [m["n"] for m in got] == [2, 3, 4]
        assert position < got[0]["seq"] < got[1]["seq"] < got[2]["seq"]


@pytest.mark.asyncio
async def test_a_resume_while_this_replica_is_behind_neither_repeats_nor_skips(
    pg_url: str,
) -> None:
    """The client saw id n on a fast replica; this one has not read n yet (its listener is
    away): the replay comes from the table, and what the listener then reads is not sent
    twice."""
    async with bridged(pg_url) as a, bridged(pg_url) as b:
        a.retain("wallboard", 100)
        b.retain("wallboard", 100)
        listener = b._listener
        assert listener is not None
        dsn = b._dsn
        b._dsn = "postgresql://postgres@127.0.0.1:1/nowhere"  # b's listener stays away
        await terminate_backend(pg_url, listener.get_server_pid())
        await eventually(lambda: not b.connected.is_set())
        async with a.subscribe("wallboard") as on_a:
            for n in (1, 2, 3):
                a.publish("wallboard", {"n": n})
            seen = await take(on_a, 3)
        assert b.last_seq("wallboard") < seen[0]["seq"]
        async with b.subscribe("wallboard", resume=(b.epoch, seen[0]["seq"])) as on_b:
            assert [m["n"] for m in await take(on_b, 2)] == [2, 3]
            b._dsn = dsn  # the listener comes back and reads 1, 2, 3 again: not resent
            await eventually(lambda: b.last_seq("wallboard") >= seen[-1]["seq"])
            a.publish("wallboard", {"n": 4})
            assert [m["n"] for m in await take(on_b, 1)] == [4]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("position", "reason"),
    [
        ("another-epoch", "unknown_position"),
        ("ahead", "unknown_position"),
        ("pruned", "too_far_behind"),
    ],
)
async def test_a_position_that_cannot_be_replayed_gets_a_reset(
    pg_url: str, position: str, reason: str
) -> None:
    async with bridged(pg_url) as a:
        a.retain("wallboard", 100)
        async with a.subscribe("wallboard") as live:
            for n in range(3):
                a.publish("wallboard", {"n": n})
            seen = await take(live, 3)
        resume = {
            "another-epoch": ("pg0", seen[0]["seq"]),
            "ahead": (a.epoch, seen[-1]["seq"] + 1000),
            "pruned": (a.epoch, seen[0]["seq"]),
        }[position]
        if position == "pruned":
            admin = await asyncpg.connect(asyncpg_dsn(pg_url))
            await admin.execute("DELETE FROM bus_event WHERE id <= $1", seen[1]["seq"])
            await admin.close()
        async with a.subscribe("wallboard", resume=resume) as again:
            a.publish("wallboard", {"n": "live"})
            reset, after = await take(again, 2)
        assert reset == {"type": "reset", "reason": reason}
        assert after["n"] == "live"


@pytest.mark.asyncio
async def test_the_publisher_never_waits_and_a_full_outbox_drops_the_oldest_then_resets(
    pg_url: str,
) -> None:
    async with bridged(pg_url, outbox_size=3) as a, bridged(pg_url) as b:
        async with b.subscribe("wallboard") as on_b:
            for n in range(10):  # no await in between: the writer cannot run
                a.publish("wallboard", {"n": n})
            got = await take(on_b, 4)
        assert got == [
            {"type": "reset", "reason": "events_dropped"},
            {"n": 7},
            {"n": 8},
            {"n": 9},
        ]
        assert count_of(a.metrics.dropped) == 7


@pytest.mark.asyncio
async def test_the_listener_survives_the_loss_of_its_connection_and_misses_nothing(
    pg_url: str,
) -> None:
    async with bridged(pg_url) as a, bridged(pg_url) as b:
        async with b.subscribe("wallboard") as on_b:
            a.publish("wallboard", {"n": 1})
            assert await take(on_b, 1) == [{"n": 1}]
            listener = b._listener
            assert listener is not None
            await terminate_backend(pg_url, listener.get_server_pid())
            for n in range(2, 6):  # published while b is reconnecting
                a.publish("wallboard", {"n": n})
            assert await take(on_b, 4) == [{"n": n} for n in range(2, 6)]
        assert count_of(b.metrics.reconnects) == 1


@pytest.mark.asyncio
async def test_rows_pruned_while_the_listener_was_away_end_in_a_reset(pg_url: str) -> None:
    async with bridged(pg_url) as a, bridged(pg_url) as b:
        async with b.subscribe("wallboard") as on_b:
            listener = b._listener
            assert listener is not None
            dsn = b._dsn
            b._dsn = "postgresql://postgres@127.0.0.1:1/nowhere"  # b cannot come back yet
            await terminate_backend(pg_url, listener.get_server_pid())
            await eventually(lambda: not b.connected.is_set())
            a.publish("wallboard", {"n": 1})
            a.publish("wallboard", {"n": 2})
            await eventually(lambda: count_of(a.metrics.written) == 2)
            admin = await asyncpg.connect(asyncpg_dsn(pg_url))
            await admin.execute("DELETE FROM bus_event")  # pruned meanwhile
            await admin.close()
            b._dsn = dsn
            await eventually(b.connected.is_set)
            a.publish("wallboard", {"n": 3})
            got = await take(on_b, 2)
        assert got == [{"type": "reset", "reason": "events_lost"}, {"n": 3}]


@pytest.mark.asyncio
async def test_a_topic_watched_on_one_replica_is_known_to_the_others(pg_url: str) -> None:
    async with bridged(pg_url) as a, bridged(pg_url) as b:
        assert not a.watched("wallboard")
        async with b.subscribe("wallboard"):
            await eventually(lambda: a.watched("wallboard"))
        assert not b.watched("wallboard")


# ---------------------------------------------------------------- two apps, real HTTP
async def _frames(response: httpx.Response) -> AsyncIterator[dict[str, str]]:
    frame: dict[str, str] = {}
    async for line in response.aiter_lines():
        if line == "":
            if frame:
                yield frame
            frame = {}
        elif not line.startswith(":"):
            field, _, value = line.partition(": ")
            frame[field] = value


def _settings(url: str) -> Settings:
    return Settings(
        database_url=url,
        auth=AuthSettings(jwt_secret=SecretStr(SECRET)),
        metrics_token=SecretStr(SCRAPE),
    )


@asynccontextmanager
async def instance(url: str) -> AsyncIterator[tuple[FastAPI, str]]:
    app = create_app(_settings(url))
    async with app.router.lifespan_context(app), serve_on_loopback(app) as base:
        yield app, base


async def _wallboard_token(base: str, app: FastAPI) -> str:
    state: AppState = app.state.hotline
    await create_user(state.sessionmaker, "wall", Role.WALLBOARD)
    async with httpx.AsyncClient(base_url=base) as http:
        return await login(http, "wall")


@pytest.mark.asyncio
async def test_an_sse_client_of_one_instance_sees_what_the_other_published_and_resumes_there(
    pg_url: str,
) -> None:
    async with AsyncExitStack() as stack:
        app_a, base_a = await stack.enter_async_context(instance(pg_url))
        _app_b, base_b = await stack.enter_async_context(instance(pg_url))
        bus_a = app_a.state.hotline.bus
        assert isinstance(bus_a, BridgedBus)
        token = await _wallboard_token(base_a, app_a)
        headers = {**SSE, "Authorization": f"Bearer {token}"}
        pop = {"type": "state", "agent_id": 7, "caller_number": "13905710001"}
        async with (
            httpx.AsyncClient(base_url=base_b, timeout=10) as http,
            http.stream("GET", "/api/v1/wallboard/events", headers=headers) as stream,
        ):
            frames = _frames(stream)
            await eventually(lambda: bus_a.watched("wallboard"))
            bus_a.publish("wallboard", pop)
            first = await asyncio.wait_for(anext(frames), 10)
        assert first["event"] == "state"
        assert "13905710001" not in first["data"]  # masked on this replica too
        # Gone from B; A publishes meanwhile; the browser reconnects to A with its last id.
        bus_a.publish("wallboard", {"type": "state", "agent_id": 7, "status": "on_call"})
        bus_a.publish("agent:7", {"type": "offer"})
        bus_a.publish("wallboard", {"type": "queues", "queues": []})
        resume = {**headers, "Last-Event-ID": first["id"]}
        async with (
            httpx.AsyncClient(base_url=base_a, timeout=10) as http,
            http.stream("GET", "/api/v1/wallboard/events", headers=resume) as stream,
        ):
            frames = _frames(stream)
            got = [await asyncio.wait_for(anext(frames), 10) for _ in range(2)]
            bus_a.publish("wallboard", {"type": "live"})
            got.append(await asyncio.wait_for(anext(frames), 10))
            scraper = {"Authorization": f"Bearer {SCRAPE}"}
            deadline = time.monotonic() + WAIT_S
            while True:  # the writer counts a batch just after its commit
                metrics = (await http.get("/metrics", headers=scraper)).text
                written = "hotline_bus_bridge_events_written_total 5.0" in metrics
                if written or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.1)
        assert "hotline_bus_bridge_events_written_total 5.0" in metrics
        assert "hotline_bus_bridge_listener_connected 1.0" in metrics
        assert "hotline_bus_bridge_lag_seconds_count" in metrics
        assert [f["event"] for f in got] == ["state", "queues", "live"]
        assert '"status":"on_call"' in got[0]["data"]
        epoch = first["id"].split(".")[0]
        assert all(f["id"].startswith(epoch + ".") for f in got)


# ---------------------------------------------------------------- two processes
def _tick(frame: dict[str, str]) -> int:
    assert frame.get("event") == "tick", frame
    return int(frame["data"].split('"n":')[1].split(",")[0].rstrip("}"))


@pytest.mark.asyncio
async def test_two_processes_one_stream_a_reconnect_to_the_other_misses_nothing(
    pg_url: str, tmp_path: Path
) -> None:
    """Process A publishes ticks 1..N; the SSE client reads some on B (this process), leaves,
    and comes back on A with its Last-Event-ID: the ticks it sees are exactly n..N."""
    count = 60
    async with instance(pg_url) as (app_b, base_b):
        token = await _wallboard_token(base_b, app_b)
        headers = {**SSE, "Authorization": f"Bearer {token}"}
        log_path = tmp_path / "instance-a.log"
        log = log_path.open("w")
        # Process A serves on a socket bound here: no free port to lose before it starts.
        with listening_socket() as listener:
            port = port_of(listener)
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.hotline.cluster.instance_process",
                 pg_url, str(listener.fileno()), SECRET, str(count), "0.05"],
                env={**os.environ, "HOTLINE_PROFILE": "test"},
                stdout=log, stderr=subprocess.STDOUT, pass_fds=[listener.fileno()],
            )  # fmt: skip
        try:
            seen: list[int] = []
            last_id = ""
            async with (
                httpx.AsyncClient(base_url=base_b, timeout=120) as http,
                http.stream("GET", "/api/v1/wallboard/events", headers=headers) as s,
            ):
                frames = _frames(s)
                while len(seen) < 10:  # the first waits for the process to start
                    frame = await asyncio.wait_for(anext(frames), 120)
                    seen.append(_tick(frame))
                    last_id = frame["id"]
            await asyncio.sleep(0.5)  # away for a while: the ticks go on
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
                resume = {**headers, "Last-Event-ID": last_id}
                async with http.stream("GET", "/api/v1/wallboard/events", headers=resume) as s:
                    frames = _frames(s)
                    while seen[-1] < count:
                        seen.append(_tick(await asyncio.wait_for(anext(frames), 30)))
        except BaseException:
            process.terminate()
            process.wait(10)
            print(log_path.read_text())  # shown with the failure
            raise
        finally:
            process.terminate()
            process.wait(10)
            log.close()
    assert seen == list(range(seen[0], count + 1))
