"""API reads are served first come, first served, a bounded number at once (hotline.admission).

No timing here: the order in which requests reach the app, and what is let through while the
line is full, are observed with events.
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from hotline.admission import FairAdmissionMiddleware, FairLimiter
from hotline.config import Settings
from hotline.db.session import on_write_wait
from hotline.main import create_app, freeze_start_up_objects
from hotline.metrics import Metrics
from tests.waiting import WAIT_S


async def _settle() -> None:
    """Let every runnable task take its next step (no clock involved)."""
    for _ in range(20):
        await asyncio.sleep(0)


# ------------------------------------------------------------------------------ the limiter
@pytest.mark.asyncio
async def test_waiters_are_admitted_in_arrival_order_and_a_newcomer_cannot_barge_in() -> None:
    limiter = FairLimiter(1)
    await limiter.acquire()
    admitted: list[str] = []

    async def reader(name: str) -> None:
        await limiter.acquire()
        admitted.append(name)
        await asyncio.sleep(0)
        limiter.release()

    waiting = [asyncio.create_task(reader(f"r{n}")) for n in range(5)]
    await _settle()
    assert admitted == []
    assert limiter.waiting == 5
    limiter.release()
    # Arrives in the very step the place is freed: with asyncio.Semaphore it could take it.
    late = asyncio.create_task(reader("late"))
    await asyncio.gather(*waiting, late)
    assert admitted == ["r0", "r1", "r2", "r3", "r4", "late"]
    assert limiter.active == 0
    assert limiter.waiting == 0


@pytest.mark.asyncio
async def test_a_cancelled_waiter_gives_its_turn_to_the_next() -> None:
    limiter = FairLimiter(1)
    await limiter.acquire()
    admitted: list[str] = []

    async def reader(name: str) -> None:
        await limiter.acquire()
        admitted.append(name)
        limiter.release()

    first, second = asyncio.create_task(reader("first")), asyncio.create_task(reader("second"))
    await _settle()
    first.cancel()
    await _settle()
    limiter.release()
    await second
    assert first.cancelled()
    assert admitted == ["second"]
    assert limiter.active == 0


@pytest.mark.asyncio
async def test_a_place_handed_to_a_waiter_cancelled_at_that_moment_is_passed_on() -> None:
    limiter = FairLimiter(1)
    await limiter.acquire()
    first = asyncio.create_task(limiter.acquire())
    second = asyncio.create_task(limiter.acquire())
    await _settle()
    limiter.release()  # hands the place to ``first`` ...
    first.cancel()  # ... which is cancelled before it runs again
    await _settle()
    assert first.cancelled()
    assert second.done()
    assert second.exception() is None
    assert limiter.active == 1
    limiter.release()
    assert limiter.active == 0


def test_a_limiter_needs_a_place() -> None:
    with pytest.raises(ValueError, match="at least one place"):
        FairLimiter(0)


# ---------------------------------------------------------------------------- the middleware
class _App:
    """An ASGI app whose requests each wait for their own gate before answering."""

    def __init__(self) -> None:
        self.entered: list[str] = []
        self.gates: dict[str, asyncio.Event] = {}
        self.body_gates: dict[str, asyncio.Event] = {}

    def gate(self, path: str) -> asyncio.Event:
        return self.gates.setdefault(path, asyncio.Event())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        self.entered.append(f"{scope['method']} {path}")
        await self.gate(path).wait()
        if path.endswith("/fails"):
            raise RuntimeError("handler failed")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        if path.endswith("/stream"):
            # A stream: the headers are out, the body follows much later.
            await self.body_gates.setdefault(path, asyncio.Event()).wait()
        await send({"type": "http.response.body", "body": b"{}"})


def _request(app: Any, method: str, path: str, sent: list[Message]) -> asyncio.Task[None]:
    scope = {"type": "http", "method": method, "path": path, "headers": []}

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    return asyncio.create_task(app(scope, receive, send))


@pytest.mark.asyncio
async def test_reads_beyond_the_limit_wait_in_line_and_enter_in_order() -> None:
    inner, metrics = _App(), Metrics()
    app = FairAdmissionMiddleware(inner, limit=2, prefix="/api/v1/", metrics=metrics)
    sent: list[Message] = []
    tasks = [_request(app, "GET", f"/api/v1/r{n}", sent) for n in range(5)]
    await _settle()
    assert inner.entered == ["GET /api/v1/r0", "GET /api/v1/r1"]
    assert metrics.admission_waiting._value.get() == 3
    inner.gate("/api/v1/r1").set()
    await _settle()
    assert inner.entered[2:] == ["GET /api/v1/r2"]
    for n in (0, 2, 3, 4):
        inner.gate(f"/api/v1/r{n}").set()
    await asyncio.gather(*tasks)
    assert inner.entered[3:] == ["GET /api/v1/r3", "GET /api/v1/r4"]
    assert app.limiter is not None
    assert app.limiter.active == 0
    assert metrics.admission_waiting._value.get() == 0


@pytest.mark.asyncio
async def test_writes_health_and_pages_are_not_held_by_a_full_line() -> None:
    inner = _App()
    app = FairAdmissionMiddleware(inner, limit=1, prefix="/api/v1/", metrics=Metrics())
    sent: list[Message] = []
    holder = _request(app, "GET", "/api/v1/calls", sent)
    queued = _request(app, "GET", "/api/v1/queues", sent)
    others = [
        _request(app, "POST", "/api/v1/calls/1/transfer", sent),
        _request(app, "GET", "/healthz", sent),
        _request(app, "GET", "/floor", sent),
    ]
    await _settle()
    assert "GET /api/v1/queues" not in inner.entered
    assert set(inner.entered[1:]) == {"POST /api/v1/calls/1/transfer", "GET /healthz", "GET /floor"}
    for gate in ("/api/v1/calls", "/api/v1/queues", "/api/v1/calls/1/transfer", "/healthz"):
        inner.gate(gate).set()
    inner.gate("/floor").set()
    await asyncio.gather(holder, queued, *others)


@pytest.mark.asyncio
async def test_a_stream_gives_its_place_back_once_its_headers_are_sent() -> None:
    inner = _App()
    app = FairAdmissionMiddleware(inner, limit=1, prefix="/api/v1/", metrics=Metrics())
    sent: list[Message] = []
    stream = _request(app, "GET", "/api/v1/events/stream", sent)
    inner.gate("/api/v1/events/stream").set()
    await _settle()
    after = _request(app, "GET", "/api/v1/queues", sent)
    await _settle()
    assert inner.entered[-1] == "GET /api/v1/queues"  # admitted while the stream still runs
    inner.gate("/api/v1/queues").set()
    await after
    inner.body_gates["/api/v1/events/stream"].set()
    await stream


@pytest.mark.asyncio
async def test_a_read_over_its_hold_budget_leaves_the_line_for_the_next() -> None:
    inner = _App()
    app = FairAdmissionMiddleware(
        inner, limit=1, prefix="/api/v1/", metrics=Metrics(), hold_budget_s=0.01
    )
    sent: list[Message] = []
    slow = _request(app, "GET", "/api/v1/reports/year", sent)
    await _settle()
    after = _request(app, "GET", "/api/v1/queues", sent)
    # The slow read never answers meanwhile: only its budget can let the next one in.
    async with asyncio.timeout(WAIT_S):
        while "GET /api/v1/queues" not in inner.entered:
            await asyncio.sleep(0.005)
    assert not slow.done()
    inner.gate("/api/v1/queues").set()
    await after
    inner.gate("/api/v1/reports/year").set()
    await slow
    assert app.limiter is not None
    assert app.limiter.active == 0  # the slow read gave its place back once, not twice


@pytest.mark.asyncio
async def test_without_a_budget_a_slow_read_keeps_its_place() -> None:
    inner = _App()
    app = FairAdmissionMiddleware(inner, limit=1, prefix="/api/v1/", metrics=Metrics())
    sent: list[Message] = []
    slow = _request(app, "GET", "/api/v1/reports/year", sent)
    await _settle()
    after = _request(app, "GET", "/api/v1/queues", sent)
    await asyncio.sleep(0.05)
    await _settle()
    assert inner.entered == ["GET /api/v1/reports/year"]
    inner.gate("/api/v1/reports/year").set()
    inner.gate("/api/v1/queues").set()
    await asyncio.gather(slow, after)


@pytest.mark.asyncio
async def test_a_failed_or_cancelled_request_gives_its_place_back() -> None:
    inner = _App()
    app = FairAdmissionMiddleware(inner, limit=1, prefix="/api/v1/", metrics=Metrics())
    sent: list[Message] = []
    failing = _request(app, "GET", "/api/v1/fails", sent)
    inner.gate("/api/v1/fails").set()
    with pytest.raises(RuntimeError, match="handler failed"):
        await failing
    cancelled = _request(app, "GET", "/api/v1/slow", sent)
    await _settle()
    cancelled.cancel()
    await _settle()
    assert cancelled.cancelled()
    last = _request(app, "GET", "/api/v1/last", sent)
    await _settle()
    assert inner.entered[-1] == "GET /api/v1/last"
    inner.gate("/api/v1/last").set()
    await last
    assert app.limiter is not None
    assert app.limiter.active == 0


@pytest.mark.asyncio
async def test_no_limit_lets_everything_through() -> None:
    inner = _App()
    app = FairAdmissionMiddleware(inner, limit=0, prefix="/api/v1/", metrics=Metrics())
    sent: list[Message] = []
    tasks = [_request(app, "GET", f"/api/v1/r{n}", sent) for n in range(3)]
    await _settle()
    assert len(inner.entered) == 3
    for n in range(3):
        inner.gate(f"/api/v1/r{n}").set()
    await asyncio.gather(*tasks)


def test_the_service_puts_its_api_reads_in_line(database_url: str) -> None:
    app = create_app(
        Settings(database_url=database_url, api_concurrency=3, api_read_hold_budget_s=0.25)
    )
    (installed,) = [m for m in app.user_middleware if m.cls is FairAdmissionMiddleware]
    assert installed.kwargs["limit"] == 3
    assert installed.kwargs["hold_budget_s"] == 0.25
    assert installed.kwargs["prefix"] == "/api/v1/"


def test_start_up_objects_are_frozen_once_per_process() -> None:
    done: set[str] = set()
    before = gc.get_freeze_count()
    try:
        assert freeze_start_up_objects(done) is True
        assert gc.get_freeze_count() > before
        assert freeze_start_up_objects(done) is False
    finally:
        gc.unfreeze()


@pytest.mark.asyncio
async def test_a_read_waiting_for_its_write_turn_gives_its_place_back() -> None:
    """What ``commit_in_turn`` calls when the request must wait to write (an audit entry)."""
    entered: list[str] = []
    go_on = asyncio.Event()

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        entered.append(scope["path"])
        if scope["path"] == "/api/v1/workorders":
            leave_read_line = on_write_wait.get()
            assert leave_read_line is not None
            leave_read_line()  # waits for its write turn from here
            leave_read_line()  # twice is once
            await go_on.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    app = FairAdmissionMiddleware(inner, limit=1, prefix="/api/v1/", metrics=Metrics())
    sent: list[Message] = []
    writer = _request(app, "GET", "/api/v1/workorders", sent)
    await _settle()
    reader = _request(app, "GET", "/api/v1/queues", sent)
    await reader  # served while the first one still waits to write
    assert entered == ["/api/v1/workorders", "/api/v1/queues"]
    go_on.set()
    await writer
    assert app.limiter is not None
    assert app.limiter.active == 0
    assert on_write_wait.get() is None  # not left behind outside the request
