"""First come, first served: a bounded number of API reads at work at once, the rest in line.

Why: the API and the CTI engine share one event loop, and every request is a chain of short
steps (the principal, each SQLite statement's hops to aiosqlite's thread, the response). With
50 requests in flight, each step of each request waits behind the steps of all the others, so a
request with more steps (a list with its count) waits several times longer than one with few
(``/queues``): under the API load benchmark the p99 was 4-5 times the median with the same
throughput. Letting a few requests work at a time and the others wait in arrival order makes a
request's wait the queue in front of it, about the same for every request, instead of the
number of its steps times the whole crowd; the CTI engine's tasks are not in this line, so call
handling goes ahead of API reads.

Only reads (GET and HEAD) under the API prefix take part: a write may wait on Asterisk (a
transfer rings for up to 20 s) and must not hold a place meanwhile, and the health, metrics and
page routes stay outside. A place is given back as soon as the response starts, so a stream
(server-sent events) holds it only until its headers are sent, and a read that has to wait for
a write (its turn to write on SQLite, ``hotline.db.session.commit_in_turn``, or a batch of
personal-data audit entries in flight, ``hotline.audit_reads``) gives its place back while it
waits, so that the reads behind it do not wait for a write.

A read that holds its place longer than ``hold_budget_s`` gives it back too and goes on outside
the line. The line bounds how many reads share the loop's CPU at once; a read that takes long
is not using the CPU (a report scanning a year on PostgreSQL, a database that stalls, a client
that reads its response slowly) and would otherwise keep every short read behind it waiting.
That is what lets the line be short: under the API load benchmark on the quiet 2-core machine,
8 places instead of 24 served more reads a second with less CPU each (fewer tasks sharing the
loop at once, each trip to a database thread answered sooner) and brought p99 from 440-530 ms
to 270-350 ms (BENCHMARKS.md, issue 11).
"""

from __future__ import annotations

import asyncio
from collections import deque

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hotline.db.session import on_write_wait
from hotline.metrics import Metrics

READS = frozenset({"GET", "HEAD"})


class FairLimiter:
    """At most ``limit`` holders; the others are admitted strictly in arrival order.

    ``asyncio.Semaphore`` lets a task that arrives just as a place is freed take it before the
    tasks already waiting (a barging acquire), which is the unfairness this exists to remove: a
    freed place is handed to the oldest waiter directly, and a newcomer queues whenever anyone
    waits.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a limiter needs at least one place")
        self.limit = limit
        self.active = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        return sum(1 for waiter in self._waiters if not waiter.done())

    async def acquire(self) -> None:
        if self.active < self.limit and not self._waiters:
            self.active += 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter  # the place is ours once the future has a result (release hands it)
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                # Handed a place just as we were cancelled: pass it on, or it would be lost.
                self.release()
            else:
                self._waiters.remove(waiter)
            raise

    def release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the place goes over as it is: ``active`` unchanged
                return
        self.active -= 1


class FairAdmissionMiddleware:
    """Puts the API's reads through a :class:`FairLimiter` (``Settings.api_concurrency``)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        prefix: str,
        metrics: Metrics,
        hold_budget_s: float = 0.0,
    ) -> None:
        self.app = app
        self.prefix = prefix
        self.metrics = metrics
        self.limiter = FairLimiter(limit) if limit > 0 else None
        self.hold_budget_s = hold_budget_s  # 0: a read keeps its place until its response starts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limiter = self.limiter
        if (
            limiter is None
            or scope["type"] != "http"
            or scope.get("method") not in READS
            or not str(scope.get("path", "")).startswith(self.prefix)
        ):
            await self.app(scope, receive, send)
            return
        gauge = self.metrics.admission_waiting
        gauge.inc()
        try:
            await limiter.acquire()
        finally:
            gauge.dec()
        held = True

        def give_back() -> None:
            nonlocal held
            if held:
                held = False
                limiter.release()

        async def send_releasing(message: Message) -> None:
            if message["type"] == "http.response.start":
                give_back()
            await send(message)

        # A read that takes longer than its budget leaves the line (see the module's docstring).
        overdue = (
            asyncio.get_running_loop().call_later(self.hold_budget_s, give_back)
            if self.hold_budget_s > 0
            else None
        )
        # A read that must wait for its turn to write (an audit entry on SQLite) leaves the line.
        leaving = on_write_wait.set(give_back)
        try:
            await self.app(scope, receive, send_releasing)
        finally:
            on_write_wait.reset(leaving)
            if overdue is not None:
                overdue.cancel()
            give_back()  # no response started (an error the outer layers answer) or cancelled
