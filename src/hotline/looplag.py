"""Event-loop lag: how late the loop runs a timer, sampled by a small task.

The API and the CTI engine share one event loop, so anything that holds it (a CPU-heavy call, a
blocking library) delays every call's next step. The monitor sleeps ``interval_s`` at a time and
measures how much later than asked it wakes up: that delay is the lag. Each sample goes to the
``hotline_event_loop_lag_seconds`` histogram; a sample past ``alarm_s`` counts as a stall
(``hotline_event_loop_stalls_total``) and logs an ``event_loop_stalled`` warning, at most once a
second so that a stalled loop is not also flooded with log lines.

On a busy machine part of a lag is only the loop thread waiting for a CPU that other processes
hold. Where Linux reports it (``/proc/thread-self/schedstat``: time spent runnable but not
running), the monitor subtracts that wait and keeps the rest as ``held``: the time the loop was
held by this process itself (a computation on the loop, a blocking call, a lock, the GIL). The
alarm reports both, so an operator can tell an overloaded host from blocking code; the held time
has its own histogram, ``hotline_event_loop_held_seconds``.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import structlog

from hotline.metrics import Metrics

log = structlog.get_logger(__name__)

_ALARM_EVERY_S = 1.0
LOOP_LAG_KEY = "loop_lag"  # where the app's monitor is kept in ``AppState.extras``
_SCHEDSTAT = Path("/proc/thread-self/schedstat")


def _runqueue_wait_s() -> float | None:
    """Seconds this thread has spent runnable but waiting for a CPU, or None where unknown."""
    try:
        return int(_SCHEDSTAT.read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return None


class LoopLagMonitor:
    def __init__(self, metrics: Metrics, *, alarm_s: float, interval_s: float = 0.02) -> None:
        self._metrics = metrics
        self.alarm_s = alarm_s
        self.interval_s = interval_s
        self.max_lag_s = 0.0  # since start or the last reset_max()
        self.max_held_s = 0.0  # the same, less the waits for a CPU (see the module doc)
        self.samples = 0
        self._last_alarm = float("-inf")
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="loop-lag")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def reset_max(self) -> None:
        self.max_lag_s = 0.0
        self.max_held_s = 0.0
        self.samples = 0

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            asked = loop.time() + self.interval_s
            waited_before = _runqueue_wait_s()
            await asyncio.sleep(self.interval_s)
            waited_after = _runqueue_wait_s()
            lag = max(0.0, loop.time() - asked)
            cpu_wait = (
                None
                if waited_before is None or waited_after is None
                else waited_after - waited_before
            )
            self.record(lag, now=loop.time(), cpu_wait_s=cpu_wait)

    def record(self, lag_s: float, *, now: float, cpu_wait_s: float | None = None) -> None:
        self.samples += 1
        self.max_lag_s = max(self.max_lag_s, lag_s)
        held = lag_s if cpu_wait_s is None else max(0.0, lag_s - cpu_wait_s)
        self.max_held_s = max(self.max_held_s, held)
        self._metrics.loop_lag.observe(lag_s)
        # On a shared host the lag's tail is mostly other processes' CPU: this one tells apart
        # what the service itself did (the API load benchmark reports both).
        self._metrics.loop_held.observe(held)
        self._metrics.loop_lag_max.set(self.max_lag_s)
        if lag_s > self.alarm_s:
            self._metrics.loop_stalls.inc()
            if now - self._last_alarm >= _ALARM_EVERY_S:
                self._last_alarm = now
                log.warning(
                    "event_loop_stalled",
                    lag_ms=round(lag_s * 1000, 1),
                    held_ms=round(held * 1000, 1),
                    threshold_ms=round(self.alarm_s * 1000, 1),
                )
